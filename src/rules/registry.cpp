// Rule family "registry": AddReg/DelReg/BitReg entries — roots (HKR isolation, global keys), flag
// and type encoding, well-known value types, paths stored as data, and conflicting values.
#include <algorithm>
#include <map>
#include <set>

#include "isodrv/dirids.h"
#include "base/text.h"
#include "isodrv/reg_types.h"
#include "isodrv/registry_layout.h"
#include "isodrv/registry_roots.h"
#include "rules/families.h"
#include "rules/util.h"

namespace isodrv::rules {
namespace {

using package::HkrBinding;
using package::RegOp;
using package::RegOpKind;
namespace addreg = package::addreg;

constexpr std::size_t kNone = static_cast<std::size_t>(-1);

using registry::kRegBinary;
using registry::kRegDword;
using registry::kRegExpandSz;
using registry::kRegMultiSz;
using registry::kRegNone;
using registry::kRegQword;
using registry::kRegSz;

// ---------------------------------------------------------------------------------------------
// Registry paths: one spelling for every comparison below.
// ---------------------------------------------------------------------------------------------

// Trims blanks, drops leading/trailing and doubled backslashes: "\Software\\X\" -> "Software\X".
std::string normalize_key(std::string_view s) {
  // The usual key has no doubled or leading separator and no leading blank: only trailing ones to
  // drop, without building the result a character at a time (every registry rule asks for it).
  if (s.empty() || (s.front() != '\\' && s.front() != ' ' && s.front() != '\t' &&
                    s.find("\\\\") == std::string_view::npos)) {
    while (!s.empty() && (s.back() == '\\' || s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return std::string(s);
  }
  std::string out;
  for (char c : s) {
    if (c == '\\' && (out.empty() || out.back() == '\\')) continue;
    out.push_back(c);
  }
  while (!out.empty() && (out.back() == '\\' || out.back() == ' ' || out.back() == '\t')) out.pop_back();
  std::size_t b = 0;
  while (b < out.size() && (out[b] == ' ' || out[b] == '\t')) ++b;
  out.erase(0, b);
  while (!out.empty() && out.front() == '\\') out.erase(0, 1);
  return out;
}

// normalize_key without a copy in the usual case (no leading separator or blank, no doubled
// separator): a view of `s`; otherwise the normalized text, kept in `scratch`.
std::string_view normalized_view(std::string_view s, std::string& scratch) {
  if (s.empty() || (s.front() != '\\' && s.front() != ' ' && s.front() != '\t' &&
                    s.find("\\\\") == std::string_view::npos)) {
    while (!s.empty() && (s.back() == '\\' || s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
  }
  scratch = normalize_key(s);
  return scratch;
}

// Whether `key` is `prefix` or lies below it (case-insensitive, whole path components).
bool key_under(std::string_view key, std::string_view prefix) {
  if (key.size() < prefix.size()) return false;
  // The prefixes share long beginnings (SYSTEM\CurrentControlSet\…): their last byte first, a
  // cheap "no" before the comparison from the front.
  if (!prefix.empty() && !rules::iequals(key.substr(prefix.size() - 1, 1), prefix.substr(prefix.size() - 1))) return false;
  if (!rules::iequals(key.substr(0, prefix.size()), prefix)) return false;
  return key.size() == prefix.size() || key[prefix.size()] == '\\';
}

bool is_known_root(std::string_view r) {
  return r == registry_roots::kRelativeRoot || registry_roots::is_inf_absolute_root(r);
}

// "HKLM\Software\X" for an absolute entry whose normalized subkey is `sub`.
std::string absolute_key(const RegOp& op, std::string_view sub) {
  std::string out;
  out.reserve(op.root.size() + 1 + sub.size());
  out.append(op.root);
  if (!sub.empty()) out.append("\\").append(sub);
  return out;
}

std::string absolute_key(const RegOp& op) {
  std::string scratch;
  return absolute_key(op, normalized_view(op.subkey, scratch));  // a copy only when it must change
}

bool has_flag(const RegOp& op, std::uint32_t bit) { return op.flags && (*op.flags & bit) != 0; }

// Whether the entry writes a key rather than a value: KEYONLY, a DelReg without value name, or
// an AddReg with neither value name nor data.
bool is_key_operation(const RegOp& op) {
  const bool named = op.value_name && !op.value_name->empty();
  switch (op.kind) {
    case RegOpKind::add:
      if (has_flag(op, addreg::kKeyOnly) || has_flag(op, addreg::kKeyOnlyCommon)) return true;
      return !named && op.data.empty();
    case RegOpKind::del: return !named;
    case RegOpKind::bit: return false;
  }
  return false;
}

// An AddReg that stores a value (not a key creation or a deletion).
bool writes_value(const RegOp& op) {
  if (op.kind != RegOpKind::add || !op.flags) return false;
  if (has_flag(op, addreg::kKeyOnly) || has_flag(op, addreg::kKeyOnlyCommon) || has_flag(op, addreg::kDelVal)) {
    return false;
  }
  return !has_flag(op, addreg::kDelRegBit);
}

std::uint32_t type_word(std::uint32_t flags) { return flags & addreg::kTypeMask; }

// Field index of the op's i-th field (0 = root) on its line, for caret positions.
std::size_t field_of(const RegOp& op, std::size_t i) {
  if (!op.line.has_key()) return i;
  return i == 0 ? kNone : i - 1;
}

// A registry_layout path below HKLM as an AddReg line names it: root HKLM, the rest as the subkey.
constexpr std::string_view below_hklm(std::string_view path) { return path.substr(std::string_view("HKLM\\").size()); }

constexpr std::string_view kCurrentControlSet = below_hklm(registry_layout::kCurrentControlSet);

// HKLM subkeys that the /h (WHQL signature) mode still accepts outside HKR, as of the April 2024
// list in infverif_h (universal-and-isolation-rules.md §4.1); matched as path prefixes.
constexpr std::string_view kSignatureHklmExceptions[] = {
    kCurrentControlSet,
    "SOFTWARE\\Classes",
    "SOFTWARE\\Khronos",
    "SOFTWARE\\Microsoft\\Analog\\Providers",
    "SOFTWARE\\Microsoft\\Cellular\\MVSettings\\DeviceSpecific\\CellUX",
    "SOFTWARE\\Microsoft\\Cryptography\\Calais\\Readers",
    "SOFTWARE\\Microsoft\\Cryptography\\Calais\\SmartCards",
    "SOFTWARE\\Microsoft\\Cryptography\\DRM_RNG",
    "SOFTWARE\\Microsoft\\EAPOL",
    "SOFTWARE\\Microsoft\\Palm\\DelayManipulationDuration",
    "SOFTWARE\\Microsoft\\Shell\\OEM\\QuickActions\\ColorProfileQuickAction",
    "SOFTWARE\\Microsoft\\Speech_OneCore\\AudioInput",
    "SOFTWARE\\Microsoft\\Windows Media Foundation",
    "SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\AdaptiveDisplayBrightness",
    "SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\drivers.desc",
    "SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Drivers32",
    "SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\ICM",
    "SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\OpenGlDrivers",
    "SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Winlogon\\Notify\\ScCertProp",
    "SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\App Paths",
    "SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Audio",
    "SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Authentication",
    "SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Control Panel",
    "SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Controls Folder",
    "SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Explorer",
    "SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Reliability\\UserDefined",
    "SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run",
    "SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\RunOnce",
    "SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall",
    "SOFTWARE\\Wow6432Node\\Microsoft\\Windows Media Foundation",
    "SOFTWARE\\Wow6432Node\\Khronos",
    "SOFTWARE\\WowAA32Node\\Microsoft\\Windows Media Foundation",
    "SOFTWARE\\WowAA32Node\\Khronos",
};

// `key` is the entry's normalized subkey, here and in the checks below that take one.
bool signature_mode_exception(const RegOp& op, std::string_view key) {
  if (op.root == "HKCR") return true;
  if (op.root != "HKLM") return false;
  return std::any_of(std::begin(kSignatureHklmExceptions), std::end(kSignatureHklmExceptions),
                     [&](std::string_view p) { return key_under(key, p); });
}

// Absolute keys a universal INF may still write (universal-and-isolation-rules.md §2.3, §4.1): COM
// registration, the hardware Media Foundation keys, and HKLM\SYSTEM\CurrentControlSet, which the
// wording of 1222 tolerates (a CI-validated universal sample writes Control\MPDEV there).
constexpr std::string_view kUniversalHklmExceptions[] = {
    "SOFTWARE\\Classes",
    "SOFTWARE\\Microsoft\\Windows Media Foundation",
    "SOFTWARE\\WOW6432Node\\Microsoft\\Windows Media Foundation",
    "SOFTWARE\\WOW3232Node\\Microsoft\\Windows Media Foundation",
    "SOFTWARE\\WowAA32Node\\Microsoft\\Windows Media Foundation",
    kCurrentControlSet,
};

bool universal_exception(const RegOp& op, std::string_view key) {
  if (op.root == "HKCR") return true;
  if (op.root != "HKLM") return false;
  return std::any_of(std::begin(kUniversalHklmExceptions), std::end(kUniversalHklmExceptions),
                     [&](std::string_view p) { return key_under(key, p); });
}

constexpr std::string_view kClassKey = below_hklm(registry_layout::kClassKey);

// Subtrees of CurrentControlSet that belong to PnP and the class installers: an INF reaches them
// only through HKR of the right section, never by path (registry-layout.md §1).
const std::string kPnpOwnedKeys[] = {
    std::string(below_hklm(registry_layout::kEnumKey)),
    std::string(kClassKey),
    std::string(below_hklm(registry_layout::kDeviceClassesKey)),
    std::string(kCurrentControlSet) + "\\Control\\CriticalDeviceDatabase",
    std::string(kCurrentControlSet) + "\\Hardware Profiles",
};

// HKLM\SYSTEM\CurrentControlSet\Control\Class\{guid} itself: a setup class's key, by path.
bool is_class_key(const RegOp& op) {
  if (op.root != "HKLM") return false;
  std::string scratch;
  const std::string_view key = normalized_view(op.subkey, scratch);
  if (!key_under(key, kClassKey) || key.size() <= kClassKey.size() + 1) return false;
  return key.find('\\', kClassKey.size() + 1) == std::string_view::npos;
}


// ---------------------------------------------------------------------------------------------
// Roots: HKR isolation (1320, 1321, 2660, 1323), universal roots (1304), forbidden keys (1222,
// 1223) and unknown roots (1224).
// ---------------------------------------------------------------------------------------------

void check_isolation(Context& ctx, const RegOp& op, std::string_view sub) {
  if (op.root == "HKR" || !is_known_root(op.root)) return;
  const bool skip_h = ctx.mode() == diag::Mode::h && signature_mode_exception(op, sub);
  const bool hkcr = op.root == "HKCR" && ctx.mode() != diag::Mode::h;
  std::string key = absolute_key(op, sub);
  if (!skip_h) {
    // The key moves into the finding, unless 2660 below needs it as well.
    std::string arg = hkcr ? key : std::move(key);
    if (is_key_operation(op)) {
      ctx.report_once<Rule::r1320>(op.line, {std::move(arg)}, field_of(op, 0));
    } else {
      ctx.report_once<Rule::r1321>(op.line, {op.value_name.value_or(std::string()), std::move(arg)}, field_of(op, 0));
    }
  }
  if (hkcr) ctx.report_once<Rule::r2660>(op.line, {std::move(key)}, field_of(op, 0));
}

void check_universal_root(Context& ctx, const RegOp& op, std::string_view key) {
  if (op.root == "HKR" || !is_known_root(op.root) || universal_exception(op, key)) return;
  ctx.report_once<Rule::r1304>(op.line, {absolute_key(op, key)}, field_of(op, 0));
}

void check_global_keys(Context& ctx, const RegOp& op, std::string_view key) {
  if (op.root != "HKLM") return;
  // Below HKLM\SYSTEM only CurrentControlSet is a stable name; ControlSet00n, Select, Setup … are
  // the machine's own bookkeeping.
  if (key_under(key, "SYSTEM") && !rules::iequals(key, "SYSTEM") && !key_under(key, kCurrentControlSet)) {
    ctx.report_once<Rule::r1222>(op.line, {absolute_key(op, key)}, field_of(op, 1));
    return;
  }
  for (const std::string& p : kPnpOwnedKeys) {
    if (key_under(key, p)) {
      ctx.report_once<Rule::r1223>(op.line, {absolute_key(op, key), "it belongs to Plug and Play; use HKR in the matching install section"},
             field_of(op, 1));
      return;
    }
  }
  // Services\<name> of a service this INF does not install (EventLog registrations excepted).
  const std::string_view services = below_hklm(registry_layout::kServicesKey);
  if (key_under(key, services) && key.size() > services.size()) {
    const std::string_view rest = key.substr(services.size() + 1);
    const std::string_view name = rest.substr(0, rest.find('\\'));
    if (rules::iequals(name, "EventLog")) return;
    for (const auto& svc : ctx.pkg().services) {
      if (rules::iequals(svc.name, name)) return;
    }
    ctx.report_once<Rule::r1223>(op.line, {absolute_key(op, key), "it belongs to service " + std::string(name) + ", which this INF does not install"},
           field_of(op, 1));
  }
}

void check_root(Context& ctx, const RegOp& op) {
  if (op.line.field_count() == 0 && !op.line.has_key()) return;
  if (!is_known_root(op.root)) ctx.report_once<Rule::r1224>(op.line, {op.root}, field_of(op, 0));
}

// HKR of a service-install section is Services\<name>; an isolated driver keeps its state below
// Parameters, which it reads with IoOpenDriverRegistryKey.
void check_service_hkr(Context& ctx, const RegOp& op, std::string_view key) {
  if (op.root != "HKR" || op.binding != HkrBinding::service_key) return;
  if (key_under(key, "Parameters")) return;
  const std::string svc(ctx.pkg().sections[op.context].service);
  ctx.report_once<Rule::r1323>(op.line, {key.empty() ? std::string("(the service key itself)") : std::string(key), svc}, field_of(op, 1));
}

// ---------------------------------------------------------------------------------------------
// Flags, types and data encoding (1262–1268, 1305).
// ---------------------------------------------------------------------------------------------

bool unresolved(std::string_view s) { return s.find('%') != std::string_view::npos; }

bool is_hex_digit(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

using base::trim;

void check_encoding(Context& ctx, const RegOp& op) {
  // An unparsable flags field leaves the value type unknown.
  if (!op.flags) {
    if (!unresolved(op.flags_text)) ctx.report_once<Rule::r1268>(op.line, {op.flags_text, "flags", "32"}, field_of(op, 3));
    return;
  }
  const std::uint32_t flags = *op.flags;
  if (op.kind == RegOpKind::bit) {
    if (!op.data.empty()) {
      const std::string mask = trim(op.data[0]);
      auto n = inf::parse_bit_mask(mask);
      if (n && *n > 0xFF) ctx.report_once<Rule::r1262>(op.line, {mask}, field_of(op, 4));
      else if (!n && !mask.empty() && !unresolved(mask)) ctx.report_once<Rule::r1268>(op.line, {mask, "bit mask", "8"}, field_of(op, 4));
    }
    return;
  }
  if (op.kind == RegOpKind::del) {
    if ((flags & addreg::kDelStringMultiSz) == addreg::kDelStringMultiSz &&
        (op.data.empty() || trim(op.data[0]).empty())) {
      ctx.report_once<Rule::r1266>(op.line, {op.value_name.value_or(std::string())}, field_of(op, 3));
    }
    return;
  }
  if (has_flag(op, addreg::kDelRegBit)) {
    if ((flags & addreg::kDelStringMultiSz) == addreg::kDelStringMultiSz &&
        (op.data.empty() || trim(op.data[0]).empty())) {
      ctx.report_once<Rule::r1266>(op.line, {op.value_name.value_or(std::string())}, field_of(op, 3));
    }
    return;
  }
  if (has_flag(op, addreg::kKeyOnly) || has_flag(op, addreg::kDelVal)) return;

  const std::uint32_t t = type_word(flags);
  const std::uint32_t high = t >> 16;
  const bool bin = (t & addreg::kBinValueType) != 0;
  // Custom types: the high word names the REG_* type. Without the binary bit only the three
  // character types (0, 1, 2 = SZ, MULTI_SZ, EXPAND_SZ) exist; with it, 7 would make a multi-string
  // out of raw bytes, which the string types are there to prevent.
  if (!bin && high > 2) {
    ctx.report_once<Rule::r1264>(op.line, {op.flags_text}, field_of(op, 3));
    return;
  }
  if (bin && high == kRegMultiSz) {
    ctx.report_once<Rule::r1263>(op.line, {op.flags_text, "REG_MULTI_SZ"}, field_of(op, 3));
    return;
  }
  if (has_flag(op, addreg::kAppend) && op.reg_type != kRegMultiSz) {
    ctx.report_once<Rule::r1265>(op.line, {op.value_name.value_or(std::string()), op.flags_text}, field_of(op, 3));
  }
  if (!bin) return;
  // Numbers: a single data field is parsed as a number of the type's width; several fields are bytes.
  if ((op.reg_type == kRegDword || op.reg_type == kRegQword) && op.data.size() == 1) {
    const std::string v = trim(op.data[0]);
    const int bits = op.reg_type == kRegDword ? 32 : 64;
    if (!v.empty() && !unresolved(v) && !inf::parse_number(v, static_cast<unsigned>(bits), inf::Sign::wraps)) {
      ctx.report_once<Rule::r1268>(op.line, {v, op.reg_type == kRegDword ? "REG_DWORD data" : "REG_QWORD data", std::to_string(bits)},
             field_of(op, 4));
    }
    return;
  }
  for (std::size_t i = 0; i < op.data.size(); ++i) {
    const std::string_view v = base::trim_view(op.data[i]);
    // The usual byte, one or two hex digits, is valid without the '%' search and the parse.
    if (!v.empty() && v.size() <= 2 && is_hex_digit(v[0]) && is_hex_digit(v.back())) continue;
    if (v.empty() || unresolved(v)) continue;
    if (!inf::parse_hex_byte(v)) {
      ctx.report_once<Rule::r1267>(op.line, {std::string(v), op.value_name.value_or(std::string())}, field_of(op, 4 + i));
      return;
    }
  }
}

// Appending to a REG_MULTI_SZ or deleting one of its strings makes the result depend on what was
// there before. HKLM\SYSTEM\CurrentControlSet is left alone: a CI-validated universal DSM sample
// appends to Control\MPDEV there and passes.
void check_multisz_edit(Context& ctx, const RegOp& op) {
  if (!op.flags) return;
  const std::uint32_t flags = *op.flags;
  const bool append = op.kind == RegOpKind::add && !has_flag(op, addreg::kDelRegBit) &&
                      type_word(flags) == addreg::kTypeMultiSz && (flags & addreg::kAppend);
  const bool delstring = op.kind != RegOpKind::bit && (flags & addreg::kDelStringMultiSz) == addreg::kDelStringMultiSz;
  if (!append && !delstring) return;
  std::string scratch;
  // The class key's filter lists are PnP's (USBPcap appends itself to the USB class UpperFilters).
  if (op.root == "HKLM" && key_under(normalized_view(op.subkey, scratch), kCurrentControlSet) &&
      !is_class_key(op)) {
    return;
  }
  ctx.report_once<Rule::r1305>(op.line, {op.value_name.value_or(std::string()), append ? "appends to" : "deletes a string from"},
         field_of(op, 3));
}

// ---------------------------------------------------------------------------------------------
// Well-known values (1225, 1329) and security descriptors (1226).
// ---------------------------------------------------------------------------------------------

struct WellKnownValue {
  std::string_view name;
  std::uint32_t types[2];  // accepted REG_* types (second may repeat the first)
  std::string_view expected;
};
// Values with a documented meaning directly under a device's HKR (registry-layout.md §2). Numbers
// may also be written as raw bytes: a CI-validated sample writes DeviceType as REG_BINARY.
constexpr WellKnownValue kWellKnownValues[] = {
    {"UpperFilters", {kRegMultiSz, kRegMultiSz}, "REG_MULTI_SZ (0x00010000)"},
    {"LowerFilters", {kRegMultiSz, kRegMultiSz}, "REG_MULTI_SZ (0x00010000)"},
    {"DeviceCharacteristics", {kRegDword, kRegBinary}, "REG_DWORD (0x00010001)"},
    {"DeviceType", {kRegDword, kRegBinary}, "REG_DWORD (0x00010001)"},
    {"Exclusive", {kRegDword, kRegBinary}, "REG_DWORD (0x00010001)"},
    {"Security", {kRegSz, kRegExpandSz}, "a string (REG_SZ, 0)"},
    {"EnumPropPages32", {kRegSz, kRegExpandSz}, "a string (REG_SZ, 0)"},
};

std::string_view type_name(std::uint32_t t) {
  switch (t) {
    case kRegNone: return "REG_NONE";
    case kRegSz: return "REG_SZ";
    case kRegExpandSz: return "REG_EXPAND_SZ";
    case kRegBinary: return "REG_BINARY";
    case kRegDword: return "REG_DWORD";
    case kRegMultiSz: return "REG_MULTI_SZ";
    case kRegQword: return "REG_QWORD";
    default: return "a custom type";
  }
}

bool device_hkr(const RegOp& op) {
  return op.root == "HKR" && (op.binding == HkrBinding::software_key || op.binding == HkrBinding::device_parameters ||
                              op.binding == HkrBinding::class_key);
}

void check_well_known(Context& ctx, const RegOp& op) {
  if (!device_hkr(op) || !writes_value(op) || !op.value_name) return;
  const std::string_view name = base::trim_view(*op.value_name);
  for (const auto& w : kWellKnownValues) {
    if (!rules::iequals(name, w.name)) continue;
    // The key test after the name test: most values are none of these, and normalizing costs a search.
    std::string scratch;
    if (!normalized_view(op.subkey, scratch).empty()) return;
    if (op.reg_type == w.types[0] || op.reg_type == w.types[1]) return;
    ctx.report_once<Rule::r1225>(op.line, {std::string(w.name), std::string(type_name(op.reg_type)), std::string(w.expected)},
           field_of(op, 3));
    return;
  }
}

// Filters belong in DDInstall.Filters (AddFilter). CI-validated isolated samples still set their
// own device's stack with HKR,,UpperFilters,0x00010000 in DDInstall.HW and pass, so what is
// reported is a filter added to a list others own: the class-wide value (HKR in ClassInstall32,
// or HKLM\...\Control\Class\{guid} by path, as USBPcap does) and an append to a device's list
// (FLG_ADDREG_APPEND in DDInstall.HW); plus the filter device properties. Extension INFs get 1384.
void check_filter_value(Context& ctx, const RegOp& op) {
  if (ctx.facts().extension_class) return;
  if (!writes_value(op) || !op.value_name) return;
  const std::string_view name = base::trim_view(*op.value_name);
  if (!rules::iequals(name, "UpperFilters") && !rules::iequals(name, "LowerFilters")) return;
  std::string scratch;
  const bool at_key = normalized_view(op.subkey, scratch).empty();
  const bool class_hkr = op.root == "HKR" && op.binding == HkrBinding::class_key && at_key;
  const bool class_path = is_class_key(op);
  const bool device_append = op.root == "HKR" && op.binding == HkrBinding::device_parameters && at_key &&
                             has_flag(op, addreg::kAppend);
  if (class_hkr || class_path || device_append) {
    ctx.report_once<Rule::r1329>(op.line, {std::string(name), "registry value"}, field_of(op, 2));
  }
}

// DEVPKEY_Device_UpperFilters / LowerFilters: {a45c254e-df1c-4efd-8020-67d146a850e0}, 19 / 20.
void check_filter_properties(Context& ctx) {
  if (ctx.facts().extension_class) return;
  constexpr std::string_view kGuid = "{a45c254e-df1c-4efd-8020-67d146a850e0}";
  for (const auto& list : ctx.pkg().lists) {
    if (list.kind != package::ListKind::properties || !package::first_user(list, "AddProperty")) continue;
    for (inf::Line l : ctx.doc().section_at(list.doc_section)) {
      std::vector<std::string> f;
      if (l.has_key()) f.push_back(trim(*l.key()));
      for (std::size_t i = 0; i < l.field_count(); ++i) f.push_back(util::trimmed_field(l, i));
      if (f.empty()) continue;
      std::string name;
      if (rules::iequals(f[0], "DEVPKEY_Device_UpperFilters") || rules::iequals(f[0], "DEVPKEY_Device_LowerFilters")) {
        name = f[0];
      } else if (f.size() > 1 && rules::iequals(f[0], kGuid)) {
        if (f[1] == "19") name = "DEVPKEY_Device_UpperFilters";
        if (f[1] == "20") name = "DEVPKEY_Device_LowerFilters";
      }
      if (!name.empty()) ctx.report_once<Rule::r1329>(l, {name, "device property"}, 0);
    }
  }
}

// A [<section>.security] descriptor applies to the keys a section creates; a value written directly
// into HKR would put the descriptor on the device's (or service's) own key, which the system owns.
// Whether the document has any section named "<something>.security": most have none, and then no
// registry entry needs its "<reg_section>.security" name built and looked up.
bool has_security_sections(const inf::Document& doc) {
  for (std::size_t i = 0; i < doc.section_count(); ++i) {
    const std::string_view name = doc.section_at(i).name();
    if (name.size() >= 9 && rules::iequals(name.substr(name.size() - 9), ".security")) return true;
  }
  return false;
}

void check_security_sections(Context& ctx, const RegOp& op) {
  if (op.root != "HKR" || op.kind != RegOpKind::add || is_key_operation(op)) return;
  std::string scratch;
  if (!normalized_view(op.subkey, scratch).empty()) return;
  auto sec = ctx.doc().section(std::string(op.reg_section) + ".security");
  if (!sec) return;
  if (auto* d = ctx.report_once<Rule::r1226>(op.line, {op.value_name.value_or(std::string()), std::string(sec->name())}, field_of(op, 0))) {
    d->notes.push_back(diag::Note{sec->line(), 1, "the security descriptor section"});
  }
}

// ---------------------------------------------------------------------------------------------
// Paths stored as registry data (1257, 1258).
// ---------------------------------------------------------------------------------------------

// Data with %strkey% substituted but DIRID tokens kept: returns the DIRIDs used, and the text with
// each DIRID replaced by "<dirid>" so literal paths can be told apart from DIRID expansions.
struct ScannedData {
  std::string text;
  std::vector<long> dirids;
};

// Fills `out` (cleared first; its buffers are reused from one field to the next).
void scan_data(const inf::Document& doc, std::string_view raw, ScannedData& out) {
  out.text.clear();
  out.dirids.clear();
  std::size_t i = 0;
  while (i < raw.size()) {
    // Text between tokens is copied in runs.
    const std::size_t pct = raw.find('%', i);
    if (pct == std::string_view::npos) {
      out.text.append(raw.substr(i));
      break;
    }
    out.text.append(raw.substr(i, pct - i));
    std::size_t end = raw.find('%', pct + 1);
    if (end == std::string_view::npos) {
      out.text.append(raw.substr(pct));
      break;
    }
    std::string_view tok = raw.substr(pct + 1, end - pct - 1);
    if (tok.empty()) {
      out.text.push_back('%');
    } else if (auto v = doc.string_value(tok)) {
      out.text.append(*v);
    } else if (std::all_of(tok.begin(), tok.end(), [](char c) { return c >= '0' && c <= '9'; }) && tok.size() < 7) {
      out.dirids.push_back(std::stol(std::string(tok)));
      out.text.append("<dirid>");
    } else {
      out.text.append(raw.substr(pct, end - pct + 1));
    }
    i = end + 1;
  }
}

// Finds "X:\Windows" (followed by '\', a separator or the end), case-insensitively.
bool names_windows_folder(std::string_view s) {
  constexpr std::string_view kWin = ":\\windows";
  // Only a ':' can start a match: memchr from one to the next instead of a test per character.
  for (std::size_t i = s.find(':', 1); i != std::string_view::npos && i + kWin.size() <= s.size(); i = s.find(':', i + 1)) {
    if (!rules::iequals(s.substr(i, kWin.size()), kWin)) continue;
    if (!std::isalpha(static_cast<unsigned char>(s[i - 1]))) continue;
    std::size_t e = i + kWin.size();
    if (e == s.size() || s[e] == '\\' || s[e] == ';' || s[e] == '"' || s[e] == ' ' || s[e] == ',') return true;
  }
  return false;
}

bool is_string_type(std::uint32_t t) { return t == kRegSz || t == kRegExpandSz || t == kRegMultiSz; }

void check_data_paths(Context& ctx, const RegOp& op) {
  if (!writes_value(op) || !is_string_type(op.reg_type)) return;
  // Default paths: only "is it below the Windows folder" matters. Built once, not per entry.
  static const inf::DiridContext kDirids;
  ScannedData d;
  for (std::size_t i = 0; i < op.raw_data.size(); ++i) {
    // Data without a '%' is its own scanned text and names no DIRID: no copy to build.
    std::string_view text = op.raw_data[i];
    d.dirids.clear();
    if (text.find('%') != std::string_view::npos) {
      scan_data(ctx.doc(), text, d);
      text = d.text;
    }
    if (names_windows_folder(text)) {
      ctx.report_once<Rule::r1257>(op.line, {trim(op.data[i])}, field_of(op, 4 + i));
      continue;
    }
    for (long id : d.dirids) {
      if (id == inf::kDiridWindows) {
        ctx.report_once<Rule::r1257>(op.line, {"%10%"}, field_of(op, 4 + i));
        break;
      }
      // DIRID 13 (the driver store folder) is the documented exception: it stays valid for the
      // package. %1% is the source folder, not a Windows path.
      if (id == inf::kDiridDriverStore) continue;
      auto path = inf::dirid_path(id, kDirids);
      if (path && key_under(*path, kDirids.windows_dir)) {
        ctx.report_once<Rule::r1258>(op.line, {"%" + std::to_string(id) + "%", *path}, field_of(op, 4 + i));
        break;
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Paths to the package's own files (1326).
// ---------------------------------------------------------------------------------------------

// Files this package copies into the driver store (DIRID 13): their destination names, sorted
// ASCII case-insensitively (views into the model, no lower-cased copies in a set).
using StoreFiles = std::vector<std::string_view>;
StoreFiles driver_store_files(const package::Package& pkg) {
  StoreFiles out;
  for (const auto& c : pkg.copies) {
    if (c.has_destination && c.dirid == inf::kDiridDriverStore && !c.dest_name.empty()) out.push_back(c.dest_name);
  }
  std::sort(out.begin(), out.end(), ci_less);
  return out;
}

// 1326: string data that names one of the package's own files by a path outside the driver store
// (%SystemRoot%\System32\drivers\x.sys, %12%\x.sys) while the package copies that file to
// DIRID 13: the value points where the file no longer is (an EventMessageFile left behind when
// the copy moved to the driver store). Paths through %13% are the package's folder and pass.
void check_own_file_paths(Context& ctx, const RegOp& op, const StoreFiles& store_files) {
  if (store_files.empty() || !writes_value(op) || !is_string_type(op.reg_type)) return;
  const std::string& store = ctx.doc().dirids().driver_store;
  for (std::size_t i = 0; i < op.data.size(); ++i) {
    const std::string_view all = op.data[i];
    for (std::size_t start = 0; start <= all.size();) {
      const std::size_t end = all.find(';', start);
      std::string part = trim(all.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
      while (!part.empty() && part.front() == '"') part.erase(0, 1);
      while (!part.empty() && part.back() == '"') part.pop_back();
      const std::size_t slash = part.find_last_of('\\');
      const bool in_store = !store.empty() && part.size() >= store.size() && rules::iequals(part.substr(0, store.size()), store);
      if (slash != std::string::npos && !in_store && std::binary_search(store_files.begin(), store_files.end(), std::string_view(part).substr(slash + 1), ci_less)) {
        ctx.report_once<Rule::r1326>(op.line, {trim(op.value_name.value_or(std::string())), part, part.substr(slash + 1)}, field_of(op, 4 + i));
        return;
      }
      if (end == std::string_view::npos) break;
      start = end + 1;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// One value set differently by install sections that can install together (1331, 1332).
// ---------------------------------------------------------------------------------------------

// The key and value an entry writes, when the key is shared beyond one device (absolute keys, a
// service's key, the class key), as one "key|value" string built in place into `out` (cleared
// first), in the case written: equal ignoring ASCII case is the same key. Empty for per-device keys.
void shared_value_key_as_written(const package::Package& pkg, const RegOp& op, std::string& out, std::string& scratch) {
  out.clear();
  const std::string_view sub = normalized_view(op.subkey, scratch);
  if (op.root != "HKR") {
    if (!is_known_root(op.root)) return;
    out.append(op.root).append("\\");
  } else if (op.binding == HkrBinding::service_key) {
    out.append("service:").append(pkg.sections[op.context].service).append("\\");
  } else if (op.binding == HkrBinding::class_key) {
    out.append("class\\");
  } else {
    return;
  }
  out.append(sub).append("|");
  if (op.value_name) out.append(base::trim_view(*op.value_name));
}

// The same in lower case (no lower-cased copy of each part).
std::string shared_value_key(const package::Package& pkg, const RegOp& op) {
  std::string out, scratch;
  shared_value_key_as_written(pkg, op, out, scratch);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);  // what to_lower_ascii does
  }
  return out;
}

std::string written_data(const RegOp& op) {
  std::string s = std::to_string(op.reg_type);
  for (const auto& d : op.data) s += "\x1f" + trim(d);
  return s;
}

// Whether two entries write the same data, field by field (trimmed): a "yes" means their
// written_data strings are equal too (a "no" may still give equal strings: a field holding the
// separator).
bool same_data(const RegOp& a, const RegOp& b) {
  if (a.reg_type != b.reg_type || a.data.size() != b.data.size()) return false;
  for (std::size_t i = 0; i < a.data.size(); ++i) {
    if (base::trim_view(a.data[i]) != base::trim_view(b.data[i])) return false;
  }
  return true;
}

// Whether shared_value_key(op) is non-empty, without building it.
bool has_shared_key(const RegOp& op) {
  if (op.root != "HKR") return is_known_root(op.root);
  return op.binding == HkrBinding::service_key || op.binding == HkrBinding::class_key;
}

bool conflict_candidate(const RegOp& op) {
  return writes_value(op) && !has_flag(op, addreg::kNoClobber) && !has_flag(op, addreg::kAppend) && has_shared_key(op);
}

// The entries that may take part in a 1331/1332 finding, by index into Package::regs in order: those
// whose key's hash another entry shares, where the entries of that hash are not all from one
// install section and do not all write the same data (a finding needs two of one key from different
// sections with different data). Most shared keys are one registry section used from several
// install sections, the same data each time: their key strings are not kept or sorted.
std::vector<std::uint32_t> conflict_suspects(const package::Package& pkg) {
  std::vector<std::pair<std::uint64_t, std::uint32_t>> hashed;  // (key hash, index)
  std::string key, scratch;  // reused for every entry
  for (std::uint32_t i = 0; i < pkg.regs.size(); ++i) {
    if (!conflict_candidate(pkg.regs[i])) continue;
    shared_value_key_as_written(pkg, pkg.regs[i], key, scratch);
    hashed.emplace_back(ci_hash(key), i);  // folds the case as it hashes: no lower-casing pass
  }
  std::sort(hashed.begin(), hashed.end());
  std::vector<std::uint32_t> out;
  for (std::size_t g = 0; g < hashed.size();) {
    std::size_t e = g + 1;
    while (e < hashed.size() && hashed[e].first == hashed[g].first) ++e;
    const RegOp& first = pkg.regs[hashed[g].second];
    bool contexts = false, data = false;
    for (std::size_t k = g + 1; k < e && !(contexts && data); ++k) {
      const RegOp& op = pkg.regs[hashed[k].second];
      contexts = contexts || op.context != first.context;
      data = data || !same_data(op, first);
    }
    if (contexts && data) {
      for (std::size_t k = g; k < e; ++k) out.push_back(hashed[k].second);
    }
    g = e;
  }
  std::sort(out.begin(), out.end());
  return out;
}

void report_conflicts(Context& ctx, const std::vector<const RegOp*>& ops) {
  const auto& pkg = ctx.pkg();
  std::vector<std::string> data;  // written_data of each entry of one key, built once
  for (const RegOp* op : ops) data.push_back(written_data(*op));
  for (std::size_t i = 1; i < ops.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      const RegOp& a = *ops[j];
      const RegOp& b = *ops[i];
      if (a.context == b.context || data[j] == data[i]) continue;
      if (!package::sections_coinstall(pkg, a.context, b.context)) continue;
      const bool service = b.root == "HKR" && b.binding == HkrBinding::service_key;
      const std::string where = service ? "service " + std::string(pkg.sections[b.context].service) : absolute_key(b);
      if (auto* d = ctx.report_once_one_of<Rule::r1332, Rule::r1331>(service ? Rule::r1332 : Rule::r1331, b.line,
                           {trim(b.value_name.value_or(std::string())), where, std::string(pkg.sections[a.context].name),
                            std::string(pkg.sections[b.context].name)},
                           field_of(b, 2))) {
        Context::note(*d, a.line, "the other install section sets it here");
      }
      break;
    }
  }
}

void check_conflicting_values(Context& ctx) {
  const auto& pkg = ctx.pkg();
  // A conflict needs two candidate entries used from different install sections; most packages
  // have none, and then no key strings are built.
  const RegOp* first = nullptr;
  bool two_contexts = false;
  for (const auto& op : pkg.regs) {
    if (!conflict_candidate(op)) continue;
    if (!first) first = &op;
    else if (op.context != first->context) {
      two_contexts = true;
      break;
    }
  }
  if (!two_contexts) return;
  // (key|value, entry) pairs sorted by key, stable: the groups and their order a map of the keys
  // would give, without a node per entry. Only the suspects: the other entries' groups hold no
  // finding, so the groups that do come in the same order.
  std::vector<std::pair<std::string, const RegOp*>> keyed;
  for (std::uint32_t i : conflict_suspects(pkg)) keyed.emplace_back(shared_value_key(pkg, pkg.regs[i]), &pkg.regs[i]);
  std::stable_sort(keyed.begin(), keyed.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<const RegOp*> ops;
  for (std::size_t g = 0; g < keyed.size();) {
    std::size_t e = g + 1;
    while (e < keyed.size() && keyed[e].first == keyed[g].first) ++e;
    ops.clear();
    for (std::size_t k = g; k < e; ++k) ops.push_back(keyed[k].second);
    g = e;
    if (ops.size() >= 2) report_conflicts(ctx, ops);
  }
}

}  // namespace

void run_registry_rules(Context& ctx) {
  const StoreFiles store_files = driver_store_files(ctx.pkg());
  const bool security_sections = has_security_sections(ctx.doc());
  std::string scratch;
  for (const auto& op : ctx.pkg().regs) {
    // The normalized subkey once per entry (not once per check: ~250 instructions each) for the
    // checks that read it: those of absolute keys and of a service's HKR. Other HKR entries skip it.
    const bool keyed = op.root != "HKR" || op.binding == HkrBinding::service_key;
    const std::string_view key = keyed ? normalized_view(op.subkey, scratch) : std::string_view();
    check_root(ctx, op);
    check_isolation(ctx, op, key);
    check_universal_root(ctx, op, key);
    check_global_keys(ctx, op, key);
    check_service_hkr(ctx, op, key);
    check_encoding(ctx, op);
    check_multisz_edit(ctx, op);
    check_well_known(ctx, op);
    check_filter_value(ctx, op);
    if (security_sections) check_security_sections(ctx, op);
    check_data_paths(ctx, op);
    check_own_file_paths(ctx, op, store_files);
  }
  check_filter_properties(ctx);
  check_conflicting_values(ctx);
}

}  // namespace isodrv::rules
