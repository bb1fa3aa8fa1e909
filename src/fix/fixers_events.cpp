// ETW registration written with HKLM AddReg under WINEVT\Publishers\{GUID} and WINEVT\Channels\<name>
// (1320, 1321) becomes what an isolated package declares instead: an AddEventProvider directive in
// each installing DDInstall's .Events section, naming a provider section (ProviderName,
// ResourceFile, MessageFile, ParameterFile, AddChannel) and one section per channel (Type, Enabled,
// Isolation, Access, Value). Windows then registers the provider at install and removes it with the
// package. Only a registration whose every value has a known INF equivalent is rewritten.
#include <algorithm>
#include <map>

#include "fix/fixers.h"

namespace isodrv::fix::detail {
namespace {

constexpr std::string_view kWinevt = "SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\WINEVT\\";
constexpr const char* kEtwApi =
    "none for the provider itself: EtwRegister / TraceLoggingRegister with the same provider GUID; Windows registers "
    "the provider and its channels from [DDInstall.Events] (Windows 10 1809 and later)";

bool starts_with_ci(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && inf::iequals(s.substr(0, prefix.size()), prefix);
}

// The path below WINEVT\ of an HKLM AddReg entry, or nullopt.
std::optional<std::string> winevt_path(const package::RegOp& op) {
  if (op.root != "HKLM" || op.kind != package::RegOpKind::add || !starts_with_ci(op.subkey, kWinevt)) return std::nullopt;
  return std::string(op.subkey.substr(kWinevt.size()));
}

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out;
  std::size_t at = 0;
  for (std::size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == sep) {
      out.emplace_back(s.substr(at, i - at));
      at = i + 1;
    }
  }
  return out;
}

bool is_guid(std::string_view g) {
  if (g.size() != 38 || g.front() != '{' || g.back() != '}') return false;
  for (std::size_t i = 1; i < 37; ++i) {
    const bool dash = i == 9 || i == 14 || i == 19 || i == 24;
    if (dash ? g[i] != '-' : !std::isxdigit(static_cast<unsigned char>(g[i]))) return false;
  }
  return true;
}

struct Channel {
  std::string name;
  std::map<std::string, std::string> values;  // lower-case value name -> data
};

// One provider's registration as the AddReg entries wrote it.
struct Provider {
  std::string guid;
  std::map<std::string, std::string> values;           // of Publishers\{GUID}: lower-case name -> data
  std::map<std::string, std::map<std::string, std::string>> references;  // ChannelReferences\<n>
  std::vector<Channel> channels;
  std::vector<const package::RegOp*> ops;               // every entry of the registration
};

std::string lower(std::string s) { return inf::to_lower_ascii(s); }

std::string data_of(const package::RegOp& op) { return std::string(op.data.empty() ? std::string_view() : op.data[0]); }

// The provider that owns `op` (a publisher entry, or a channel entry through OwningPublisher) with
// all of its entries; nullopt with `reason` set when it cannot be told.
std::optional<Provider> provider_of(const package::Package& pkg, const package::RegOp& op, std::string& reason) {
  const auto parts = split(*winevt_path(op), '\\');
  std::string guid;
  if (parts.size() >= 2 && inf::iequals(parts[0], "Publishers")) {
    guid = parts[1];
  } else if (parts.size() == 2 && inf::iequals(parts[0], "Channels")) {
    for (const auto& r : pkg.regs) {
      auto p = winevt_path(r);
      if (p && inf::iequals(*p, "Channels\\" + parts[1]) && r.value_name && inf::iequals(*r.value_name, "OwningPublisher")) {
        guid = data_of(r);
      }
    }
  }
  if (!is_guid(guid)) {
    reason = "the ETW provider GUID is not known from the INF (no WINEVT\\Publishers\\{GUID} key or OwningPublisher value)";
    return std::nullopt;
  }
  Provider out;
  out.guid = guid;
  std::vector<std::string> channel_names;
  for (const auto& r : pkg.regs) {
    auto p = winevt_path(r);
    if (!p) continue;
    const auto ps = split(*p, '\\');
    const std::string value = lower(std::string(r.value_name.value_or("")));
    if (ps.size() >= 2 && inf::iequals(ps[0], "Publishers") && inf::iequals(ps[1], guid)) {
      if (std::find(out.ops.begin(), out.ops.end(), &r) == out.ops.end()) out.ops.push_back(&r);
      if (ps.size() == 2) out.values[value] = data_of(r);
      else if (ps.size() == 4 && inf::iequals(ps[2], "ChannelReferences")) out.references[ps[3]][value] = data_of(r);
      else if (!(ps.size() == 3 && inf::iequals(ps[2], "ChannelReferences") && value == "count")) out.values["?" + *p] = "";
    }
  }
  for (const auto& [n, ref] : out.references) {
    auto it = ref.find("");
    if (it != ref.end()) channel_names.push_back(it->second);
  }
  for (const auto& r : pkg.regs) {
    auto p = winevt_path(r);
    if (!p) continue;
    const auto ps = split(*p, '\\');
    if (ps.size() != 2 || !inf::iequals(ps[0], "Channels")) continue;
    if (std::none_of(channel_names.begin(), channel_names.end(), [&](const std::string& n) { return inf::iequals(n, ps[1]); })) continue;
    auto ch = std::find_if(out.channels.begin(), out.channels.end(), [&](const Channel& c) { return inf::iequals(c.name, ps[1]); });
    if (ch == out.channels.end()) ch = out.channels.insert(out.channels.end(), Channel{ps[1], {}});
    ch->values[lower(std::string(r.value_name.value_or("")))] = data_of(r);
    if (std::find(out.ops.begin(), out.ops.end(), &r) == out.ops.end()) out.ops.push_back(&r);
  }
  return out;
}

// A path value as AddEventProvider wants it, %dirid%\file: a file the package copies to the driver
// store names its place there; a Windows folder becomes its DIRID. "" when the file still has to
// move (the fix of 1322 moves it first) or the path has no DIRID form.
std::string dirid_path(const FixContext& c, const std::string& path, bool& wait) {
  std::string p = path;
  for (std::string_view root : {"%SystemRoot%\\", "\\SystemRoot\\", "%windir%\\"}) {
    if (starts_with_ci(p, root)) p = "C:\\Windows\\" + p.substr(root.size());
  }
  if (p.size() > 1 && p[0] == '%' && p.find("%\\") != std::string::npos) return p;  // already %dirid%\…
  const std::string name = p.substr(p.rfind('\\') == std::string::npos ? 0 : p.rfind('\\') + 1);
  for (const auto& cp : c.pkg.copies) {
    if (!inf::iequals(cp.dest_name, name) || !cp.has_destination) continue;
    if (cp.dirid == 13) return "%13%\\" + (cp.dest_subdir.empty() ? "" : std::string(cp.dest_subdir) + "\\") + std::string(cp.dest_name);
    if (cp.dirid == 10 || cp.dirid == 11 || cp.dirid == 12) wait = true;
    return "";
  }
  for (auto [folder, dirid] : {std::pair{"C:\\Windows\\System32\\drivers\\", "%12%\\"}, {"C:\\Windows\\System32\\", "%11%\\"},
                               {"C:\\Windows\\", "%10%\\"}}) {
    if (starts_with_ci(p, folder)) return dirid + p.substr(std::string_view(folder).size());
  }
  return "";
}

std::optional<std::uint32_t> number(const std::string& s) { return inf::parse_u32(s); }

std::string quoted(const std::string& s) { return s.find_first_of(" ,;\t=") == std::string::npos ? s : "\"" + s + "\""; }

// A section name made from the provider name: letters, digits and . _ - kept.
std::string section_stem(std::string_view name) {
  std::string out;
  for (char ch : name) out += std::isalnum(static_cast<unsigned char>(ch)) || ch == '.' || ch == '_' || ch == '-' ? ch : '_';
  return out;
}

// The provider and channel sections, or nullopt with `reason`.
std::optional<std::vector<std::string>> provider_sections(const FixContext& c, const Provider& p, const std::string& stem,
                                                          bool& wait, std::string& reason) {
  std::vector<std::string> head{"[" + stem + "]"}, tail;
  static constexpr std::pair<std::string_view, std::string_view> kFiles[] = {
      {"resourcefilename", "ResourceFile"}, {"messagefilename", "MessageFile"}, {"parameterfilename", "ParameterFile"}};
  for (const auto& value : p.values) {
    // Named copies of the binding: clang 14 (Debian 12's, the fuzz build) cannot capture a structured binding.
    const std::string& name = value.first;
    const std::string& data = value.second;
    if (name == "enabled" && number(data).value_or(0) != 1) return reason = "the provider is registered disabled", std::nullopt;
    const bool known = name.empty() || name == "enabled" ||
                       std::any_of(std::begin(kFiles), std::end(kFiles), [&](const auto& f) { return f.first == name; });
    if (!known) return reason = "the provider's value '" + name + "' has no AddEventProvider equivalent", std::nullopt;
  }
  if (!p.values.count("") || p.values.at("").empty()) return reason = "the provider has no name (the key's default value)", std::nullopt;
  if (!p.values.count("resourcefilename")) return reason = "the provider has no ResourceFileName", std::nullopt;
  head.push_back("ProviderName = " + quoted(p.values.at("")));
  for (const auto& [name, key] : kFiles) {
    auto it = p.values.find(std::string(name));
    if (it == p.values.end()) continue;
    const std::string path = dirid_path(c, it->second, wait);
    if (path.empty()) return reason = "the provider's " + std::string(key) + " " + it->second + " has no %dirid% form", std::nullopt;
    head.push_back(std::string(key) + " = " + path);
  }
  std::size_t n = 0;
  for (const auto& [index, ref] : p.references) {
    const auto ref_name = ref.find("");
    const auto flags = ref.find("flags");
    if (ref_name == ref.end() || (flags != ref.end() && number(flags->second).value_or(1) != 0)) {
      return reason = "channel reference " + index + " is imported or unnamed", std::nullopt;
    }
    auto ch = std::find_if(p.channels.begin(), p.channels.end(), [&](const Channel& x) { return inf::iequals(x.name, ref_name->second); });
    if (ch == p.channels.end()) return reason = "channel " + ref_name->second + " is not registered by this INF", std::nullopt;
    // WINEVT stores the type and isolation 0-based, AddChannel and Isolation= count from 1.
    auto type = ch->values.count("type") ? number(ch->values.at("type")) : std::optional<std::uint32_t>(1);
    if (!type || *type > 3) return reason = "channel " + ch->name + " has a type AddChannel cannot express", std::nullopt;
    const std::string section = stem + ".Channel" + std::to_string(++n);
    head.push_back("AddChannel = " + quoted(ch->name) + "," + std::to_string(*type + 1) + "," + section);
    tail.push_back("");
    tail.push_back("[" + section + "]");
    for (const auto& [name, data] : ch->values) {
      if (name == "owningpublisher" || name == "type") continue;
      if (name == "enabled" || name == "isolation") {
        auto v = number(data);
        if (!v || *v > (name == "enabled" ? 1u : 2u)) return reason = "channel " + ch->name + "'s " + name + " is not a known value", std::nullopt;
        tail.push_back(name == "enabled" ? "Enabled = " + std::to_string(*v) : "Isolation = " + std::to_string(*v + 1));
      } else if (name == "channelaccess") {
        tail.push_back("Access = \"" + data + "\"");
      } else {
        return reason = "channel " + ch->name + "'s value '" + name + "' has no AddChannel equivalent", std::nullopt;
      }
    }
    if (auto id = ref.find("id"); id != ref.end()) {
      auto v = number(id->second);
      if (!v) return reason = "channel " + ch->name + "'s Id is not a number", std::nullopt;
      tail.push_back("Value = " + std::to_string(*v));
    }
  }
  if (n != p.channels.size()) return reason = "a channel is registered without a reference from the provider", std::nullopt;
  head.insert(head.end(), tail.begin(), tail.end());
  return head;
}

// The DDInstall sections (by name) that install the entries.
// A service-install section is reached from every DDInstall whose .Services adds the service.
std::vector<std::string> installing_roots(const package::Package& pkg, const Provider& p) {
  std::vector<std::string> out;
  auto add = [&](std::size_t context) {
    const auto& root = pkg.sections[pkg.sections[context].root];
    if (root.role != package::SectionRole::ddinstall && root.role != package::SectionRole::default_install) return;
    if (std::none_of(out.begin(), out.end(), [&](const std::string& n) { return inf::iequals(n, root.name); })) out.emplace_back(root.name);
  };
  for (const auto& r : pkg.regs) {
    if (std::none_of(p.ops.begin(), p.ops.end(), [&](const package::RegOp* o) { return o->line.line() == r.line.line(); })) continue;
    add(r.context);
    const auto& sec = pkg.sections[r.context];
    if (sec.role != package::SectionRole::service_install) continue;
    for (const auto& svc : pkg.services) {
      if (inf::iequals(svc.install_section, sec.name)) add(svc.context);
    }
  }
  return out;
}

}  // namespace

bool is_etw_registration(const package::RegOp& op) { return winevt_path(op).has_value(); }

void fix_etw_registration(FixContext& c, diag::Diagnostic& d, const package::RegOp& op) {
  std::string reason;
  auto p = provider_of(c.pkg, op, reason);
  if (!p) return no_fix(d, reason);
  const auto roots = installing_roots(c.pkg, *p);
  if (roots.empty()) return no_fix(d, "no DDInstall section installs this ETW registration, so there is no .Events section to declare it in");
  const std::string stem = section_stem(p->values.count("") ? p->values.at("") : p->guid) + ".EventProvider";
  if (c.doc.has_section(stem)) return no_fix(d, "[" + stem + "] exists already");
  bool wait = false;
  auto lines = provider_sections(c, *p, stem, wait, reason);
  if (wait) return;  // a file it names moves to the driver store first (1322)
  if (!lines) return no_fix(d, reason);
  std::vector<std::string> appended;
  for (const auto& root : roots) {
    const std::string events = root + ".Events";
    const std::string directive = "AddEventProvider = " + p->guid + "," + stem;
    if (auto s = c.doc.section(events)) {
      d.fix->edits.push_back(c.src.insert_after(last_line_of(*s), {directive}));
    } else {
      appended.push_back("[" + events + "]");
      appended.push_back(directive);
      appended.push_back("");
    }
  }
  appended.insert(appended.end(), lines->begin(), lines->end());
  std::vector<std::uint32_t> deleted;
  for (const auto* o : p->ops) {
    if (std::find(deleted.begin(), deleted.end(), o->line.line()) != deleted.end()) continue;
    deleted.push_back(o->line.line());
    d.fix->edits.push_back(c.src.delete_line(o->line.line()));
  }
  d.fix->edits.push_back(c.src.append(appended));
  d.fix->description = "ETW provider " + p->guid + " declared with AddEventProvider in [" + roots[0] + ".Events]" +
                       (roots.size() > 1 ? " and " + std::to_string(roots.size() - 1) + " more" : "") + " ([" + stem + "])";
  const std::string key = "HKLM\\" + std::string(op.subkey) +
                          (op.value_name ? " : " + std::string(op.value_name->empty() ? "(default)" : *op.value_name) : "");
  d.fix->migrations.push_back({"event-provider", kEtwApi, key, "[" + roots[0] + ".Events] AddEventProvider = " + p->guid + " ([" + stem + "])",
                               d.line, c.src.text(d.line)});
}

}  // namespace isodrv::fix::detail
