// Reading a whole input file (an INF, a .reg file, a machine file, a list of files) with a size cap,
// so /dev/zero or a runaway file is a clear error instead of memory exhaustion.
#pragma once

#include <cstdint>
#include <string>

#include "isodrv/result.h"

namespace isodrv {

// Default cap on one input: 256 MiB, far above any real INF (the largest in Windows is ~2 MiB).
inline constexpr std::uint64_t kDefaultMaxInputSize = std::uint64_t{256} << 20;
// The parser stores offsets in 32 bits; the cap may be raised up to here and no further.
inline constexpr std::uint64_t kLargestMaxInputSize = std::uint64_t{1} << 31;

// The cap every read_input call applies (the CLI sets it from --max-input-size).
std::uint64_t max_input_size();
void set_max_input_size(std::uint64_t bytes);

// Reads the file at `path` (a regular file, a FIFO or a device alike), stopping at the cap:
//   file_not_found  "the file does not exist"        access_denied  "permission denied"
//   read_fault      "is a directory", "is larger than the N-byte input limit (--max-input-size)",
//                   or the system's words for a failed read.
Result<std::string> read_input(const std::string& path);
// The same for an open file descriptor (standard input is 0); `name` is used in messages.
Result<std::string> read_input_fd(int fd, const std::string& name);

}  // namespace isodrv
