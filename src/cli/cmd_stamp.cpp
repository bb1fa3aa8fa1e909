// `isodrv stamp`: stampinf's command line (-f -s -d -v -a -c -k -u -i -n, plus -o) over the stamp
// library. Resolves the environment stampinf reads (STAMPINF_DATE, STAMPINF_VERSION, Platform,
// PRIVATE_DRIVER_PACKAGE, and SOURCE_DATE_EPOCH for reproducible builds); the library stays pure.
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/commands.h"
#include "isodrv/input.h"
#include "isodrv/stamp.h"

namespace isodrv::cli {
namespace {
namespace fs = std::filesystem;

struct StampArgs {
  std::string file_opt, file_pos, out;
  std::string section = "Version";
  std::vector<std::string> date, version, arch;  // optional-value options: present, maybe empty
  std::string catalog, kmdf, umdf, include_path;
  bool verbose = false, x_flag = false;
  CLI::Option* date_opt = nullptr;
  CLI::Option* version_opt = nullptr;
  CLI::Option* arch_opt = nullptr;
  CLI::Option* catalog_opt = nullptr;
};

std::optional<std::string> env(const char* name) {
  const char* v = std::getenv(name);
  if (!v || !*v) return std::nullopt;
  return std::string(v);
}

// "Now" in Unix milliseconds: SOURCE_DATE_EPOCH (seconds) when set, so builds can be repeated.
Result<std::int64_t> now_ms() {
  if (auto sde = env("SOURCE_DATE_EPOCH")) {
    char* end = nullptr;
    errno = 0;
    long long s = std::strtoll(sde->c_str(), &end, 10);
    if (errno != 0 || end == sde->c_str() || *end != '\0' || s < 0) {
      return Error(Errc::invalid_argument, "SOURCE_DATE_EPOCH='" + *sde + "' is not a number of seconds");
    }
    // DriverVer years have four digits: 9999-12-31 23:59:59 UTC is the last second it can name.
    constexpr long long kLastSecond = 253402300799;
    if (s > kLastSecond) {
      return Error(Errc::invalid_argument, "SOURCE_DATE_EPOCH='" + *sde + "' is out of range: DriverVer dates end in "
                                           "the year 9999 (at most " + std::to_string(kLastSecond) + ")");
    }
    return static_cast<std::int64_t>(s) * 1000;
  }
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

Error with_origin(Error e, const std::string& origin) {
  e.message = origin + ": " + e.message;
  return e;
}

Result<stamp::Date> resolve_date(const StampArgs& a, std::int64_t now, bool private_pkg) {
  std::string text;
  std::string origin = "-d";
  if (!private_pkg && a.date_opt->count() > 0 && !a.date.empty() && !a.date.front().empty()) {
    text = a.date.front();
  } else if (auto e = env("STAMPINF_DATE"); e && !private_pkg) {
    text = *e;
    origin = "STAMPINF_DATE";
  }
  if (text.empty() || text == "*") return stamp::date_from_unix(now / 1000);
  auto d = stamp::parse_date(text);
  if (!d.ok()) return with_origin(d.error(), origin);
  return d;
}

Result<std::optional<std::string>> resolve_version(const StampArgs& a, std::int64_t now, bool private_pkg) {
  std::string text;
  std::string origin = "-v";
  if (private_pkg) {
    text = "*";
  } else if (a.version_opt->count() > 0 && !a.version.empty() && !a.version.front().empty()) {
    text = a.version.front();
  } else if (auto e = env("STAMPINF_VERSION")) {
    text = *e;
    origin = "STAMPINF_VERSION";
  } else if (!a.include_path.empty()) {
    fs::path p = a.include_path;
    if (fs::is_directory(p)) p /= "ntverp.h";
    auto header = read_input(p.string());
    if (!header.ok()) return with_origin(header.error(), "cannot read ntverp.h (given with -i)");
    auto v = stamp::version_from_ntverp(*header);
    if (!v.ok()) {
      Error err = v.error();
      err.file = p.string();
      return err;
    }
    return std::optional<std::string>(v.value());
  } else {
    return std::optional<std::string>();  // keep the version already in DriverVer
  }
  if (text == "*") return std::optional<std::string>(stamp::time_version(now));
  auto v = stamp::parse_driver_version(text);
  if (!v.ok()) return with_origin(v.error(), origin);
  return std::optional<std::string>(v.value());
}

// -a, else the Platform variable (a wrong Platform is a warning, a wrong -a an error).
Status set_arch(const StampArgs& a, stamp::StampOptions& o, std::vector<std::string>& warnings) {
  if (a.arch_opt->count() > 0 && !a.arch.empty() && !a.arch.front().empty()) {
    auto arch = stamp::parse_stamp_arch(a.arch.front());
    if (!arch.ok()) return with_origin(arch.error(), "-a");
    o.arch = arch.value();
  } else if (auto platform = env("Platform")) {
    auto arch = stamp::parse_stamp_arch(*platform);
    if (arch.ok()) {
      o.arch = arch.value();
    } else {
      warnings.push_back("the Platform variable ('" + *platform + "') names no architecture; ignored");
    }
  }
  return {};
}

// -k and -u.
Status set_wdf_versions(const StampArgs& a, stamp::StampOptions& o) {
  if (!a.kmdf.empty()) {
    auto k = stamp::parse_kmdf_version(a.kmdf);
    if (!k.ok()) return with_origin(k.error(), "-k");
    o.kmdf = k.value();
  }
  if (!a.umdf.empty()) {
    auto u = stamp::parse_umdf_version(a.umdf);
    if (!u.ok()) return with_origin(u.error(), "-u");
    o.umdf = u.value();
  }
  return {};
}

// Warnings and notes on stderr; with -v also the stamped DriverVer and every edited line.
void report_stamped(const StampArgs& a, const std::string& file, const stamp::StampResult& res,
                    const std::vector<std::string>& warnings) {
  for (const auto& w : warnings) std::cerr << "isodrv: warning: " << w << "\n";
  for (const auto& n : res.notes) {
    std::cerr << "isodrv: " << file;
    if (n.line) std::cerr << ":" << n.line;
    std::cerr << ": warning: " << n.message << "\n";
  }
  if (!a.verbose) return;
  std::cerr << "isodrv: stamping " << file << " (" << inf::encoding_name(res.encoding) << ")\n";
  if (!res.driver_ver.empty()) std::cerr << "isodrv: [" << a.section << "] DriverVer=" << res.driver_ver << "\n";
  if (a.x_flag) std::cerr << "isodrv: -x has no documented meaning and was ignored\n";
  for (const auto& e : res.edits) {
    if (!e.inserted) std::cerr << file << ":" << e.line << ": - " << e.old_text << "\n";
    std::cerr << file << ":" << e.line << ": + " << e.new_text << "\n";
  }
}

int run_stamp(const StampArgs& a, Context& ctx) {
  const std::string file = !a.file_opt.empty() ? a.file_opt : a.file_pos;
  if (file.empty()) {
    std::cerr << "isodrv: stamp: give the INF or INX to stamp with -f FILE\n";
    return kExitUsage;
  }
  if (!a.file_opt.empty() && !a.file_pos.empty() && a.file_opt != a.file_pos) {
    std::cerr << "isodrv: stamp: two different files given (-f " << a.file_opt << " and " << a.file_pos << ")\n";
    return kExitUsage;
  }
  auto fail = [&](const Error& e) {
    report_error(ctx, e);
    return ctx.exit_code;
  };

  auto now = now_ms();
  if (!now.ok()) return fail(now.error());
  const bool private_pkg = env("PRIVATE_DRIVER_PACKAGE").has_value();

  stamp::StampOptions o;
  o.path = file;
  o.section = a.section;
  auto date = resolve_date(a, *now, private_pkg);
  if (!date.ok()) return fail(date.error());
  o.date = date.value();
  auto version = resolve_version(a, *now, private_pkg);
  if (!version.ok()) return fail(version.error());
  o.version = version.value();

  std::vector<std::string> warnings;
  if (auto st = set_arch(a, o, warnings); !st) return fail(st.error());
  if (a.catalog_opt->count() > 0) o.catalog = a.catalog;
  else if (private_pkg) o.catalog = "delta.cat";
  if (auto st = set_wdf_versions(a, o); !st) return fail(st.error());

  auto input = read_input(file);
  if (!input.ok()) return fail(input.error());
  const std::string bytes = std::move(*input);

  auto res = stamp::stamp(bytes, o);
  if (!res.ok()) return fail(res.error());

  report_stamped(a, file, *res, warnings);

  if (a.out == "-") {
    std::cout.write(res->bytes.data(), static_cast<std::streamsize>(res->bytes.size()));
    std::cout.flush();
    return ctx.exit_code;
  }
  const std::string target = a.out.empty() ? file : a.out;
  if (target == file && res->bytes == bytes) return ctx.exit_code;  // nothing changed: leave the file alone
  if (auto st = stamp::write_file_atomic(target, res->bytes); !st.ok()) return fail(st.error());
  return ctx.exit_code;
}

}  // namespace

void register_stamp_commands(CLI::App& app, Context& ctx) {
  auto a = std::make_shared<StampArgs>();
  CLI::App* sub = app.add_subcommand("stamp", "Stamp an INF or INX the way stampinf does (tokens, DriverVer, CatalogFile)");
  sub->add_option("-f", a->file_opt, "The INF or INX to stamp (stamped in place unless -o is given)");
  sub->add_option("file", a->file_pos, "The file, as an alternative to -f");
  sub->add_option("-o", a->out, "Write the result here instead (- for standard output)");
  sub->add_option("-s", a->section, "Section that receives DriverVer (default Version)");
  a->date_opt = sub->add_option("-d", a->date, "DriverVer date mm/dd/yyyy, or * for today (default $STAMPINF_DATE, else today)")
                    ->expected(0, 1);
  a->version_opt = sub->add_option("-v", a->version,
                                   "DriverVer version w.x.y.z, or * for the time of day (default $STAMPINF_VERSION, else ntverp.h from -i, else the existing one)")
                       ->expected(0, 1);
  a->arch_opt = sub->add_option("-a", a->arch, "Architecture for $ARCH$: x86, amd64 (x64), arm, arm64, ia64 (default $Platform, else $ARCH$ is removed)")
                    ->expected(0, 1);
  a->catalog_opt = sub->add_option("-c", a->catalog, "CatalogFile to write in [Version]");
  sub->add_option("-k", a->kmdf, "KMDF version major.minor for $KMDFVERSION$ and $KMDFCOINSTALLERVERSION$");
  sub->add_option("-u", a->umdf, "UMDF version major.minor[.service] for $UMDFVERSION$ and $UMDFCOINSTALLERVERSION$");
  sub->add_option("-i", a->include_path, "Folder holding ntverp.h, whose version is used when -v is absent");
  sub->add_flag("-n", a->verbose, "Verbose: show every changed line");
  sub->add_flag("-x", a->x_flag, "Accepted for WDK command lines; it has no documented meaning and is ignored");
  sub->callback([a, &ctx] { ctx.exit_code = combine_exit(ctx.exit_code, run_stamp(*a, ctx)); });
}

}  // namespace isodrv::cli
