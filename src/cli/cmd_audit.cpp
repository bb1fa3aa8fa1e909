// `isodrv audit show|clear [--json]`: the isolation violations libisodrv recorded in the store
// (opens by absolute path, writes outside a driver's own state), with the state API to use instead.
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

#include "cli/commands.h"
#include "isodrv/store.h"
#include "isodrv/audit.h"
#include "isodrv/registry.h"

namespace isodrv::cli {
namespace {

struct AuditArgs {
  bool json = false;
};

std::string hex(std::uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

// A store that was never created has no records; reading must not create it.
Result<std::optional<registry::Registry>> open_existing(const Context& ctx) {
  std::string root = ctx.store_root();
  std::error_code ec;
  if (!std::filesystem::exists(std::filesystem::path(root) / "registry.db", ec)) {
    return std::optional<registry::Registry>();
  }
  auto reg = store::open_registry(root);
  if (!reg) return reg.error();
  return std::optional<registry::Registry>(std::move(*reg));
}

nlohmann::json record_json(const audit::Record& r) {
  return {{"id", r.id},
          {"time", r.time},
          {"subject", r.subject},
          {"call", r.call},
          {"path", r.path},
          {"alternative", r.alternative},
          {"kind", std::string(audit::kind_name(r.kind))},
          {"outcome", r.denied ? "denied" : "allowed"},
          {"return_address", hex(r.return_address)}};
}

int show(Context& ctx, const AuditArgs& a) {
  auto reg = open_existing(ctx);
  if (!reg) return report_error(ctx, reg.error()), ctx.exit_code;
  std::vector<audit::Record> records;
  if (*reg) {
    auto l = audit::list(**reg);
    if (!l) return report_error(ctx, l.error()), ctx.exit_code;
    records = std::move(*l);
  }
  if (a.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& r : records) out.push_back(record_json(r));
    std::cout << out.dump(2) << "\n";
    return kExitOk;
  }
  for (const auto& r : records) {
    std::cout << "#" << r.id << " " << r.time << " " << r.subject << ": " << r.call << " " << r.path << " ("
              << audit::kind_name(r.kind) << ", " << (r.denied ? "denied" : "allowed") << ", caller "
              << hex(r.return_address) << ")\n    " << r.alternative << "\n";
  }
  if (records.empty()) std::cout << "no isolation violations recorded\n";
  return kExitOk;
}

int clear(Context& ctx, const AuditArgs& a) {
  auto reg = open_existing(ctx);
  if (!reg) return report_error(ctx, reg.error()), ctx.exit_code;
  std::size_t n = 0;
  if (*reg) {
    auto c = audit::clear(**reg);
    if (!c) return report_error(ctx, c.error()), ctx.exit_code;
    n = *c;
  }
  if (a.json) {
    std::cout << nlohmann::json{{"cleared", n}}.dump() << "\n";
  } else {
    std::cout << "cleared " << n << " record" << (n == 1 ? "" : "s") << "\n";
  }
  return kExitOk;
}

}  // namespace

void register_audit_commands(CLI::App& app, Context& ctx) {
  auto a = std::make_shared<AuditArgs>();
  auto* audit = app.add_subcommand("audit", "Isolation violations recorded by libisodrv (absolute paths, foreign writes)");
  audit->require_subcommand(1);
  auto* sh = audit->add_subcommand("show", "List the recorded violations with the state API to use instead");
  sh->add_flag("--json", a->json, "Print a JSON array");
  sh->callback([a, &ctx] { ctx.exit_code = combine_exit(ctx.exit_code, show(ctx, *a)); });
  auto* cl = audit->add_subcommand("clear", "Delete the recorded violations");
  cl->add_flag("--json", a->json, "Print {\"cleared\": N}");
  cl->callback([a, &ctx] { ctx.exit_code = combine_exit(ctx.exit_code, clear(ctx, *a)); });
}

}  // namespace isodrv::cli
