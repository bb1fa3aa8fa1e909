// The values stampinf writes: dates, DriverVer versions, framework versions, architecture words,
// and the version ntverp.h defines. Each parser rejects what DriverVer or stampinf would not accept.
#include <array>
#include <charconv>
#include <cstdio>

#include "isodrv/stamp.h"
#include "base/text.h"

namespace isodrv::stamp {
namespace {

// DriverVer version parts are 16-bit (inf-syntax.md §8: above 65535 is rejected).
constexpr unsigned kMaxVersionPart = 65535;
// The framework coinstaller number has two digits of major and three of minor ("01033").
constexpr unsigned kMaxWdfMajor = 99, kMaxWdfMinor = 999;

// Splits on `sep`; empty parts are kept so that "1..2" is rejected by the callers.
std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  for (;;) {
    std::size_t p = s.find(sep);
    out.push_back(s.substr(0, p));
    if (p == std::string_view::npos) break;
    s.remove_prefix(p + 1);
  }
  return out;
}

// A non-empty run of decimal digits no longer than `max_digits`.
std::optional<unsigned> number(std::string_view s, std::size_t max_digits) {
  if (s.empty() || s.size() > max_digits) return std::nullopt;
  unsigned v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

Error bad(std::string msg) { return Error(Errc::invalid_argument, std::move(msg)); }

Result<WdfVersion> parse_wdf(std::string_view text, bool umdf) {
  const std::string_view what = umdf ? "UMDF version" : "KMDF version";
  const std::string_view form = umdf ? "major.minor[.service]" : "major.minor";
  std::string_view t = base::trim_line_view(text);
  auto parts = split(t, '.');
  const bool count_ok = umdf ? (parts.size() == 2 || parts.size() == 3) : parts.size() == 2;
  std::optional<unsigned> major, minor, service = 0u;
  if (count_ok) {
    major = number(parts[0], 2);
    minor = number(parts[1], 3);
    if (parts.size() == 3) service = number(parts[2], 5);
  }
  if (!count_ok || !major || !minor || !service || *major == 0 || *major > kMaxWdfMajor || *minor > kMaxWdfMinor ||
      *service > kMaxVersionPart) {
    return bad(std::string(what) + " '" + std::string(text) + "' is not " + std::string(form) +
               " with decimal numbers (major 1-99, minor 0-999), e.g. " + (umdf ? "2.33.0" : "1.33"));
  }
  WdfVersion v;
  v.major = *major;
  v.minor = *minor;
  v.service = *service;
  v.has_service = parts.size() == 3;
  return v;
}

}  // namespace

// The DriverVer date reading is inf's (one parser for check, stamp, install and ranking); stamp
// words the errors.
Result<Date> parse_date(std::string_view text) {
  std::string_view t = base::trim_line_view(text);
  if (auto d = inf::parse_driver_date(t)) return Date{d->year, d->month, d->day};
  const char sep = t.find('-') != std::string_view::npos ? '-' : '/';
  auto parts = split(t, sep);
  if (parts.size() == 3 && number(parts[0], 2) && number(parts[1], 2) && parts[2].size() == 4 && number(parts[2], 4)) {
    return bad("date '" + std::string(text) + "' is not a calendar date (month/day/year)");
  }
  return bad("date '" + std::string(text) + "' is not month/day/year (mm/dd/yyyy, four-digit year), e.g. 10/20/2011");
}

std::string format_date(const Date& d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d/%02d/%04d", d.month, d.day, d.year);
  return buf;
}

Date date_from_unix(std::int64_t seconds) {
  // Days to civil date (proleptic Gregorian), after Howard Hinnant's public-domain algorithm.
  std::int64_t z = (seconds >= 0 ? seconds : seconds - 86399) / 86400 + 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned day = doy - (153 * mp + 2) / 5 + 1;
  const unsigned month = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t year = static_cast<std::int64_t>(yoe) + era * 400 + (month <= 2 ? 1 : 0);
  return Date{static_cast<int>(year), static_cast<int>(month), static_cast<int>(day)};
}

Result<std::string> parse_driver_version(std::string_view text) {
  std::string_view t = base::trim_line_view(text);
  auto v = inf::parse_driver_version(t);
  if (!v) return bad("version '" + std::string(text) + "' is not w.x.y.z with up to four decimal parts of 0-65535");
  if (*v == 0) return bad("version '" + std::string(text) + "' is all zeros, which DriverVer does not allow");
  return std::string(t);
}

std::string time_version(std::int64_t unix_milliseconds) {
  constexpr std::int64_t kDay = 86'400'000;
  const std::int64_t ms = ((unix_milliseconds % kDay) + kDay) % kDay;
  // The hour can be 0, which would make an all-zero version at 00:00:00.000; use 0.0.0.1 then.
  if (ms == 0) return "0.0.0.1";
  return std::to_string(ms / 3'600'000) + "." + std::to_string(ms / 60'000 % 60) + "." + std::to_string(ms / 1000 % 60) +
         "." + std::to_string(ms % 1000);
}

std::string WdfVersion::library_text(bool umdf) const {
  std::string s = std::to_string(major) + "." + std::to_string(minor);
  if (umdf) s += "." + std::to_string(has_service ? service : 0);
  return s;
}

std::string WdfVersion::coinstaller_text() const {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02u%03u", major, minor);
  return buf;
}

Result<WdfVersion> parse_kmdf_version(std::string_view text) { return parse_wdf(text, false); }
Result<WdfVersion> parse_umdf_version(std::string_view text) { return parse_wdf(text, true); }

Result<inf::Arch> parse_stamp_arch(std::string_view text) {
  struct Name {
    std::string_view name;
    inf::Arch arch;
  };
  // stampinf's documented words (x86, x64, 64), the decoration words, and MSBuild platform names.
  static constexpr Name kNames[] = {
      {"x86", inf::Arch::x86},     {"i386", inf::Arch::x86},    {"win32", inf::Arch::x86},
      {"amd64", inf::Arch::amd64}, {"x64", inf::Arch::amd64},   {"arm", inf::Arch::arm},
      {"arm64", inf::Arch::arm64}, {"ia64", inf::Arch::ia64},   {"64", inf::Arch::ia64},
  };
  std::string_view t = base::trim_line_view(text);
  for (const auto& n : kNames) {
    if (inf::iequals(t, n.name)) return n.arch;
  }
  return bad("architecture '" + std::string(text) + "' is not one of x86, amd64 (x64), arm, arm64, ia64");
}

Result<std::string> version_from_ntverp(std::string_view header_text) {
  // Strip comments first so "#define VER_PRODUCTBUILD /* NT */ 26100" reads as 26100.
  std::string text;
  text.reserve(header_text.size());
  for (std::size_t i = 0; i < header_text.size();) {
    if (header_text.compare(i, 2, "/*") == 0) {
      std::size_t e = header_text.find("*/", i + 2);
      i = e == std::string_view::npos ? header_text.size() : e + 2;
      text += ' ';
    } else if (header_text.compare(i, 2, "//") == 0) {
      i = header_text.find('\n', i);
      if (i == std::string_view::npos) i = header_text.size();
    } else {
      text += header_text[i++];
    }
  }
  auto value_of = [&](std::string_view name) -> std::optional<unsigned> {
    std::optional<unsigned> found;
    for (auto line : split(text, '\n')) {
      std::string_view l = base::trim_line_view(line);
      if (l.substr(0, 1) != "#") continue;
      l = base::trim_line_view(l.substr(1));
      if (l.substr(0, 6) != "define") continue;
      l = base::trim_line_view(l.substr(6));
      if (l.substr(0, name.size()) != name || l.size() == name.size() || (l[name.size()] != ' ' && l[name.size()] != '\t')) continue;
      auto v = number(base::trim_line_view(l.substr(name.size())), 5);
      if (v && *v <= kMaxVersionPart) found = v;
    }
    return found;
  };
  auto major = value_of("VER_PRODUCTMAJORVERSION");
  auto minor = value_of("VER_PRODUCTMINORVERSION");
  auto build = value_of("VER_PRODUCTBUILD");
  auto qfe = value_of("VER_PRODUCTBUILD_QFE");
  if (!major || !minor || !build) {
    return bad("ntverp.h does not define VER_PRODUCTMAJORVERSION, VER_PRODUCTMINORVERSION and VER_PRODUCTBUILD as numbers");
  }
  return parse_driver_version(std::to_string(*major) + "." + std::to_string(*minor) + "." + std::to_string(*build) + "." +
                              std::to_string(qfe ? *qfe : 0));
}

}  // namespace isodrv::stamp
