// read_input fills its buffer without zeroing it first (std::string::resize_and_overwrite where the
// library has it): whatever the size, the string holds exactly the file's bytes, growing past the
// size fstat gave for pipes, and the input size cap is kept to the byte.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>

#include "isodrv/input.h"

namespace fs = std::filesystem;

namespace {

std::string random_bytes(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng() & 0xFF);
  return s;
}

fs::path scratch_file(const std::string& bytes) {
  const fs::path p = fs::temp_directory_path() / ("isodrv-read-input-" + std::to_string(::getpid()));
  std::ofstream(p, std::ios::binary) << bytes;
  return p;
}

// A pipe carrying `bytes`, written from a thread (a pipe holds only 64 KiB).
std::string through_pipe(const std::string& bytes) {
  std::signal(SIGPIPE, SIG_IGN);
  int fds[2];
  EXPECT_EQ(::pipe(fds), 0);
  std::thread writer([&] {
    std::size_t off = 0;
    while (off < bytes.size()) {
      const ssize_t n = ::write(fds[1], bytes.data() + off, bytes.size() - off);
      if (n <= 0) break;
      off += static_cast<std::size_t>(n);
    }
    ::close(fds[1]);
  });
  auto r = isodrv::read_input_fd(fds[0], "<pipe>");
  ::close(fds[0]);  // a reader stopped at the cap: the writer's next write fails (SIGPIPE ignored)
  writer.join();
  return r ? *r : std::string("<error>");
}

}  // namespace

TEST(ReadInput, HoldsExactlyTheBytesOfFilesAndPipes) {
  for (const std::size_t n : {0u, 1u, 15u, 16u, 4095u, 4096u, 70000u, 200001u}) {
    const std::string bytes = random_bytes(n, static_cast<unsigned>(n));
    const fs::path p = scratch_file(bytes);
    auto r = isodrv::read_input(p.string());
    ASSERT_TRUE(r.ok()) << n;
    EXPECT_EQ(*r, bytes) << "file of " << n << " bytes";
    EXPECT_EQ(through_pipe(bytes), bytes) << "pipe of " << n << " bytes (no size from fstat)";
    fs::remove(p);
  }
}

TEST(ReadInput, TheCapIsKeptToTheByte) {
  const std::uint64_t old = isodrv::max_input_size();
  isodrv::set_max_input_size(100000);
  const std::string at = random_bytes(100000, 1), over = random_bytes(100001, 2);
  const fs::path p = scratch_file(at);
  auto r = isodrv::read_input(p.string());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, at);
  EXPECT_EQ(through_pipe(at), at);
  std::ofstream(p, std::ios::binary) << over;
  auto big = isodrv::read_input(p.string());
  ASSERT_FALSE(big.ok());
  EXPECT_NE(big.error().message.find("100000-byte input limit"), std::string::npos) << big.error().message;
  EXPECT_EQ(through_pipe(over), "<error>");
  fs::remove(p);
  auto missing = isodrv::read_input(p.string());
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, isodrv::Errc::file_not_found);
  isodrv::set_max_input_size(old);
}
