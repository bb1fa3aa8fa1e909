// stampinf for isodrv: resolves $ARCH$ and the KMDF/UMDF tokens, writes DriverVer and CatalogFile,
// with line-precise, encoding-preserving edits. Pure functions; the only I/O is write_file_atomic.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "isodrv/inf.h"
#include "isodrv/result.h"

namespace isodrv::stamp {

// ---------------------------------------------------------------------------------------------
// Tokens. Stampinf's tokens are case-sensitive and written with dollar signs on both sides.
// ---------------------------------------------------------------------------------------------
enum class Token : std::uint8_t { arch, kmdf_version, kmdf_coinstaller_version, umdf_version, umdf_coinstaller_version };

struct TokenInfo {
  Token token;
  std::string_view text;    // "$ARCH$"
  std::string_view option;  // the option that supplies it ("-a")
  std::string_view example; // what it becomes, e.g. "amd64" for -a amd64
};

// Every token, in the order they are resolved (longer tokens never contain shorter ones).
const std::vector<TokenInfo>& tokens();

// ---------------------------------------------------------------------------------------------
// Values and their validation (each returns invalid_argument with a full sentence on bad input).
// ---------------------------------------------------------------------------------------------
struct Date {
  int year = 0, month = 0, day = 0;
  friend bool operator==(const Date&, const Date&) = default;
};
// "m/d/yyyy" or "mm/dd/yyyy", '-' allowed instead of '/'; a real calendar date, year 1000-9999.
Result<Date> parse_date(std::string_view text);
// Always "mm/dd/yyyy", the form DriverVer documents.
std::string format_date(const Date& d);
// The UTC calendar date of a Unix time.
Date date_from_unix(std::int64_t seconds);

// A DriverVer version: one to four decimal parts, each 0-65535, not all zero. Returned as written.
Result<std::string> parse_driver_version(std::string_view text);
// The version `-v *` writes: the UTC time of day as hours.minutes.seconds.milliseconds, without
// zero padding (13:05:09.042 -> "13.5.9.42"), as stampinf does with local time.
std::string time_version(std::int64_t unix_milliseconds);

// A framework version given to -k (major.minor) or -u (major.minor[.service]).
struct WdfVersion {
  unsigned major = 0, minor = 0, service = 0;
  bool has_service = false;
  // $KMDFVERSION$ / $UMDFVERSION$: "1.33" for KMDF; "2.33.0" for UMDF (".0" added when absent).
  std::string library_text(bool umdf) const;
  // $KMDFCOINSTALLERVERSION$ / $UMDFCOINSTALLERVERSION$: two digits of major, three of minor ("01033").
  std::string coinstaller_text() const;
};
Result<WdfVersion> parse_kmdf_version(std::string_view text);
Result<WdfVersion> parse_umdf_version(std::string_view text);

// -a: x86, amd64 (x64), arm, arm64, ia64 (64), and MSBuild's platform names (Win32, x64, ARM64).
Result<inf::Arch> parse_stamp_arch(std::string_view text);

// The version ntverp.h defines: VER_PRODUCTMAJORVERSION.MINOR.BUILD.BUILD_QFE (QFE 0 when absent).
Result<std::string> version_from_ntverp(std::string_view header_text);

// ---------------------------------------------------------------------------------------------
// Stamping
// ---------------------------------------------------------------------------------------------
struct StampOptions {
  std::string path;                       // for messages only
  std::string section = "Version";        // -s: where DriverVer goes
  std::optional<Date> date;               // -d
  std::optional<std::string> version;     // -v (already validated or "*" resolved by the caller)
  // -a. nullopt removes $ARCH$ ("NT$ARCH$" -> "NT"), as Visual Studio does when -a is off.
  std::optional<inf::Arch> arch;
  std::optional<WdfVersion> kmdf;         // -k
  std::optional<WdfVersion> umdf;         // -u
  std::optional<std::string> catalog;     // -c
  inf::DecodeOptions decode;
};

enum class EditKind : std::uint8_t { token, driver_ver, catalog_file };

// One changed or inserted physical line of the output.
struct Edit {
  std::uint32_t line = 0;  // 1-based, in the output
  EditKind kind = EditKind::token;
  bool inserted = false;   // a new line (old_text is empty)
  std::string old_text;    // the line before, decoded, without line break
  std::string new_text;    // the line after
};

// Something the caller should tell the user; stamping still succeeded.
struct Note {
  std::uint32_t line = 0;  // 1-based, in the output; 0 when it concerns the whole file
  std::string message;
};

struct StampResult {
  std::string bytes;  // the stamped file, in the input's encoding
  inf::Encoding encoding = inf::Encoding::ansi;
  std::vector<Edit> edits;  // sorted by line
  std::vector<Note> notes;
  std::string driver_ver;   // the DriverVer value written ("" when DriverVer was left alone)
};

// Stamps one INF or INX. DriverVer is written when a date or a version is given (the other part is
// kept from the existing DriverVer); CatalogFile when a catalog is given. Every byte outside the
// changed lines is kept; new lines use the line break of the line they follow.
Result<StampResult> stamp(std::string_view bytes, const StampOptions& opts);

// What `check` does with .inx input, like InfVerif's /stampinf: every token is replaced by a valid
// value for `arch` (KMDF 1.33, UMDF 2.33.0) in the file's own encoding, line by line, so line
// numbers and every other byte stay as they were. DriverVer and CatalogFile are not touched.
Result<std::string> resolve_stamp_tokens_for_check(std::string_view bytes, inf::Arch arch);

// Writes `bytes` to `path` through a temporary file in the same folder and a rename, so readers
// see the old file or the new one, never a partial one. An existing file keeps its permissions.
Status write_file_atomic(const std::string& path, std::string_view bytes);

}  // namespace isodrv::stamp
