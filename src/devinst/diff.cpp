// The .reg-style diff a dry run prints: every key created or deleted and every value set or deleted,
// in the order the install (and the uninstall before it) made them, plus file copies as comments.
#include <cstdio>
#include <sstream>

#include "devinst/engine_impl.h"

namespace isodrv::devinst::detail {
namespace {

std::string reg_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\\' || c == '"') out += '\\';
    out += c;
  }
  return out;
}

std::string hex_bytes(const std::vector<std::uint8_t>& d) {
  std::string out;
  char buf[4];
  for (std::size_t i = 0; i < d.size(); ++i) {
    std::snprintf(buf, sizeof buf, "%02x", d[i]);
    if (i) out += ',';
    out += buf;
  }
  return out;
}

std::string render_value(const registry::Value& v) {
  char buf[32];
  switch (v.type) {
    case registry::kRegSz:
      if (auto s = registry::decode_sz(v.data)) return "\"" + reg_escape(*s) + "\"";
      break;
    case registry::kRegDword:
      if (v.data.size() == 4) {
        const std::uint32_t n = *registry::decode_dword(v);
        std::snprintf(buf, sizeof buf, "dword:%08x", n);
        return buf;
      }
      break;
    case registry::kRegBinary: return "hex:" + hex_bytes(v.data);
    default: break;
  }
  std::snprintf(buf, sizeof buf, "hex(%x):", v.type);
  return buf + hex_bytes(v.data);
}

}  // namespace

std::string render_diff(const std::vector<Diff>& diffs) {
  std::ostringstream out;
  out << "Windows Registry Editor Version 5.00\r\n";
  std::string current;
  for (const auto& d : diffs) {
    switch (d.kind) {
      case Diff::add_key:
        out << "\r\n[" << d.key << "]\r\n";
        current = d.key;
        break;
      case Diff::delete_key:
        out << "\r\n[-" << d.key << "]\r\n";
        current.clear();
        break;
      case Diff::set_value:
      case Diff::delete_value:
        if (current != d.key) {
          out << "\r\n[" << d.key << "]\r\n";
          current = d.key;
        }
        out << (d.name.empty() ? std::string("@") : "\"" + reg_escape(d.name) + "\"") << "="
            << (d.kind == Diff::delete_value ? std::string("-") : render_value(d.value)) << "\r\n";
        break;
      case Diff::copy_file:
        out << "\r\n; file: " << d.key << " -> " << d.name << "\r\n";
        current.clear();
        break;
    }
  }
  return out.str();
}

}  // namespace isodrv::devinst::detail
