// `isodrv reg query|export|import|add|delete`: the emulated registry, with Windows `reg` syntax
// (slash options such as /s /v /ve /t /d /f are read from the raw arguments, not by CLI11).
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "cli/commands.h"
#include "isodrv/store.h"
#include "isodrv/input.h"
#include "isodrv/registry.h"
#include "isodrv/stamp.h"

namespace isodrv::cli {
namespace {

namespace reg = isodrv::registry;

// Arguments after the subcommand: positionals in order, options keyed by lower-case name without
// the '/' or '-' ("/v" and "-v" are the same, as in reg.exe).
struct RegArgs {
  std::vector<std::string> positional;
  std::vector<std::pair<std::string, std::string>> options;  // name, value ("" for flags)

  bool has(std::string_view name) const {
    for (const auto& [n, v] : options) {
      if (n == name) return true;
    }
    return false;
  }
  const std::string* value(std::string_view name) const {
    for (const auto& [n, v] : options) {
      if (n == name) return &v;
    }
    return nullptr;
  }
};

std::string lower(std::string s) {
  for (auto& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 0x20);
  }
  return s;
}

// `with_value` lists the options that take a value; `flags` the ones that do not.
bool parse_args(const std::vector<std::string>& raw, std::initializer_list<std::string_view> with_value,
                std::initializer_list<std::string_view> flags, RegArgs& out, std::string& err) {
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const std::string& a = raw[i];
    bool looks_option = a.size() >= 2 && (a[0] == '/' || a[0] == '-') && a != "-";
    if (!looks_option) {
      out.positional.push_back(a);
      continue;
    }
    std::string name = lower(a.substr(a[0] == '-' && a[1] == '-' ? 2 : 1));
    bool known = false;
    for (auto v : with_value) {
      if (name == v) {
        if (i + 1 >= raw.size()) {
          err = "option " + a + " needs a value";
          return false;
        }
        out.options.emplace_back(name, raw[++i]);
        known = true;
      }
    }
    for (auto f : flags) {
      if (name == f) {
        out.options.emplace_back(name, "");
        known = true;
      }
    }
    if (!known) {
      // "/tmp/x.reg" is a path, not an option: only '-' options must be known.
      if (a[0] == '/' && a.find('/', 1) != std::string::npos) {
        out.positional.push_back(a);
        continue;
      }
      err = "unknown option " + a;
      return false;
    }
  }
  return true;
}

int usage(Context& ctx, const std::string& msg) {
  std::cerr << "isodrv: reg: " << msg << "\n";
  ctx.exit_code = combine_exit(ctx.exit_code, kExitUsage);
  return kExitUsage;
}

// Exit code for a registry error: a key or value that does not exist, or a refused change (a
// predefined key), is 1, as reg.exe's "ERROR: …" exit; bad .reg syntax is 1 (an invalid input file).
int fail(Context& ctx, const Error& e) {
  std::cerr << "isodrv: " << e.to_string() << "\n";
  int code = exit_for(e);
  if (e.code == Errc::not_found || e.code == Errc::access_denied) code = kExitFindings;
  ctx.exit_code = combine_exit(ctx.exit_code, code);
  return code;
}

std::string hex_upper(const std::vector<std::uint8_t>& d) {
  static const char* kHex = "0123456789ABCDEF";
  std::string s;
  for (auto b : d) {
    s += kHex[b >> 4];
    s += kHex[b & 0xF];
  }
  return s;
}

// The data column of `reg query`.
std::string format_data(const reg::Value& v) {
  char buf[32];
  switch (v.type) {
    case reg::kRegSz:
    case reg::kRegExpandSz: {
      auto s = reg::decode_sz(v.data);
      return s ? *s : hex_upper(v.data);
    }
    case reg::kRegMultiSz: {
      auto list = reg::decode_multi_sz(v.data);
      if (!list) return hex_upper(v.data);
      std::string out;
      for (std::size_t i = 0; i < list->size(); ++i) out += (i ? "\\0" : "") + (*list)[i];
      return out;
    }
    case reg::kRegDword:
    case reg::kRegDwordBigEndian:
      if (v.data.size() == 4) {
        const std::uint32_t x = *reg::decode_dword(v);
        std::snprintf(buf, sizeof buf, "0x%x", x);
        return buf;
      }
      return hex_upper(v.data);
    case reg::kRegQword:
      if (v.data.size() == 8) {
        unsigned long long x = 0;
        for (std::size_t i = 8; i-- > 0;) x = (x << 8) | v.data[i];
        std::snprintf(buf, sizeof buf, "0x%llx", x);
        return buf;
      }
      return hex_upper(v.data);
    default:
      return hex_upper(v.data);
  }
}

std::string format_type(std::uint32_t t) {
  auto name = reg::type_name(t);
  if (!name.empty()) return std::string(name);
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%x", t);
  return buf;
}

Status print_one_key(const reg::KeyHandle& key, const std::string* only_value, std::ostream& out) {
  auto values = key.enum_values();
  if (!values) return values.error();
  out << "\n" << key.path() << "\n";
  for (const auto& nv : *values) {
    if (only_value && reg::fold_name(nv.name) != reg::fold_name(*only_value)) continue;
    out << "    " << (nv.name.empty() ? "(Default)" : nv.name) << "    " << format_type(nv.value.type) << "    "
        << format_data(nv.value) << "\n";
  }
  return {};
}

// With /s, depth first with an explicit stack: keys may nest 16,000 levels deep, more than the
// call stack holds as recursion.
Status print_key(const reg::KeyHandle& root, bool recursive, const std::string* only_value, std::ostream& out) {
  std::vector<reg::KeyHandle> pending{root};
  while (!pending.empty()) {
    reg::KeyHandle key = std::move(pending.back());
    pending.pop_back();
    if (auto s = print_one_key(key, only_value, out); !s) return s;
    auto subkeys = key.enum_subkeys();
    if (!subkeys) return subkeys.error();
    if (!recursive) {
      if (!subkeys->empty() && !only_value) out << "\n";
      for (const auto& name : *subkeys) {
        if (!only_value) out << key.path() << "\\" << name << "\n";
      }
      return {};
    }
    const std::size_t base = pending.size();
    for (const auto& name : *subkeys) {
      auto sub = key.open_subkey(name);
      if (!sub) return sub.error();
      pending.push_back(std::move(*sub));
    }
    std::reverse(pending.begin() + static_cast<std::ptrdiff_t>(base), pending.end());
  }
  return {};
}

// Through the store, so that the recovery every store open runs happens before anything is read.
Result<reg::Registry> open_registry(Context& ctx) { return store::open_registry(ctx.store_root()); }

int run_query(Context& ctx, const std::vector<std::string>& raw) {
  RegArgs a;
  std::string err;
  if (!parse_args(raw, {"v"}, {"s", "ve"}, a, err)) return usage(ctx, err);
  if (a.positional.size() != 1) return usage(ctx, "usage: reg query KEY [/v NAME | /ve] [/s]");
  if (auto st = ctx.existing_store(); !st) return fail(ctx, st.error());
  auto r = open_registry(ctx);
  if (!r) return fail(ctx, r.error());
  auto key = r->open_key(a.positional[0]);
  if (!key) return fail(ctx, key.error());
  std::string empty;
  const std::string* only = a.has("ve") ? &empty : a.value("v");
  if (only && !a.has("s")) {
    auto v = key->query_value(*only);
    if (!v) return fail(ctx, v.error());
  }
  // Streamed: a deep tree's listing can be hundreds of megabytes.
  if (auto s = print_key(*key, a.has("s"), only, std::cout); !s) return fail(ctx, s.error());
  return kExitOk;
}

int run_export(Context& ctx, const std::vector<std::string>& raw) {
  RegArgs a;
  std::string err;
  if (!parse_args(raw, {}, {"regedit4", "y"}, a, err)) return usage(ctx, err);
  if (a.positional.size() != 2) return usage(ctx, "usage: reg export KEY FILE|- [--regedit4] [/y]");
  if (auto st = ctx.existing_store(); !st) return fail(ctx, st.error());
  auto r = open_registry(ctx);
  if (!r) return fail(ctx, r.error());
  auto key = r->open_key(a.positional[0]);
  if (!key) return fail(ctx, key.error());
  auto bytes = r->export_reg(*key, a.has("regedit4") ? reg::RegFormat::regedit4 : reg::RegFormat::regedit5);
  if (!bytes) return fail(ctx, bytes.error());
  const std::string& file = a.positional[1];
  if (file == "-") {
    std::cout.write(bytes->data(), static_cast<std::streamsize>(bytes->size()));
    std::cout.flush();
    return kExitOk;
  }
  // Whole or not at all, with the system's reason on failure; a link or device is written through.
  if (auto s = stamp::write_file_atomic(file, *bytes); !s) return fail(ctx, s.error());
  std::cout << "The operation completed successfully.\n";
  return kExitOk;
}

int run_import(Context& ctx, const std::vector<std::string>& raw) {
  RegArgs a;
  std::string err;
  if (!parse_args(raw, {}, {}, a, err)) return usage(ctx, err);
  if (a.positional.size() != 1) return usage(ctx, "usage: reg import FILE|-");
  const std::string& file = a.positional[0];
  auto input = file == "-" ? read_input_fd(0, "<stdin>") : read_input(file);
  if (!input) return fail(ctx, input.error());
  const std::string bytes = std::move(*input);
  auto r = open_registry(ctx);
  if (!r) return fail(ctx, r.error());
  if (auto s = r->import_reg(bytes, file == "-" ? "<stdin>" : file); !s) return fail(ctx, s.error());
  std::cout << "The operation completed successfully.\n";
  return kExitOk;
}

// Data of `reg add /t TYPE /d DATA` in reg.exe's notation.
Result<reg::Value> parse_add_data(std::uint32_t type, const std::string& data, const std::string& sep) {
  auto bad = [&](const std::string& why) { return Error(Errc::invalid_argument, "invalid data '" + data + "': " + why); };
  switch (type) {
    case reg::kRegSz:
    case reg::kRegExpandSz: {
      auto b = reg::encode_sz(data);
      if (!b) return b.error();
      return reg::Value{type, std::move(*b)};
    }
    case reg::kRegMultiSz: {
      std::vector<std::string> parts;
      if (!data.empty()) {
        std::size_t start = 0;
        while (true) {
          std::size_t end = data.find(sep, start);
          parts.push_back(data.substr(start, end == std::string::npos ? std::string::npos : end - start));
          if (end == std::string::npos) break;
          start = end + sep.size();
        }
      }
      auto b = reg::encode_multi_sz(parts);
      if (!b) return b.error();
      return reg::Value{type, std::move(*b)};
    }
    case reg::kRegDword:
    case reg::kRegDwordBigEndian:
    case reg::kRegQword: {
      std::string d = data.empty() ? "0" : data;
      char* end = nullptr;
      errno = 0;
      unsigned long long x = std::strtoull(d.c_str(), &end, 0);
      if (*end != '\0' || errno != 0 || d[0] == '-') return bad("not a number");
      if (type != reg::kRegQword && x > 0xFFFFFFFFULL) return bad("does not fit in 32 bits");
      if (type == reg::kRegDword) return reg::Value{type, reg::encode_dword(static_cast<std::uint32_t>(x))};
      if (type == reg::kRegDwordBigEndian) {
        return reg::Value{type, reg::encode_dword_big_endian(static_cast<std::uint32_t>(x))};
      }
      return reg::Value{type, reg::encode_qword(x)};
    }
    default: {
      if (data.size() % 2 != 0) return bad("hexadecimal data needs an even number of digits");
      std::vector<std::uint8_t> bytes;
      for (std::size_t i = 0; i < data.size(); i += 2) {
        auto hex = [](char c) {
          if (c >= '0' && c <= '9') return c - '0';
          if (c >= 'a' && c <= 'f') return c - 'a' + 10;
          if (c >= 'A' && c <= 'F') return c - 'A' + 10;
          return -1;
        };
        int hi = hex(data[i]), lo = hex(data[i + 1]);
        if (hi < 0 || lo < 0) return bad("not hexadecimal");
        bytes.push_back(static_cast<std::uint8_t>(hi * 16 + lo));
      }
      return reg::Value{type, std::move(bytes)};
    }
  }
}

int run_add(Context& ctx, const std::vector<std::string>& raw) {
  RegArgs a;
  std::string err;
  if (!parse_args(raw, {"v", "t", "d", "s"}, {"ve", "f"}, a, err)) return usage(ctx, err);
  if (a.positional.size() != 1) {
    return usage(ctx, "usage: reg add KEY [/v NAME | /ve] [/t TYPE] [/s SEPARATOR] [/d DATA] [/f]");
  }
  if (a.has("v") && a.has("ve")) return usage(ctx, "/v and /ve cannot be used together");
  std::uint32_t type = reg::kRegSz;
  if (const auto* t = a.value("t"); t && !reg::parse_type_name(*t, type)) {
    return usage(ctx, "unknown type '" + *t + "' (expected REG_SZ, REG_MULTI_SZ, REG_EXPAND_SZ, REG_DWORD, "
                                             "REG_QWORD, REG_BINARY, REG_NONE, REG_DWORD_BIG_ENDIAN, …)");
  }
  std::string sep = a.value("s") ? *a.value("s") : std::string("\\0");
  if (sep.empty()) return usage(ctx, "the /s separator must not be empty");
  auto r = open_registry(ctx);
  if (!r) return fail(ctx, r.error());
  auto key = r->open_key(a.positional[0], registry::Disposition::open_always);
  if (!key) return fail(ctx, key.error());
  if (a.has("v") || a.has("ve") || a.has("d") || a.has("t")) {
    std::string name = a.value("v") ? *a.value("v") : std::string();
    std::string data = a.value("d") ? *a.value("d") : std::string();
    auto v = parse_add_data(type, data, sep);
    if (!v) return usage(ctx, v.error().message);
    if (auto s = key->set_value(name, *v); !s) return fail(ctx, s.error());
  }
  std::cout << "The operation completed successfully.\n";
  return kExitOk;
}

int run_delete(Context& ctx, const std::vector<std::string>& raw) {
  RegArgs a;
  std::string err;
  if (!parse_args(raw, {"v"}, {"ve", "va", "f"}, a, err)) return usage(ctx, err);
  if (a.positional.size() != 1) return usage(ctx, "usage: reg delete KEY [/v NAME | /ve | /va] [/f]");
  auto r = open_registry(ctx);
  if (!r) return fail(ctx, r.error());
  auto key = r->open_key(a.positional[0]);
  if (!key) return fail(ctx, key.error());
  Status s;
  if (a.has("va")) {
    auto values = key->enum_values();
    if (!values) return fail(ctx, values.error());
    auto tx = r->begin();
    if (!tx) return fail(ctx, tx.error());
    for (const auto& nv : *values) {
      if (s = key->delete_value(nv.name); !s) break;
    }
    if (s) s = tx->commit();
  } else if (a.has("v") || a.has("ve")) {
    s = key->delete_value(a.value("v") ? *a.value("v") : std::string());
  } else {
    s = key->delete_tree();
  }
  if (!s) return fail(ctx, s.error());
  std::cout << "The operation completed successfully.\n";
  return kExitOk;
}

}  // namespace

void register_reg_commands(CLI::App& app, Context& ctx) {
  auto* regcmd = app.add_subcommand("reg", "Query and change the emulated registry (Windows reg syntax)");
  regcmd->require_subcommand(1);
  struct Sub {
    const char* name;
    const char* help;
    int (*run)(Context&, const std::vector<std::string>&);
  };
  static const Sub kSubs[] = {
      {"query", "reg query KEY [/v NAME | /ve] [/s]: print a key's values and subkeys", run_query},
      {"export", "reg export KEY FILE|- [--regedit4]: write a .reg file (REGEDIT5, UTF-16LE)", run_export},
      {"import", "reg import FILE|-: apply a .reg file (REGEDIT5 or REGEDIT4) in one transaction", run_import},
      {"add", "reg add KEY [/v NAME | /ve] [/t TYPE] [/s SEP] [/d DATA] [/f]: create a key or set a value", run_add},
      {"delete", "reg delete KEY [/v NAME | /ve | /va] [/f]: delete a key tree or values", run_delete},
  };
  for (const auto& sub : kSubs) {
    auto* c = regcmd->add_subcommand(sub.name, sub.help);
    // reg.exe's slash options are not CLI11 options: take every argument as it is.
    c->prefix_command();
    c->allow_extras();
    // Everything after the subcommand is reg's, global options included (take_global_options).
    c->fallthrough(false);
    auto run = sub.run;
    c->callback([c, run, &ctx] {
      std::vector<std::string> args = c->remaining();
      std::string err;
      if (!take_global_options(ctx, args, err)) {
        ctx.exit_code = combine_exit(ctx.exit_code, usage(ctx, err));
        return;
      }
      ctx.exit_code = combine_exit(ctx.exit_code, run(ctx, args));
    });
  }
}

}  // namespace isodrv::cli
