// The package model: walks [Manufacturer] -> Models -> DDInstall (and DefaultInstall, ClassInstall32,
// InterfaceInstall32) and records every directive, section reference, registry operation, file copy,
// service and interface, each bound to what HKR means where it is used, and per install section
// the operations in the order the install applies them. check, the store and the install engine
// read it.
#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <limits>
#include <memory>
#include <set>

#include "isodrv/directives.h"
#include "isodrv/package.h"
#include "isodrv/package_needed.h"
#include "base/text.h"
#include "isodrv/registry_roots.h"

namespace isodrv::package {

using inf::iequals;

std::string_view section_role_name(SectionRole r) {
  switch (r) {
    case SectionRole::ddinstall: return "DDInstall";
    case SectionRole::hw: return "DDInstall.HW";
    case SectionRole::services: return "DDInstall.Services";
    case SectionRole::interfaces: return "DDInstall.Interfaces";
    case SectionRole::coinstallers: return "DDInstall.CoInstallers";
    case SectionRole::events: return "DDInstall.Events";
    case SectionRole::components: return "DDInstall.Components";
    case SectionRole::software: return "DDInstall.Software";
    case SectionRole::filters: return "DDInstall.Filters";
    case SectionRole::wmi: return "DDInstall.Wmi";
    case SectionRole::com: return "DDInstall.COM";
    case SectionRole::wdf: return "DDInstall.Wdf";
    case SectionRole::factdef: return "DDInstall.FactDef";
    case SectionRole::logconfigoverride: return "DDInstall.LogConfigOverride";
    case SectionRole::service_install: return "service-install section";
    case SectionRole::eventlog_install: return "event-log-install section";
    case SectionRole::add_interface: return "add-interface section";
    case SectionRole::class_install: return "ClassInstall32";
    case SectionRole::interface_install: return "install-interface section";
    case SectionRole::default_install: return "DefaultInstall";
    case SectionRole::default_uninstall: return "DefaultUninstall";
    case SectionRole::remove: return "DDInstall.Remove";
    case SectionRole::other: return "install section";
  }
  return "install section";
}

std::string_view hkr_binding_name(HkrBinding b) {
  switch (b) {
    case HkrBinding::software_key: return "software key";
    case HkrBinding::device_parameters: return "hardware key (Device Parameters)";
    case HkrBinding::service_key: return "service key";
    case HkrBinding::eventlog_key: return "event log key";
    case HkrBinding::interface_key: return "device interface key";
    case HkrBinding::class_key: return "class key";
    case HkrBinding::interface_class_key: return "interface class key";
    case HkrBinding::none: return "none";
  }
  return "none";
}

HkrBinding hkr_binding_for(SectionRole role) {
  switch (role) {
    case SectionRole::ddinstall:
    case SectionRole::coinstallers:
    case SectionRole::components:
    case SectionRole::software:
    case SectionRole::events:
    case SectionRole::filters:
    case SectionRole::wmi:
    case SectionRole::com:
    case SectionRole::wdf:
      return HkrBinding::software_key;
    case SectionRole::hw: return HkrBinding::device_parameters;
    case SectionRole::service_install: return HkrBinding::service_key;
    case SectionRole::eventlog_install: return HkrBinding::eventlog_key;
    case SectionRole::add_interface: return HkrBinding::interface_key;
    case SectionRole::class_install: return HkrBinding::class_key;
    case SectionRole::interface_install: return HkrBinding::interface_class_key;
    default: return HkrBinding::none;
  }
}

namespace addreg {
std::uint32_t value_type(std::uint32_t flags) {
  const std::uint32_t t = flags & kTypeMask;
  switch (t) {
    case kTypeSz: return registry::kRegSz;
    case kTypeMultiSz: return registry::kRegMultiSz;
    case kTypeExpandSz: return registry::kRegExpandSz;
    case kTypeBinary: return registry::kRegBinary;
    case kTypeDword: return registry::kRegDword;
    case kTypeNone: return registry::kRegNone;
    default:
      if (t & kBinValueType) return t >> 16;  // custom type in the high word
      return registry::kRegSz;
  }
}
}  // namespace addreg

namespace {

// Directive names are matched on every key line of every install section: the table is searched
// only among names of the same length (kBySize) and first letter, which leaves one or two candidates.
struct SpecKey {
  std::size_t size;
  char first;  // lower case
};
constexpr char lower_ascii(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }
constexpr std::size_t cstr_len(const char* s) {
  std::size_t n = 0;
  while (s[n]) ++n;
  return n;
}
constexpr auto kSpecKeys = [] {
  std::array<SpecKey, std::size(kDirectives)> out{};
  for (std::size_t i = 0; i < std::size(kDirectives); ++i) {
    out[i] = SpecKey{cstr_len(kDirectives[i].name), lower_ascii(kDirectives[i].name[0])};
  }
  return out;
}();
// The rows of a constant name table grouped by name length, so that a lookup compares only names of
// its own length. Built at compile time: a name longer than Longest fails to compile.
template <std::size_t Rows>
struct LengthBucket {
  std::array<std::uint8_t, Rows> rows{};
  std::size_t count = 0;
};
template <std::size_t Longest, std::size_t Rows, typename SizeOfRow>
constexpr std::array<LengthBucket<Rows>, Longest + 1> rows_by_length(SizeOfRow size_of_row) {
  std::array<LengthBucket<Rows>, Longest + 1> out{};
  for (std::size_t i = 0; i < Rows; ++i) {
    LengthBucket<Rows>& b = out[size_of_row(i)];
    b.rows[b.count++] = static_cast<std::uint8_t>(i);
  }
  return out;
}

constexpr std::size_t kLongestDirective = 16;
constexpr auto kBySize =
    rows_by_length<kLongestDirective, std::size(kDirectives)>([](std::size_t i) { return kSpecKeys[i].size; });

}  // namespace

const DirectiveSpec* find_directive(std::string_view name) {
  if (name.empty() || name.size() > kLongestDirective) return nullptr;
  const char first = lower_ascii(name[0]);
  const auto& b = kBySize[name.size()];
  for (std::size_t k = 0; k < b.count; ++k) {
    const std::size_t i = b.rows[k];
    if (kSpecKeys[i].first == first && iequals(name, std::string_view(kDirectives[i].name, name.size()))) {
      return &kDirectives[i];
    }
  }
  return nullptr;
}

bool is_devnode_property(std::string_view value_name) {
  for (std::string_view n : kDevnodePropertyNames) {
    if (iequals(value_name, n)) return true;
  }
  return false;
}

namespace {
// kApplyOrder's rows by name length, as kBySize is for kDirectives: a lookup compares only names
// of its own length (one to four), not all fifteen.
constexpr std::size_t kLongestApplied = 12;
constexpr auto kAppliedBySize =
    rows_by_length<kLongestApplied, std::size(kApplyOrder)>([](std::size_t i) { return kApplyOrder[i].size(); });
}  // namespace

namespace {
constexpr bool ascii_iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower_ascii(a[i]) != lower_ascii(b[i])) return false;
  }
  return true;
}
// apply_rank of each row of kDirectives, computed once: the model knows a directive's row (its
// find_directive) where it makes the operation, and names equal in any case have one rank.
constexpr auto kDirectiveRanks = [] {
  std::array<std::uint8_t, std::size(kDirectives)> out{};
  for (std::size_t i = 0; i < out.size(); ++i) {
    const std::string_view name = kDirectives[i].name;
    std::size_t rank = std::size(kApplyOrder);
    for (std::size_t j = 0; j < std::size(kApplyOrder); ++j) {
      if (ascii_iequals(name, kApplyOrder[j])) {
        rank = j;
        break;
      }
    }
    if (rank == std::size(kApplyOrder) && (ascii_iequals(name, "Needs") || ascii_iequals(name, "Include"))) ++rank;
    out[i] = static_cast<std::uint8_t>(rank);
  }
  return out;
}();
// apply_rank(spec.name) for a row of kDirectives.
std::size_t directive_rank(const DirectiveSpec& spec) { return kDirectiveRanks[static_cast<std::size_t>(&spec - kDirectives)]; }
}  // namespace

std::size_t apply_rank(std::string_view directive) {
  constexpr std::size_t kOther = std::size(kApplyOrder);
  if (directive.empty()) return kOther;
  if (directive.size() <= kLongestApplied) {
    const char first = lower_ascii(directive[0]);
    const auto& b = kAppliedBySize[directive.size()];
    for (std::size_t k = 0; k < b.count; ++k) {
      const std::size_t i = b.rows[k];
      if (lower_ascii(kApplyOrder[i][0]) == first && iequals(directive, kApplyOrder[i])) return i;
    }
  }
  if (iequals(directive, "Needs") || iequals(directive, "Include")) return kOther + 1;
  return kOther;
}

std::optional<std::size_t> find_install_section(const Package& pkg, std::string_view name, SectionRole role) {
  for (std::size_t i = 0; i < pkg.sections.size(); ++i) {
    if (pkg.sections[i].role == role && iequals(pkg.sections[i].name, name)) return i;
  }
  return std::nullopt;
}

namespace {

constexpr inf::Arch kArches[] = {inf::Arch::x86, inf::Arch::amd64, inf::Arch::arm, inf::Arch::arm64, inf::Arch::ia64};

std::string upper(std::string s) {
  for (auto& c : s) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
  }
  return s;
}

using base::trim;

// base::trim_view with the common case inline: a field the tokenizer read holds no blank at
// either end unless a substitution put one there, and base::trim_view stayed an out-of-line call
// (~21 instructions; ~60,000 calls a check of 1,000 files).
[[gnu::always_inline]] inline std::string_view trim_view(std::string_view s) {
  if (s.empty() || (!base::is_blank(s.front()) && !base::is_blank(s.back()))) return s;
  return base::trim_view(s);
}

// Substituted fields of one package, by their raw text. A field the tokenizer did not flag is its
// own raw text (a view of the document, read inline); a flagged one is substituted once per
// distinct raw text and package: Models sections repeat per decoration and a list section is read
// once per user, so more than half of the substitutions on sub600 repeated an earlier one (13,428
// → 6,015). The views point into the document or the package arena, which outlive the walk.
// An entry of FieldReader's table; raw == nullptr marks an empty slot: a field's raw text points
// into the document's text or its arena, never at null.
struct FieldSlot {
  const char* raw = nullptr;
  const char* text = nullptr;
  std::uint32_t raw_size = 0, text_size = 0;
  FieldSlot() = default;
  FieldSlot(std::string_view r, std::string_view t)
      : raw(r.data()), text(t.data()), raw_size(static_cast<std::uint32_t>(r.size())),
        text_size(static_cast<std::uint32_t>(t.size())) {}
  std::string_view value() const { return {text, text_size}; }
  bool holds(std::string_view r) const { return raw_size == r.size() && std::memcmp(raw, r.data(), r.size()) == 0; }
};

// Substituted fields of one package, by their raw text. A field the tokenizer did not flag is its
// own raw text (a view of the document, read inline); a flagged one is substituted once per
// distinct raw text and package: Models sections repeat per decoration and a list section is read
// once per user, so more than half of the substitutions on sub600 repeated an earlier one (13,428
// → 6,015). The views point into the document or the package arena, which outlive the walk. The
// table and the substitution's buffer are the thread's BuildScratch, lent for the package.
class FieldReader {
 public:
  FieldReader(inf::StringArena& arena, std::vector<FieldSlot>& slots, std::vector<FieldSlot>& spare, std::string& out)
      : arena_(arena), slots_(slots), spare_(spare), out_(out) {}

  // Field i of `l`, substituted (inf::field_view's value). Kept small enough to inline: the
  // table is for the few fields with a token.
  std::string_view field(const inf::Line& l, std::size_t i) {
    return l.field_has_percent(i) ? substituted_field(l, i) : l.raw_field(i);
  }
  // The key, substituted (inf::key_view's value); nullopt when the line has none.
  std::optional<std::string_view> key(const inf::Line& l) {
    if (l.key_has_percent()) return substituted_key(l);
    return l.raw_key();
  }

 private:
  [[gnu::noinline]] std::string_view substituted_field(const inf::Line& l, std::size_t i) {
    const std::string_view raw = l.raw_field(i);
    FieldSlot& s = slot(raw);
    if (!s.raw) s = FieldSlot(raw, substitute(l.document(), raw));
    return s.value();
  }
  [[gnu::noinline]] std::string_view substituted_key(const inf::Line& l) {
    const std::string_view raw = *l.raw_key();
    FieldSlot& s = slot(raw);
    if (!s.raw) s = FieldSlot(raw, substitute(l.document(), raw));
    return s.value();
  }
  // Text shaped as one whole %token% (most flagged fields: "%DeviceDesc%"), substituted through
  // inf::substitute_view on the table's miss: a defined token is handed out as a view of its
  // [Strings] value, neither substituted nor copied. Only an undefined one (a DIRID) or "%a%b%" is
  // built there, in the arena's own buffer. (Bypassing the table for these cost 0.36 M more on
  // flat1000: a table hit is cheaper than finding the token in [Strings] again.)
  static bool whole_token_shape(std::string_view raw) {
    return raw.size() >= 3 && raw.front() == '%' && raw.back() == '%';
  }
  // inf::substitute_view's value, built in the thread's buffer instead of the arena's own (which
  // would grow again in every package): the raw text when it holds no '%' (a flag may be set
  // without one: arena fields always are), else the substitution stored in the arena.
  std::string_view substitute(const inf::Document& doc, std::string_view raw) {
    if (whole_token_shape(raw)) return inf::substitute_view(doc, raw, arena_);
    if (raw.find('%') == std::string_view::npos) return raw;
    out_.clear();
    doc.substitute(raw, out_);
    return arena_.store(out_);
  }
  template <std::size_t N>
  static std::uint64_t load(const char* p) {
    std::uint64_t w = 0;
    std::memcpy(&w, p, N);
    return w;
  }
  // Every eight bytes (the last eight overlapping when the length is not a multiple of eight):
  // Models descriptions often differ only in their middle ("%PCI\VEN_…&DEV_1234.DeviceDesc%").
  static std::uint64_t hash(std::string_view s) {
    const char* p = s.data();
    const std::size_t n = s.size();
    std::uint64_t h = n * 0x9E3779B97F4A7C15ull;
    if (n < 8) {
      const std::uint64_t a = n >= 4 ? load<4>(p) : n > 0 ? load<1>(p) : 0;
      const std::uint64_t b = n >= 4 ? load<4>(p + n - 4) : n > 1 ? load<2>(p + n - 2) : 0;
      h = (h ^ a ^ (b << 32)) * 0xFF51AFD7ED558CCDull;
    } else {
      for (std::size_t at = 0; at + 8 < n; at += 8) h = (h ^ load<8>(p + at)) * 0xFF51AFD7ED558CCDull;
      h = (h ^ load<8>(p + n - 8)) * 0xFF51AFD7ED558CCDull;
    }
    h ^= h >> 32;
    return h * 0xC4CEB9FE1A85EC53ull;
  }
  // A product's high bits depend on every bit of its factors (its low bits only on their low
  // bits): the slot is the top bits of the hash.
  std::size_t home(std::string_view s) const { return static_cast<std::size_t>(hash(s) >> shift_); }
  // The slot of `raw`: its entry, or the empty slot to fill (counted as used; the table grows at
  // half full, so a probe always ends).
  FieldSlot& slot(std::string_view raw) {
    if (2 * (used_ + 1) > slots_.size()) grow();
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t at = home(raw);; at = (at + 1) & mask) {
      FieldSlot& s = slots_[at];
      if (!s.raw) {
        ++used_;
        return s;
      }
      if (s.holds(raw)) return s;
    }
  }
  // Doubles the table (the first use sizes it), the old slots moved through the spare vector: both
  // keep their capacity for the thread's next package.
  void grow() {
    spare_.swap(slots_);
    slots_.assign(spare_.empty() ? kFirstSize : 2 * spare_.size(), FieldSlot());
    shift_ = 64 - static_cast<unsigned>(std::countr_zero(slots_.size()));
    const std::size_t mask = slots_.size() - 1;
    for (const FieldSlot& s : spare_) {
      if (!s.raw) continue;
      std::size_t at = home({s.raw, s.raw_size});
      while (slots_[at].raw) at = (at + 1) & mask;
      slots_[at] = s;
    }
    spare_.clear();
  }

  static constexpr std::size_t kFirstSize = 32;  // sub600: ~14 distinct token fields a package
  inf::StringArena& arena_;
  std::vector<FieldSlot>& slots_;  // empty until the first flagged field
  std::vector<FieldSlot>& spare_;  // grow()'s
  std::string& out_;               // substitute()'s
  std::size_t used_ = 0;
  unsigned shift_ = 64;  // 64 - log2(slots_.size())
};

// Field j of a line counting the key as field 0 when the line has one (AddReg lines have none),
// raw (unsubstituted) and substituted, without building a vector of every field. Substitution is
// what Line::field / Line::key do: the raw text when it holds no '%'.
struct LineFields {
  const inf::Document& doc;
  inf::Line line;
  bool keyed;
  // Whether any field may hold a '%' (the tokenizer's flags): a line without one (most registry
  // entries) reads every field as its raw text, inline, without a call per field.
  bool percent;
  std::size_t count;
  LineFields(const inf::Document& d, const inf::Line& l)
      : doc(d), line(l), keyed(l.has_key()), percent(l.has_percent()), count(l.field_count() + (keyed ? 1 : 0)) {}
  std::string_view raw(std::size_t j) const {
    if (keyed) return j == 0 ? *line.raw_key() : line.raw_field(j - 1);
    return line.raw_field(j);
  }
  void into(std::size_t j, std::string& out) const {
    std::string_view r = raw(j);
    if (r.find('%') == std::string_view::npos) out.append(r);
    else doc.substitute(r, out);
  }
  std::string get(std::size_t j) const {
    std::string out;
    into(j, out);
    return out;
  }
  // Substituted, as a view of the document (no '%' in the field) or of `arena`.
  std::string_view view(std::size_t j, FieldReader& reader) const {
    if (!percent) return raw(j);
    if (keyed) return j == 0 ? *reader.key(line) : reader.field(line, j - 1);
    return reader.field(line, j);
  }
  // The same, trimmed.
  std::string_view trimmed(std::size_t j, FieldReader& reader) const { return trim_view(view(j, reader)); }
};

// The [DestinationDirs] line for the entries of `list`: the list's own entry, else DefaultDestDir
// (from_default). The one reading of it: list_destination and the model's FileCopy records use it.
struct DestinationEntry {
  inf::Line line;
  bool from_default = false;
};
std::optional<DestinationEntry> destination_entry(const inf::Section& dd, std::string_view list) {
  if (!list.empty()) {
    if (auto own = dd.find(list)) return DestinationEntry{*own, false};
  }
  if (auto fallback = dd.find("DefaultDestDir")) return DestinationEntry{*fallback, true};
  return std::nullopt;
}

// inf::parse_u32 with the forms nearly every flags field is written in read inline: "0x" and one to
// eight hex digits, or one to nine decimal digits, always fit 32 bits; every other text (blanks, a
// sign, more digits, anything not a digit) goes to parse_u32, so the result is the same for every
// text. parse_u32 cost ~156 instructions a field (sub600: 8,300 registry flags fields).
std::optional<std::uint32_t> parse_flags(std::string_view t) {
  const bool hex = t.size() > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X');
  const std::string_view digits = hex ? t.substr(2) : t;
  if (digits.empty() || digits.size() > (hex ? 8u : 9u)) return inf::parse_u32(t);
  std::uint32_t v = 0;
  for (const char c : digits) {
    const auto lower = static_cast<char>(c | 0x20);
    std::uint32_t d = 0;
    if (c >= '0' && c <= '9') d = static_cast<std::uint32_t>(c - '0');
    else if (hex && lower >= 'a' && lower <= 'f') d = static_cast<std::uint32_t>(lower - 'a' + 10);
    else return inf::parse_u32(t);
    v = v * (hex ? 16u : 10u) + d;
  }
  return v;
}

// A DestinationDirs DIRID field: its number, -1 as written, else -2 (unknown).
long destination_dirid(std::string_view text) {
  if (auto n = parse_flags(text)) return static_cast<long>(*n);
  return text == "-1" ? -1 : -2;
}

// Orders names as their lower-case forms would (ASCII), so containers of views into the document
// match names case-insensitively without lower-case copies.
struct CiLess {
  bool operator()(std::string_view a, std::string_view b) const {
    const std::size_t n = std::min(a.size(), b.size());
    for (std::size_t i = 0; i < n; ++i) {
      const auto x = static_cast<unsigned char>(lower_ascii(a[i])), y = static_cast<unsigned char>(lower_ascii(b[i]));
      if (x != y) return x < y;
    }
    return a.size() < b.size();
  }
};

// Room for `n` more elements, growing geometrically: reserving exactly per section would move
// every element already there once per section. A first reservation is at least kFirstRecords:
// the package's record vectors are filled section by section, and starting at a section's few
// lines made each of them grow two or three times in a typical package.
constexpr std::size_t kFirstRecords = 16;
template <class T>
void reserve_more(std::vector<T>& v, std::size_t n) {
  if (v.capacity() - v.size() >= n) return;
  v.reserve(std::max({v.size() + n, 2 * v.capacity(), kFirstRecords}));
}

// Where the walk has been: an install section named `target` (in any case), reached in a role for a
// service, compared field by field instead of through a lower-case key string built per visit.
// The views point into the document or the package arena, which outlive the walk.
enum class VisitKind : std::uint8_t { directive, needs, eventlog, interface_install };
struct VisitKey {
  std::string_view target;
  VisitKind kind;
  int role;  // -1 where the kind decides the role
  std::string_view service;
};
struct VisitLess {
  bool operator()(const VisitKey& a, const VisitKey& b) const {
    if (a.kind != b.kind) return a.kind < b.kind;
    if (a.role != b.role) return a.role < b.role;
    if (a.service != b.service) return a.service < b.service;
    return CiLess{}(a.target, b.target);
  }
};

// The visited install sections (key -> Package::sections index) as a sorted vector: one
// allocation for the walk instead of a tree node per visit. Values are
// read and written through their key, never held across an insertion.
class VisitSet {
 public:
  // The value under `key`, inserting `value` first when there is none; second: whether inserted.
  std::pair<std::size_t, bool> try_emplace(const VisitKey& key, std::size_t value) {
    const auto at = std::lower_bound(entries_.begin(), entries_.end(), key,
                                     [](const Entry& e, const VisitKey& k) { return VisitLess{}(e.first, k); });
    if (at != entries_.end() && !VisitLess{}(key, at->first)) return {at->second, false};
    entries_.insert(at, Entry{key, value});
    return {value, true};
  }
  void clear() { entries_.clear(); }
  std::size_t capacity_bytes() const { return entries_.capacity() * sizeof(Entry); }

 private:
  using Entry = std::pair<VisitKey, std::size_t>;
  std::vector<Entry> entries_;
};

// A variant of an install section: [X], [X.NT], [X.NTamd64], [X.NTamd64.10.0...25952] …
struct Variant {
  std::string_view name;              // the section's header (a view of the document)
  std::uint32_t doc_index = 0;
  std::optional<inf::Arch> arch;
  std::string_view decoration;        // as written after the base, "" when undecorated
  std::optional<inf::OsDecoration> os;  // parsed ($ARCH$ read as the target architecture)
};

// An operation of a section being walked and its apply_rank, known where the operation is made
// (from the directive's row in kDirectives for the directives the model reads): ranking every
// operation again by its name cost ~80 instructions each.
struct PendingOp {
  Operation op;
  std::size_t rank;
};

// A section named <base>.<decoration>: its name split once (index_sections), read again by
// variants_of without splitting it a second time.
struct DecoratedSection {
  std::string_view base, decoration;
  std::uint32_t doc_index = 0;
};

// What a Builder needs only while it walks, lent to it for one package and kept per thread for the
// next one: the walk's tables and buffers then grow once per thread instead of once per package
// (sub600: ~24 allocations fewer a package). Nothing a Package holds points into it: the views the walk
// stores are of the document or of the package's own arena.
struct BuildScratch {
  std::vector<std::size_t> model_targets;  // per pkg_.models entry: its target (npos: undecorated)
  // Every <base>.<decoration> section, sorted by base (CiLess).
  std::vector<DecoratedSection> decorated;
  VisitSet visited;                        // see Builder::visit()
  std::vector<PendingOp> pending;          // process(): operations of the sections being walked
  std::vector<std::pair<std::size_t, std::size_t>> order;  // append_in_apply_order()'s
  std::string security;                    // reference(): the ".security" section name
  std::string probe;                       // add_root(): a sub-section name
  std::string models_name, arch_buf;       // read_models(): a Models section name, a decoration
  std::vector<const inf::OsDecoration*> same_arch;  // is_downlevel()'s
  std::vector<const inf::OsDecoration*> line_decorations;  // read_models(): one line's
  std::vector<std::string_view> written;   // read_models(): one line's decorations as written
  std::vector<std::string_view> bases;     // build(): the DDInstall bases added
  std::vector<std::pair<std::uint32_t, std::uint32_t>> reg_spans;  // per pkg_.regs entry: see bind_reg_fields()
  std::vector<std::pair<std::uint32_t, std::uint32_t>> edges;      // propagate_targets()'s
  std::vector<std::size_t> ddinstalls;     // propagate_targets()'s
  std::vector<Variant> variants;           // add_root(): a root's variants
  std::vector<const inf::OsDecoration*> alternatives;  // add_root(): their parsed decorations
  std::vector<std::uint32_t> list_index;   // add_list_user(): per (doc section, kind), its pkg_.lists index
  std::vector<FieldSlot> slots, spare_slots;  // FieldReader's table
  std::string substituted;                 // FieldReader's substitution buffer

  // Sizes to zero, capacities kept.
  void clear() {
    model_targets.clear();
    decorated.clear();
    visited.clear();
    pending.clear();
    order.clear();
    same_arch.clear();
    line_decorations.clear();
    written.clear();
    bases.clear();
    reg_spans.clear();
    edges.clear();
    ddinstalls.clear();
    variants.clear();
    alternatives.clear();
    list_index.clear();
    slots.clear();
    spare_slots.clear();
  }
  // Roughly what it holds on to (the vectors' capacities): a scratch grown by one very large
  // package is not kept for the next (see ScratchLease).
  std::size_t capacity_bytes() const {
    return model_targets.capacity() * sizeof(std::size_t) + decorated.capacity() * sizeof(decorated[0]) +
           visited.capacity_bytes() + pending.capacity() * sizeof(PendingOp) + order.capacity() * sizeof(order[0]) +
           reg_spans.capacity() * sizeof(reg_spans[0]) + edges.capacity() * sizeof(edges[0]) +
           ddinstalls.capacity() * sizeof(std::size_t) + list_index.capacity() * sizeof(std::uint32_t) +
           (slots.capacity() + spare_slots.capacity()) * sizeof(FieldSlot) + substituted.capacity() +
           (same_arch.capacity() + line_decorations.capacity() + alternatives.capacity()) * sizeof(void*) +
           variants.capacity() * sizeof(Variant) +
           (written.capacity() + bases.capacity()) * sizeof(std::string_view);
  }
};

// The thread's BuildScratch for one Builder: taken from the thread's cache, or made anew when the
// cache is empty (the first package of a thread, or a Builder made while another one on the same
// thread holds the cache), and given back cleared when the Builder is done.
class ScratchLease {
 public:
  ScratchLease() : scratch_(std::move(cached())) {
    if (!scratch_) scratch_ = std::make_unique<BuildScratch>();
  }
  ~ScratchLease() {
    scratch_->clear();
    if (!cached() && scratch_->capacity_bytes() <= kLargestKept) cached() = std::move(scratch_);
  }
  ScratchLease(const ScratchLease&) = delete;
  ScratchLease& operator=(const ScratchLease&) = delete;
  BuildScratch& get() { return *scratch_; }

 private:
  // A scratch that grew past this for one large package is freed with it: what a thread keeps
  // between packages stays small next to a document.
  static constexpr std::size_t kLargestKept = std::size_t{1} << 20;
  static std::unique_ptr<BuildScratch>& cached() {
    thread_local std::unique_ptr<BuildScratch> scratch;
    return scratch;
  }
  std::unique_ptr<BuildScratch> scratch_;
};

// A bit for a last name component (".HW", ".Services" …) from its length and last letter: a
// section ending in a sub-section suffix exists only where the suffix's bit is set.
constexpr std::uint64_t component_bit(std::string_view component) {
  return std::uint64_t{1} << ((component.size() * 7 + static_cast<unsigned char>(lower_ascii(component.back()))) & 63);
}
// The bits of kSubsections' suffixes, computed once.
constexpr auto kSuffixBits = [] {
  std::array<std::uint64_t, std::size(kSubsections)> out{};
  for (std::size_t k = 0; k < out.size(); ++k) {
    const std::string_view suffix = kSubsections[k].suffix;
    out[k] = component_bit(suffix.substr(suffix.rfind('.')));
  }
  return out;
}();

// Builder::list_directive_of reads the first eight rows of kDirectives by position.
static_assert(std::string_view(kDirectives[0].name) == "CopyFiles" && std::string_view(kDirectives[1].name) == "DelFiles" &&
              std::string_view(kDirectives[2].name) == "RenFiles" && std::string_view(kDirectives[3].name) == "AddReg" &&
              std::string_view(kDirectives[4].name) == "DelReg" && std::string_view(kDirectives[5].name) == "BitReg" &&
              std::string_view(kDirectives[6].name) == "AddProperty" && std::string_view(kDirectives[7].name) == "DelProperty");

class Builder {
 public:
  Builder(const inf::Document& doc, const inf::Target& t) : doc_(doc) {
    pkg_.doc = &doc;
    pkg_.target = t;
    pkg_.section_used.assign(doc.section_count(), false);
    pkg_.section_targets.assign(doc.section_count(), 0);
    pkg_.payload = payload_files(doc, t.arch);
    index_sections();
    // Room for a typical package (sub600: 4.4 install sections and 7.4 references per INF), so
    // that these vectors of large records do not grow from 1 through 2 and 4.
    pkg_.sections.reserve(8);
    pkg_.references.reserve(16);
    // The walk's scratch buffers, once per package instead of growing from 1.
    s_.pending.reserve(32);
    s_.order.reserve(32);
  }

  // Only `needed` (a Needs of another INF) and what it reaches.
  Package build_needed(const NeededSection& needed) {
    // The caller's names do not live as long as the package: the section's own are kept in the arena.
    const std::size_t i = add_section(needed.name, {}, needed.role, std::nullopt, nullptr, pkg_.arena.store(needed.service));
    s_.visited.try_emplace(VisitKey{pkg_.sections[i].name, VisitKind::needs, static_cast<int>(needed.role), pkg_.sections[i].service}, i);
    process(i);
    bind_reg_fields();
    return std::move(pkg_);
  }

  Package build() {
    read_models();
    // Each DDInstall base once, at its first Models entry. Entries of one base usually follow
    // each other: those repeat the previous entry's base and skip the set.
    // (A sorted vector: one allocation, not a node per base.)
    std::vector<std::string_view>& bases = s_.bases;
    bases.clear();
    std::string_view previous;
    for (const auto& m : pkg_.models) {
      if (m.install_base.empty() || (!previous.empty() && iequals(m.install_base, previous))) continue;
      previous = m.install_base;
      const auto at = std::lower_bound(bases.begin(), bases.end(), m.install_base, CiLess{});
      if (at != bases.end() && !CiLess{}(m.install_base, *at)) continue;
      bases.insert(at, m.install_base);
      add_root(m.install_base, SectionRole::ddinstall, &m.line);
    }
    add_root("DefaultInstall", SectionRole::default_install, nullptr);
    add_root("DefaultUninstall", SectionRole::default_uninstall, nullptr);
    add_root("ClassInstall32", SectionRole::class_install, nullptr);
    read_interface_install32();
    read_remaining_service_values();
    mark_downlevel_targets();
    propagate_targets();
    bind_reg_fields();
    return std::move(pkg_);
  }

 private:
  // RegOp::data / raw_data become spans of pkg_.reg_fields once it has stopped growing; while the
  // walk runs they are (offset, count) in s_.reg_spans.
  void bind_reg_fields() {
    const std::string_view* base = pkg_.reg_fields.data();
    for (std::size_t i = 0; i < pkg_.regs.size(); ++i) {
      const auto [at, n] = s_.reg_spans[i];
      pkg_.regs[i].data = std::span<const std::string_view>(base + at, n);
      pkg_.regs[i].raw_data = std::span<const std::string_view>(base + at + n, n);
    }
  }

  // Whether a section name is one the package always uses ([Version], [Strings.0409] …): the name
  // or its decorated forms. Every section name is asked: a switch on the first letter leaves at
  // most four names to compare, and none for most names.
  static bool is_well_known(std::string_view n) {
    if (n.empty()) return false;
    const auto is = [n](std::string_view p) {
      return (n.size() == p.size() || (n.size() > p.size() && n[p.size()] == '.')) && iequals(n.substr(0, p.size()), p);
    };
    switch (lower_ascii(n[0])) {
      case 'v': return is("version");
      case 's': return is("strings") || is("sourcedisksnames") || is("sourcedisksfiles") || is("signatureattributes");
      case 'd': return is("destinationdirs") || is("defaultuninstall");
      case 'm': return is("manufacturer");
      case 'c': return is("controlflags");
      case 'p': return is("packageinstall");
      default: return false;
    }
  }

  void read_models() {
    auto mfg = doc_.section("Manufacturer");
    if (!mfg) return;
    // An exact target reads, per Manufacturer line, the one Models section SetupAPI picks.
    std::vector<inf::ManufacturerEntry> chosen;
    if (pkg_.target.exact) chosen = doc_.manufacturers(pkg_.target);
    std::size_t line_no = 0;
    // Reused for every line: the decorations of the line (in the package, shared by every entry
    // of their Models section instead of copied into each) and the Models section name probed.
    std::vector<const inf::OsDecoration*>& line_decorations = s_.line_decorations;
    std::vector<std::string_view>& written = s_.written;  // each decoration as written (trimmed, substituted)
    std::string& name = s_.models_name;
    std::string& buf = s_.arch_buf;
    for (inf::Line line : *mfg) {
      const std::string_view base = trim_view(fields_.field(line, 0));
      line_decorations.clear();
      written.clear();
      if (line.has_key()) {
        for (std::size_t i = 1; i < line.field_count(); ++i) {
          const std::string_view dec = trim_view(fields_.field(line, i));
          if (dec.empty()) continue;
          pkg_.model_decorations.push_back(std::make_unique<inf::OsDecoration>(inf::parse_os_decoration(with_target_arch(dec, buf))));
          line_decorations.push_back(pkg_.model_decorations.back().get());
          written.push_back(dec);
        }
      }
      const inf::ManufacturerEntry* pick = line_no < chosen.size() ? &chosen[line_no] : nullptr;
      ++line_no;
      // The undecorated Models section, then one per decoration; decorations of one line are
      // alternatives, and those a newer one replaces before /wbuild are downlevel.
      for (std::size_t c = 0; c <= line_decorations.size(); ++c) {
        const inf::OsDecoration* dec = c == 0 ? nullptr : line_decorations[c - 1];
        name.assign(base);
        if (dec) name.append(".").append(written[c - 1]);  // as written: an unstamped $ARCH$ stays
        if (pick && !inf::iequals(name, pick->chosen_section)) continue;
        auto sec = doc_.section(name);
        if (!sec) continue;
        pkg_.section_used[sec->index()] = true;
        const std::size_t target = dec ? target_index(dec->text, dec, line_decorations) : npos;
        add_model_entries(*sec, dec, target);
      }
    }
  }

  void add_model_entries(const inf::Section& sec, const inf::OsDecoration* dec, std::size_t target) {
    reserve_more(pkg_.models, sec.line_count());
    reserve_more(s_.model_targets, sec.line_count());
    for (inf::Line l : sec) {
      ModelEntry& m = pkg_.models.emplace_back();
      m.line = l;
      m.models_section = sec.name();
      m.description = fields_.key(l).value_or(std::string_view());
      m.install_base = trim_view(fields_.field(l, 0));
      const std::size_t n = l.field_count();
      if (n > 1) m.hardware_ids.reserve(n - 1);
      for (std::size_t i = 1; i < n; ++i) m.hardware_ids.push_back(trim_view(fields_.field(l, i)));
      m.decoration = dec;
      s_.model_targets.push_back(target);
    }
  }

  // An unstamped $ARCH$ in a decoration stands for the architecture being checked: `text` itself
  // when it has none, else the replaced text in `buf`.
  std::string_view with_target_arch(std::string_view text, std::string& buf) const {
    const std::size_t p = text.find("$ARCH$");
    if (p == std::string_view::npos) return text;
    buf.assign(text).replace(p, 6, inf::arch_name(pkg_.target.arch));
    return buf;
  }

  // The index of a target OS in pkg_.targets, added on first use. `alternatives` are the other
  // decorations of the same Manufacturer line or install section (for the downlevel test).
  std::size_t target_index(std::string_view text, const inf::OsDecoration* dec,
                           const std::vector<const inf::OsDecoration*>& alternatives) {
    const std::string_view shown = text.empty() ? std::string_view("NT") : text;
    std::size_t i = 0;
    for (; i < pkg_.targets.size(); ++i) {
      if (inf::iequals(pkg_.targets[i].decoration, shown)) break;
    }
    if (i == pkg_.targets.size()) {
      if (pkg_.targets.capacity() == 0) pkg_.targets.reserve(4);  // a package declares a few
      pkg_.targets.push_back(TargetOs{shown, true});
    }
    // Downlevel only when it is downlevel in every place that declares it.
    if (!is_downlevel(dec, alternatives)) pkg_.targets[i].downlevel = false;
    pkg_.targets[i].last_build = std::max(pkg_.targets[i].last_build, last_build_of(dec, alternatives));
    return i;
  }

  // The last build before the next newer alternative of the same architecture takes over.
  static std::uint32_t last_build_of(const inf::OsDecoration* dec, const std::vector<const inf::OsDecoration*>& alternatives) {
    constexpr std::uint32_t kNever = std::numeric_limits<std::uint32_t>::max();
    if (!dec || !dec->valid) return kNever;
    const std::uint32_t own = dec->build.value_or(0);
    std::uint32_t next = kNever;
    for (const auto* o : alternatives) {
      if (o == dec || !o->valid || !o->build || *o->build <= own) continue;
      if (dec->arch && o->arch && *dec->arch != *o->arch) continue;
      if (o->product_type || o->suite_mask) continue;  // applies to some editions only
      next = std::min(next, *o->build);
    }
    return next == kNever ? kNever : next - 1;
  }

  // A decoration is downlevel when, on the build where /w is enforced (Target::w_from_build,
  // InfVerif's /wbuild) and so on every later one, another alternative of the same architecture
  // outranks it: the section it selects is only used on older systems.
  bool is_downlevel(const inf::OsDecoration* dec, const std::vector<const inf::OsDecoration*>& alternatives) {
    if (!dec || !dec->valid) return false;
    inf::Target enforced;
    enforced.major = 10;
    enforced.minor = 0;
    enforced.build = pkg_.target.w_from_build;
    for (inf::Arch a : kArches) {
      if (dec->arch && *dec->arch != a) continue;
      enforced.arch = a;
      std::vector<const inf::OsDecoration*>& same = s_.same_arch;  // one buffer for the package
      same.assign(1, dec);
      for (const auto* o : alternatives) {
        if (o != dec && o->valid && (!o->arch || *o->arch == a)) same.push_back(o);
      }
      const inf::OsDecoration* best = inf::best_decoration(same, enforced);
      if (!best || best == dec) return false;
      // `dec` may still be the one used on later builds when it asks for a newer version.
      if (!inf::os_decoration_applies(*dec, enforced) && dec->major.value_or(0) >= 10) return false;
    }
    return true;
  }

  // One pass over the section names: the sections the package always uses, every section named
  // <base>.<decoration> (the decorated variants of an install section), the last components of
  // the names (add_root probes only for sub-section suffixes some name ends like), and whether
  // any name ends in ".security" (reference() probes for one only then).
  void index_sections() {
    for (std::size_t i = 0; i < doc_.section_count(); ++i) {
      const std::string_view name = doc_.section_at(i).name();
      if (is_well_known(name)) pkg_.section_used[i] = true;
      const std::size_t first_dot = name.find('.');
      if (first_dot == std::string_view::npos) continue;  // no decoration, sub-section or ".security"
      if (const std::size_t dot = name.rfind('.'); dot > 0) last_components_ |= component_bit(name.substr(dot));
      constexpr std::string_view kSecurity = ".security";
      if (name.size() > kSecurity.size() && lower_ascii(name.back()) == 'y' &&
          iequals(name.substr(name.size() - kSecurity.size()), kSecurity)) {
        has_security_ = true;
      }
      // A decoration is a component NT, NT<arch> or NT$ARCH$ (inf::split_decoration): a name
      // without ".NT" has none, and most names are skipped without splitting them.
      if (!has_nt_component(name, first_dot)) continue;
      const inf::DecoratedName n = inf::split_decoration(name);
      if (n.decoration.empty() || !n.rest.empty()) continue;
      s_.decorated.push_back(DecoratedSection{n.base, n.decoration, static_cast<std::uint32_t>(i)});
    }
    // By base, each base's sections in document order (a sorted vector: no node per base). The
    // index breaks ties as a stable sort would keep them, without stable_sort's buffer.
    std::sort(s_.decorated.begin(), s_.decorated.end(), [](const DecoratedSection& a, const DecoratedSection& b) {
      if (CiLess{}(a.base, b.base)) return true;
      return !CiLess{}(b.base, a.base) && a.doc_index < b.doc_index;
    });
  }

  // Whether a component after the dot at `p` (the first one) starts with "NT", in any case.
  static bool has_nt_component(std::string_view name, std::size_t p) {
    for (; p != std::string_view::npos && p + 2 < name.size(); p = name.find('.', p + 1)) {
      if (lower_ascii(name[p + 1]) == 'n' && lower_ascii(name[p + 2]) == 't') return true;
    }
    return false;
  }

  // Fills `out` (cleared first) with the variants of `base`.
  void variants_of(std::string_view base, std::vector<Variant>& out) {
    out.clear();
    std::string& buf = s_.arch_buf;
    const auto [from, to] = std::equal_range(s_.decorated.begin(), s_.decorated.end(), DecoratedSection{base, {}, 0},
                                             [](const DecoratedSection& a, const DecoratedSection& b) { return CiLess{}(a.base, b.base); });
    // Room at once for the variants (the buffer is the thread's: it rarely needs to grow).
    if (to != from) out.reserve(1 + static_cast<std::size_t>(to - from));
    if (auto s = doc_.section(base)) out.push_back({s->name(), s->index(), std::nullopt, {}, std::nullopt});
    for (auto at = from; at != to; ++at) {
      const std::uint32_t i = at->doc_index;
      Variant v{doc_.section_at(i).name(), i, std::nullopt, at->decoration,
                inf::parse_os_decoration(with_target_arch(at->decoration, buf))};
      if (v.os->valid) v.arch = v.os->arch;
      out.push_back(std::move(v));
    }
  }

  // SetupAPI's pick among the variants for an exact target: the best applicable decoration, else
  // the undecorated section.
  static void keep_best(std::vector<Variant>& variants, const inf::Target& t) {
    std::vector<const inf::OsDecoration*> decs;
    for (const auto& v : variants) {
      if (v.os) decs.push_back(&*v.os);
    }
    const inf::OsDecoration* best = inf::best_decoration(decs, t);
    std::vector<Variant> out;
    for (auto& v : variants) {
      if (best ? (v.os && &*v.os == best) : !v.os) {
        out.push_back(std::move(v));
        break;
      }
    }
    variants = std::move(out);
  }

  void add_root(std::string_view base, SectionRole role, const inf::Line* ref) {
    std::vector<Variant>& variants = s_.variants;  // add_root does not recurse: one buffer
    variants_of(base, variants);
    if (pkg_.target.exact) keep_best(variants, pkg_.target);
    if (variants.empty()) {
      // Models entries name a DDInstall that does not exist: keep it so rules can say so.
      if (ref) add_section(doc_.actual_install_section(base, pkg_.target.arch), base, role, std::nullopt, ref);
      return;
    }
    std::vector<const inf::OsDecoration*>& alternatives = s_.alternatives;
    alternatives.clear();
    for (const auto& v : variants) {
      if (v.os) alternatives.push_back(&*v.os);
    }
    const bool removal = role == SectionRole::default_uninstall;
    for (auto& v : variants) {
      // A DDInstall's targets are those of the Models sections that name it (propagate_targets);
      // DefaultInstall and DefaultUninstall variants are targets of their own.
      const std::size_t target =
          role == SectionRole::ddinstall ? npos : target_index(v.decoration, v.os ? &*v.os : nullptr, alternatives);
      std::size_t idx = add_section_at(doc_.section_at(v.doc_index), {}, base, role, v.arch, ref);
      pkg_.sections[idx].removal = removal;
      pkg_.sections[idx].target = target;
      process(idx);
      for (std::size_t k = 0; k < std::size(kSubsections); ++k) {
        const Subsection& sub = kSubsections[k];
        // DefaultInstall, DefaultUninstall and ClassInstall32 have only a .Services sub-section.
        if (role != SectionRole::ddinstall && sub.suffix != ".Services") continue;
        if (!(last_components_ & kSuffixBits[k])) continue;
        s_.probe.assign(v.name).append(sub.suffix);
        const std::optional<inf::Section> found = doc_.section(s_.probe);
        if (!found) continue;
        std::size_t si = add_section_at(found, {}, base, sub.role, v.arch, nullptr, {}, idx);
        pkg_.sections[si].removal = removal || sub.suffix.substr(0, 7) == ".Remove";
        pkg_.sections[si].target = target;
        process(si);
      }
    }
  }

  // Each section's target bits: those of the Models sections and DefaultInstall variants that
  // reach it, carried from Models entries to their DDInstall variants (same architecture), from
  // roots to their sub-sections and along every reference (a section shared by several roots is
  // processed once, so the references carry the rest).
  void propagate_targets() {
    auto& bits = pkg_.section_targets;
    auto bit = [](std::size_t t) { return t < 64 ? std::uint64_t{1} << t : std::uint64_t{0}; };
    // The walk recorded each section's and reference's document section (kNoSection: absent).
    std::vector<std::pair<std::uint32_t, std::uint32_t>>& edges = s_.edges;  // (from, to) document sections
    edges.clear();
    edges.reserve(pkg_.sections.size() + pkg_.references.size());
    for (std::size_t i = 0; i < pkg_.sections.size(); ++i) {
      const auto& s = pkg_.sections[i];
      const std::uint32_t to = pkg_.sections[i].doc_section;
      if (to == kNoSection) continue;
      if (s.root == i) {
        bits[to] |= bit(s.target);
      } else if (const std::uint32_t from = pkg_.sections[s.root].doc_section; from != kNoSection) {
        edges.emplace_back(from, to);
      }
    }
    // Models entries to the DDInstall variants of their base: only existing DDInstall roots can be
    // reached, and an entry like the one before it (same Models section and base) adds nothing new.
    std::vector<std::size_t>& ddinstalls = s_.ddinstalls;
    ddinstalls.clear();
    for (std::size_t j = 0; j < pkg_.sections.size(); ++j) {
      if (pkg_.sections[j].role == SectionRole::ddinstall && pkg_.sections[j].exists) ddinstalls.push_back(j);
    }
    for (std::size_t i = 0; i < pkg_.models.size(); ++i) {
      const auto& m = pkg_.models[i];
      const std::uint32_t models_sec = m.line.section_index();
      bits[models_sec] |= bit(s_.model_targets[i]);
      if (i > 0 && pkg_.models[i - 1].line.section_index() == models_sec &&
          iequals(pkg_.models[i - 1].install_base, m.install_base)) {
        continue;
      }
      // The Models section's architecture, when its decoration names one (a plain flag and value:
      // GCC took an optional<Arch> read in this loop for uninitialized).
      const bool has_march = m.decoration && m.decoration->valid && m.decoration->arch.has_value();
      const inf::Arch march = has_march ? *m.decoration->arch : inf::Arch{};
      for (std::size_t j : ddinstalls) {
        const auto& s = pkg_.sections[j];
        if (!inf::iequals(s.base, m.install_base)) continue;
        if (has_march && s.arch && march != *s.arch) continue;
        edges.emplace_back(models_sec, pkg_.sections[j].doc_section);
      }
    }
    for (std::size_t j = 0; j < pkg_.references.size(); ++j) {
      const SectionReference& r = pkg_.references[j];
      if (r.doc_section != kNoSection) edges.emplace_back(r.line.section_index(), r.doc_section);
    }
    for (bool changed = true; changed;) {
      changed = false;
      for (auto [from, to] : edges) {
        const std::uint64_t before = bits[to];
        bits[to] |= bits[from];
        changed = changed || bits[to] != before;
      }
    }
  }

  // Root sections carry their target; nested sections inherit the removal flag of their root.
  void mark_downlevel_targets() {
    for (auto& s : pkg_.sections) {
      if (pkg_.sections[s.root].removal) s.removal = true;
      if (s.target == npos) s.target = pkg_.sections[s.root].target;
    }
  }


  // `root` is the index of the root section it was reached from; npos makes the new section a root.
  // `base` and `service` are views that live as long as the package (document or arena); `name`
  // may be a temporary: an absent section's name is kept in the arena.
  std::size_t add_section(std::string_view name, std::string_view base, SectionRole role, std::optional<inf::Arch> arch,
                          const inf::Line* ref, std::string_view service = {}, std::size_t root = std::string::npos) {
    return add_section_at(doc_.section(name), name, base, role, arch, ref, service, root);
  }
  // The same for a section already looked up (`sec`, nullopt when absent; `name` is then kept).
  std::size_t add_section_at(std::optional<inf::Section> sec, std::string_view name, std::string_view base, SectionRole role,
                             std::optional<inf::Arch> arch, const inf::Line* ref, std::string_view service = {},
                             std::size_t root = std::string::npos) {
    InstallSection s;
    s.root = root == std::string::npos ? pkg_.sections.size() : root;
    s.exists = sec.has_value();
    s.name = sec ? sec->name() : pkg_.arena.store(name);
    s.doc_section = sec ? static_cast<std::uint32_t>(sec->index()) : kNoSection;
    s.base = base;
    s.role = role;
    s.arch = arch;
    if (ref) {
      s.reference = *ref;
      s.has_reference = true;
    }
    s.service = service;
    if (sec) pkg_.section_used[sec->index()] = true;
    pkg_.sections.push_back(std::move(s));
    return pkg_.sections.size() - 1;
  }

  // An install root and its decorated variants, each with its sub-sections.
  void read_interface_install32() {
    auto sec = doc_.section("InterfaceInstall32");
    if (!sec) return;
    pkg_.section_used[sec->index()] = true;
    for (inf::Line l : *sec) {
      if (!l.has_key() || l.field_count() == 0) continue;
      const std::string_view target = field_view(l, 0);
      if (target.empty()) continue;
      const std::optional<inf::Section> found = reference(l, 0, "InterfaceInstall32", target);
      if (!s_.visited.try_emplace(VisitKey{target, VisitKind::interface_install, -1, {}}, pkg_.sections.size()).second) continue;
      process(add_section_at(found, target, {}, SectionRole::interface_install, std::nullopt, &l));
    }
  }

  // Records the reference and returns the section it names (looked up once: the callers go on
  // with it instead of looking the name up again).
  std::optional<inf::Section> reference(const inf::Line& line, std::size_t field, std::string_view directive,
                                        std::string_view target) {
    SectionReference r;
    r.line = line;
    r.field = field;
    r.directive = directive;
    r.target = target;
    const std::optional<inf::Section> sec = doc_.section(target);
    if (sec) {
      r.exists = true;
      pkg_.section_used[sec->index()] = true;
    }
    // A list's security descriptor section belongs to it (name built in a reused buffer), looked
    // up only when the document has a section whose name ends in ".security" at all.
    if (has_security_) {
      s_.security.assign(target);
      s_.security.append(".security");
      if (auto s = doc_.section(s_.security)) pkg_.section_used[s->index()] = true;
    }
    r.doc_section = sec ? static_cast<std::uint32_t>(sec->index()) : kNoSection;
    pkg_.references.push_back(std::move(r));
    return sec;
  }

  // The install section `target` in `role`, reached from `from` through line `l`: added and
  // processed on first use under `key`, the same entry afterwards.
  // `sec` is the section `target` names (reference() looked it up).
  std::size_t visit(const VisitKey& key, std::optional<inf::Section> sec, std::string_view target, SectionRole role,
                    const InstallSection& from, const inf::Line& l, std::string_view service = {}) {
    // The index add_section_at gives is known before: the section is appended.
    const auto [seen, inserted] = s_.visited.try_emplace(key, pkg_.sections.size());
    if (!inserted) return seen;
    const std::size_t i = add_section_at(sec, target, {}, role, from.arch, &l, service, from.root);
    process(i);
    return i;
  }

  // Field i of a line, substituted and trimmed: a view of the document's text, or of the package
  // arena when it holds a %strkey%.
  std::string_view field_view(const inf::Line& l, std::size_t i) {
    return trim_view(fields_.field(l, i));
  }

  Operation make_op(const inf::Line& l, std::string_view name, std::size_t idx, SectionRole role) const {
    Operation op;
    op.line = l;
    op.directive = name;
    op.section = idx;
    op.binding = hkr_binding_for(role);
    return op;
  }

  void process(std::size_t idx) {
    // Copies, not a reference: add_section below grows pkg_.sections.
    const InstallSection is = pkg_.sections[idx];
    if (!is.exists) return;
    const inf::Section sec = doc_.section_at(pkg_.sections[idx].doc_section);
    // This section's operations go on top of s_.pending (sections it reaches push and pop theirs
    // above them), one buffer for the whole walk instead of one per section.
    const std::size_t base = s_.pending.size();
    std::vector<PendingOp>& ops = s_.pending;
    reserve_more(pkg_.directives, sec.line_count());
    for (inf::Line l : sec) {
      if (!l.has_key()) {
        // A lone word (Reboot, Restart) is a directive without a value.
        if (auto word = l.raw_key(); word && !word->empty()) ops.push_back({make_op(l, *word, idx, is.role), apply_rank(*word)});
        continue;
      }
      // A view of the document's text: stays valid while the recursion below grows pkg_.directives.
      const std::string_view name = *l.raw_key();
      pkg_.directives.push_back(Directive{l, name, idx});
      if (iequals(name, "Include") || iequals(name, "Needs")) {
        include_or_needs(l, name, idx, is, ops);
        continue;
      }
      const DirectiveSpec* spec = find_directive(name);
      if (!spec) {
        Operation& op = ops.emplace_back(PendingOp{make_op(l, name, idx, is.role), apply_rank(name)}).op;
        if (is.role == SectionRole::wdf && name.size() > 4 && iequals(name.substr(0, 4), "Umdf")) {
          op.first = static_cast<std::uint32_t>(pkg_.wdf_settings.size());
          op.count = 1;
          add_wdf_setting(l, idx);
        } else if (iequals(name, "DelService")) {
          op.first = static_cast<std::uint32_t>(pkg_.service_deletes.size());
          op.count = 1;
          add_service_delete(l, idx);
        }
        continue;
      }
      if (spec->is_list()) list_directive(l, name, *spec, idx, is.role, ops);
      else install_directive(l, name, *spec, idx, is, ops);
    }
    if (is.role == SectionRole::service_install) read_service_values(idx);
    append_in_apply_order(idx, base);
    s_.pending.resize(base);
  }

  // kApplyOrder, then the other directives in line order, then Needs (apply_rank).
  void append_in_apply_order(std::size_t idx, std::size_t base) {
    s_.order.clear();  // (rank, position)
    for (std::size_t i = base; i < s_.pending.size(); ++i) s_.order.emplace_back(s_.pending[i].rank, i);
    std::sort(s_.order.begin(), s_.order.end());
    pkg_.sections[idx].first_op = static_cast<std::uint32_t>(pkg_.operations.size());
    pkg_.sections[idx].op_count = static_cast<std::uint32_t>(s_.pending.size() - base);
    reserve_more(pkg_.operations, s_.pending.size() - base);
    for (const auto& [rank, i] : s_.order) pkg_.operations.push_back(s_.pending[i].op);
  }

  // Include = a.inf, … and Needs = section, …: a needed section of this INF runs as part of the
  // section that needs it, in its role (so HKR keeps its meaning); sections of included inbox INFs
  // are not available here (target_section npos).
  void include_or_needs(const inf::Line& l, std::string_view name, std::size_t idx, const InstallSection& is,
                        std::vector<PendingOp>& ops) {
    constexpr std::size_t kRank = std::size(kApplyOrder) + 1;  // apply_rank of Include and Needs
    const bool needs = iequals(name, "Needs");
    for (std::size_t i = 0; i < l.field_count(); ++i) {
      const std::string_view v = field_view(l, i);
      if (v.empty()) continue;
      Operation op = make_op(l, name, idx, is.role);
      op.target = v;
      if (!needs) {
        pkg_.includes.emplace_back(v);
        ops.push_back({op, kRank});
        continue;
      }
      const std::optional<inf::Section> sec = reference(l, i, name, v);
      if (sec) {
        op.target_section = visit(VisitKey{v, VisitKind::needs, static_cast<int>(is.role), is.service}, sec, v, is.role, is, l, is.service);
      }
      ops.push_back({op, kRank});
    }
  }

  // CopyFiles / DelFiles / AddReg … = list, …: one operation per list named, with its entries.
  void list_directive(const inf::Line& l, std::string_view name, const DirectiveSpec& spec, std::size_t idx,
                      SectionRole role, std::vector<PendingOp>& ops) {
    const ListDirective what = list_directive_of(spec);
    const std::size_t rank = directive_rank(spec);
    for (std::size_t i = 0; i < l.field_count(); ++i) {
      const std::string_view target = field_view(l, i);
      if (target.empty()) continue;
      Operation op = make_op(l, name, idx, role);
      op.target = target;
      if (target[0] == '@' && (what == ListDirective::copy_files || what == ListDirective::del_files)) {
        // CopyFiles = @file copies one file; DelFiles = @file names a file, not a section
        // (DefaultUninstall sections use it).
        if (what == ListDirective::copy_files) {
          op.first = static_cast<std::uint32_t>(pkg_.copies.size());
          add_direct_copy(l, target.substr(1), idx);
          op.count = 1;
        }
        ops.push_back({op, rank});
        continue;
      }
      const std::optional<inf::Section> sec = reference(l, i, name, target);
      op.target_exists = sec.has_value();
      op.first = static_cast<std::uint32_t>(list_size(what));
      if (sec) add_list_entries(what, l, *sec, idx, role);
      op.count = static_cast<std::uint32_t>(list_size(what) - op.first);
      op.list = add_list_user(op, what, sec, i);
      ops.push_back({op, rank});
    }
  }

  // The list directives the model reads, in the order of their rows in kDirectives (checked below).
  enum class ListDirective : std::uint8_t {
    copy_files, del_files, ren_files, add_reg, del_reg, bit_reg, add_property, del_property, other
  };
  static ListDirective list_directive_of(const DirectiveSpec& spec) {
    const auto row = static_cast<std::size_t>(&spec - kDirectives);
    return row < static_cast<std::size_t>(ListDirective::other) ? static_cast<ListDirective>(row) : ListDirective::other;
  }

  void add_list_entries(ListDirective what, const inf::Line& l, const inf::Section& sec, std::size_t idx, SectionRole role) {
    switch (what) {
      case ListDirective::copy_files: add_list_copies(l, sec, idx); break;
      case ListDirective::del_files: add_file_changes(FileChangeKind::del, l, sec, idx); break;
      case ListDirective::ren_files: add_file_changes(FileChangeKind::ren, l, sec, idx); break;
      case ListDirective::add_reg: add_regs(RegOpKind::add, sec, idx, role); break;
      case ListDirective::del_reg: add_regs(RegOpKind::del, sec, idx, role); break;
      case ListDirective::bit_reg: add_regs(RegOpKind::bit, sec, idx, role); break;
      case ListDirective::add_property: add_properties(PropertyOpKind::add, sec, idx); break;
      case ListDirective::del_property: add_properties(PropertyOpKind::del, sec, idx); break;
      case ListDirective::other: break;
    }
  }

  // The kind of list a directive names; nullopt for lists the model does not read.
  static std::optional<ListKind> list_kind(ListDirective what) {
    switch (what) {
      case ListDirective::copy_files: return ListKind::copies;
      case ListDirective::del_files:
      case ListDirective::ren_files: return ListKind::file_changes;
      case ListDirective::add_reg:
      case ListDirective::del_reg:
      case ListDirective::bit_reg: return ListKind::regs;
      case ListDirective::add_property:
      case ListDirective::del_property: return ListKind::properties;
      case ListDirective::other: break;
    }
    return std::nullopt;
  }

  // Records `op` as a user of the list section it names (`sec`): the list's one entry, made on first use.
  std::size_t add_list_user(const Operation& op, ListDirective what, const std::optional<inf::Section>& sec, std::size_t field) {
    const std::optional<ListKind> kind = list_kind(what);
    if (!kind || !sec) return Operation::npos;
    // (document section, kind) -> pkg_.lists index (kNoSection: none yet), a flat table made on the first list.
    static_assert(static_cast<std::size_t>(ListKind::properties) + 1 == kListKinds);
    if (s_.list_index.empty()) {
      s_.list_index.assign(doc_.section_count() * kListKinds, kNoSection);
      pkg_.lists.reserve(8);  // sub600: 5 lists per package; room for them at once
    }
    std::uint32_t& at = s_.list_index[sec->index() * kListKinds + static_cast<std::size_t>(*kind)];
    if (at == kNoSection) {
      at = static_cast<std::uint32_t>(pkg_.lists.size());
      pkg_.lists.push_back(ListSection{sec->name(), sec->index(), *kind, {}});
    }
    pkg_.lists[at].users.push_back(ListUser{op.line, field, op.directive, op.target, op.section, op.binding, op.first, op.count});
    return at;
  }

  // The size of the vector a list directive's entries go to (0 for lists the model does not read).
  std::size_t list_size(ListDirective what) const {
    const std::optional<ListKind> kind = list_kind(what);
    if (!kind) return 0;
    switch (*kind) {
      case ListKind::copies: return pkg_.copies.size();
      case ListKind::file_changes: return pkg_.file_changes.size();
      case ListKind::regs: return pkg_.regs.size();
      case ListKind::properties: return pkg_.properties.size();
    }
    return 0;
  }

  // AddService / AddInterface / KmdfService … = …, install-section: the record, then the section
  // it names, processed in the role the directive gives it.
  void install_directive(const inf::Line& l, std::string_view name, const DirectiveSpec& spec, std::size_t idx,
                         const InstallSection& is, std::vector<PendingOp>& ops) {
    Operation op = make_op(l, name, idx, is.role);
    op.count = 1;
    const bool add_svc = iequals(name, "AddService");
    if (add_svc) {
      op.first = static_cast<std::uint32_t>(pkg_.services.size());
      add_service(l, idx);
    } else if (iequals(name, "KmdfService") || iequals(name, "UmdfService")) {
      op.first = static_cast<std::uint32_t>(pkg_.wdf_services.size());
      add_wdf_service(l, idx, iequals(name, "UmdfService"));
    } else if (iequals(name, "AddInterface")) {
      op.first = static_cast<std::uint32_t>(pkg_.interfaces.size());
      add_interface(l, idx);
    } else {
      op.count = 0;
    }
    const std::size_t f = static_cast<std::size_t>(spec.only_field);
    const std::string_view target = f < l.field_count() ? field_view(l, f) : std::string_view();
    if (!target.empty()) {
      op.target = target;
      const std::optional<inf::Section> sec = reference(l, f, name, target);
      if (spec.kind != NamedKind::data) {
        const SectionRole sub = spec.target_role == SectionRole::other ? is.role : spec.target_role;
        const std::string_view service = add_svc ? field_view(l, 0) : std::string_view();
        op.target_section = visit(VisitKey{target, VisitKind::directive, static_cast<int>(sub), service}, sec, target, sub, is, l, service);
      }
    }
    if (add_svc && l.field_count() > 3) {
      const std::string_view el = field_view(l, 3);
      if (!el.empty()) {
        const std::optional<inf::Section> sec = reference(l, 3, name, el);
        const std::string_view service = field_view(l, 0);
        op.event_section = visit(VisitKey{el, VisitKind::eventlog, -1, service}, sec, el, SectionRole::eventlog_install, is, l, service);
      }
    }
    if (add_svc) link_service(op);
    else if (iequals(name, "AddInterface")) pkg_.interfaces[op.first].install_index = op.target_section;
    ops.push_back({op, directive_rank(spec)});
  }

  void link_service(const Operation& op) {
    ServiceInstall& svc = pkg_.services[op.first];
    svc.install_index = op.target_section;
    svc.eventlog_index = op.event_section;
  }

  void read_service_values(std::size_t idx) {
    const InstallSection& is = pkg_.sections[idx];
    for (auto& svc : pkg_.services) {
      if (svc.install_exists || !iequals(svc.install_section, is.name) || !iequals(svc.name, is.service)) continue;
      fill_service_values(svc);
    }
  }

  // A service-install section is processed once per service name, so an AddService that names an
  // already processed section gets its values here.
  void read_remaining_service_values() {
    for (auto& svc : pkg_.services) {
      if (!svc.install_exists && !svc.install_section.empty() && doc_.has_section(svc.install_section)) {
        fill_service_values(svc);
      }
    }
  }

  void fill_service_values(ServiceInstall& svc) {
    auto sec = doc_.section(svc.install_section);
    if (!sec) return;
    svc.install_exists = true;
    svc.values.reserve(sec->line_count());
    for (inf::Line l : *sec) {
      if (!l.has_key()) continue;
      const std::string_view k = *l.raw_key();
      const ServiceKey key = service_key(k);
      if (key == ServiceKey::other) {
        svc.values.add(k, l);
        continue;
      }
      // The value is read (and substituted) only for the directives kept here: a DisplayName's
      // %strkey% was substituted once by read_service_text, not a second time for nothing.
      if (svc.values.add(k, l)) read_service_text(svc, key, l);
      switch (key) {
        case ServiceKey::service_type: svc.service_type = parse_flags(field_view(l, 0)); break;
        case ServiceKey::start_type: svc.start_type = parse_flags(field_view(l, 0)); break;
        case ServiceKey::error_control: svc.error_control = parse_flags(field_view(l, 0)); break;
        case ServiceKey::service_binary:
          svc.service_binary = field_view(l, 0);
          svc.service_binary_raw = l.field_count() ? l.raw_field(0) : std::string_view();
          break;
        default: break;
      }
    }
  }

  // The service-install directives the model keeps a value of.
  enum class ServiceKey : std::uint8_t {
    other, service_type, start_type, error_control, service_binary, display_name, description, load_order_group,
    start_name, dependencies
  };
  // Which one `k` names, ASCII case-insensitively: by length first (at most three names share one),
  // where nine iequals a key cost ~0.6 M on sub600.
  static ServiceKey service_key(std::string_view k) {
    switch (k.size()) {
      case 9:
        if (iequals(k, "starttype")) return ServiceKey::start_type;
        if (iequals(k, "startname")) return ServiceKey::start_name;
        return ServiceKey::other;
      case 11:
        if (iequals(k, "servicetype")) return ServiceKey::service_type;
        if (iequals(k, "displayname")) return ServiceKey::display_name;
        if (iequals(k, "description")) return ServiceKey::description;
        return ServiceKey::other;
      case 12:
        if (iequals(k, "errorcontrol")) return ServiceKey::error_control;
        if (iequals(k, "dependencies")) return ServiceKey::dependencies;
        return ServiceKey::other;
      case 13: return iequals(k, "servicebinary") ? ServiceKey::service_binary : ServiceKey::other;
      case 14: return iequals(k, "loadordergroup") ? ServiceKey::load_order_group : ServiceKey::other;
      default: return ServiceKey::other;
    }
  }

  // The first DisplayName, Description, LoadOrderGroup, StartName and Dependencies line's values.
  void read_service_text(ServiceInstall& svc, ServiceKey key, const inf::Line& l) {
    switch (key) {
      case ServiceKey::display_name: svc.display_name = field_view(l, 0); break;
      case ServiceKey::description: svc.description = field_view(l, 0); break;
      case ServiceKey::load_order_group: svc.load_order_group = field_view(l, 0); break;
      case ServiceKey::start_name: svc.start_name = field_view(l, 0); break;
      case ServiceKey::dependencies:
        for (std::size_t i = 0; i < l.field_count(); ++i) {
          const std::string_view d = field_view(l, i);
          if (!d.empty()) svc.dependencies.push_back(d);
        }
        break;
      default: break;
    }
  }

  void add_service(const inf::Line& l, std::size_t ctx) {
    ServiceInstall s;
    s.directive = l;
    s.context = ctx;
    s.name = field_view(l, 0);
    s.flags = l.field_count() > 1 && !field_view(l, 1).empty() ? parse_flags(fields_.field(l, 1))
                                                               : std::optional<std::uint32_t>(0);
    s.install_section = field_view(l, 2);
    s.eventlog_section = field_view(l, 3);
    s.eventlog_type = field_view(l, 4);
    s.event_name = field_view(l, 5);
    pkg_.services.push_back(std::move(s));
  }

  void add_service_delete(const inf::Line& l, std::size_t ctx) {
    ServiceDelete d;
    d.directive = l;
    d.context = ctx;
    d.name = field_view(l, 0);
    d.flags_text = field_view(l, 1);
    d.flags = d.flags_text.empty() ? std::optional<std::uint32_t>(0) : parse_flags(d.flags_text);
    d.eventlog_type = field_view(l, 2);
    d.event_name = field_view(l, 3);
    pkg_.service_deletes.push_back(std::move(d));
  }

  void add_wdf_service(const inf::Line& l, std::size_t ctx, bool umdf) {
    WdfService w;
    w.directive = l;
    w.context = ctx;
    w.umdf = umdf;
    // Fields read through the package's reader (the values Line::field gives, trimmed) and
    // names compared in any case: no substituted or lower-case copy made only to be compared.
    w.name = field_view(l, 0);
    w.install_section = l.field_count() > 1 ? field_view(l, 1) : std::string_view();
    if (auto sec = doc_.section(w.install_section); sec && !w.install_section.empty()) {
      w.install_exists = true;
      for (inf::Line e : *sec) {
        if (!e.has_key()) continue;
        const std::string_view k = *e.raw_key();
        std::vector<std::string> fields;
        fields.reserve(e.field_count());
        for (std::size_t i = 0; i < e.field_count(); ++i) fields.emplace_back(field_view(e, i));
        if (iequals(k, "kmdflibraryversion") || iequals(k, "umdflibraryversion")) w.library_version = fields.empty() ? "" : fields[0];
        if (iequals(k, "servicebinary")) {
          w.service_binary = fields.empty() ? "" : fields[0];
          w.service_binary_raw = e.field_count() ? std::string(e.raw_field(0)) : std::string();
          w.service_binary_line = e;
        }
        w.values.emplace_back(std::string(*e.raw_key()), std::move(fields));
      }
    }
    pkg_.wdf_services.push_back(std::move(w));
  }

  void add_wdf_setting(const inf::Line& l, std::size_t ctx) {
    WdfSetting w;
    w.line = l;
    w.context = ctx;
    w.name = std::string(*l.raw_key());
    for (std::size_t i = 0; i < l.field_count(); ++i) {
      const std::string_view v = field_view(l, i);
      if (!v.empty()) w.values.emplace_back(v);
    }
    pkg_.wdf_settings.push_back(std::move(w));
  }

  void add_interface(const inf::Line& l, std::size_t ctx) {
    InterfaceInstall i;
    i.directive = l;
    i.context = ctx;
    i.guid = field_view(l, 0);
    i.reference = field_view(l, 1);
    i.install_section = field_view(l, 2);
    if (l.field_count() > 3) i.flags = parse_flags(fields_.field(l, 3));
    pkg_.interfaces.push_back(std::move(i));
  }

  void add_regs(RegOpKind kind, const inf::Section& sec, std::size_t ctx, SectionRole role) {
    const std::string_view sec_name = sec.name();
    const HkrBinding binding = hkr_binding_for(role);
    reserve_more(pkg_.regs, sec.line_count());
    reserve_more(s_.reg_spans, sec.line_count());
    for (inf::Line l : sec) {
      const LineFields f(doc_, l);
      RegOp& op = pkg_.regs.emplace_back();
      op.kind = kind;
      op.line = l;
      op.reg_section = sec_name;
      op.context = ctx;
      op.binding = binding;
      if (f.count > 0) op.root = root_name(f.trimmed(0, fields_));
      if (f.count > 1) op.subkey = f.view(1, fields_);
      if (f.count > 2) op.value_name = f.view(2, fields_);
      if (f.count > 3) {
        op.flags_text = f.trimmed(3, fields_);
        op.flags = op.flags_text.empty() ? std::optional<std::uint32_t>(0) : parse_flags(op.flags_text);
      } else {
        op.flags = 0;
      }
      if (kind == RegOpKind::add && op.flags) op.reg_type = addreg::value_type(*op.flags);
      op.devnode_property = binding == HkrBinding::device_parameters && op.root == "HKR" && trim_view(op.subkey).empty() &&
                            op.value_name && is_devnode_property(*op.value_name);
      const std::size_t n = f.count > 4 ? f.count - 4 : 0;
      reserve_more(pkg_.reg_fields, 2 * n);
      s_.reg_spans.emplace_back(static_cast<std::uint32_t>(pkg_.reg_fields.size()), static_cast<std::uint32_t>(n));
      for (std::size_t i = 4; i < f.count; ++i) pkg_.reg_fields.push_back(f.view(i, fields_));
      for (std::size_t i = 4; i < f.count; ++i) pkg_.reg_fields.push_back(f.raw(i));
    }
  }

  // A registry root as the model records it: a long name the INF may use by its short name, any
  // other in upper case (a view of the document when it is written so, as it nearly always is).
  std::string_view root_name(std::string_view r) {
    // HKR, HKLM, HKCR, HKCU, HKU in upper case (nearly every entry): as written. No long name is
    // this short, and any other short text in upper case is kept as written below too.
    if (r.size() <= 4 && std::none_of(r.begin(), r.end(), [](char c) { return c >= 'a' && c <= 'z'; })) return r;
    const registry_roots::Root* known = registry_roots::find(r);
    if (known && known->inf_root && iequals(r, known->long_name)) return known->short_name;
    if (std::none_of(r.begin(), r.end(), [](char c) { return c >= 'a' && c <= 'z'; })) return r;
    return pkg_.arena.store(upper(std::string(r)));
  }

  // add-property-section / del-property-section entries (install-semantics.md §8):
  //   property-name,,,[flags],value   or   {fmtid},pid,type,[flags],value[,value…]
  void add_properties(PropertyOpKind kind, const inf::Section& sec, std::size_t ctx) {
    for (inf::Line l : sec) {
      const LineFields f(doc_, l);
      PropertyOp& op = pkg_.properties.emplace_back();
      op.kind = kind;
      op.line = l;
      op.prop_section = sec.name();
      op.context = ctx;
      read_property(f, op);
    }
  }

  static void read_property(const LineFields& f, PropertyOp& op) {
    const std::string first = f.count > 0 ? trim(f.get(0)) : std::string();
    const bool del = op.kind == PropertyOpKind::del;
    if (!first.empty() && first[0] == '{') {
      auto g = devprop::normalize_guid(first);
      if (!g) {
        op.error = "invalid property category GUID '" + first + "'";
        return;
      }
      op.key.fmtid = *g;
      const std::string pid = f.count > 1 ? trim(f.get(1)) : std::string();
      auto n = inf::parse_u32(pid);
      // Property identifiers 0 and 1 are reserved (install-semantics.md §8: pid ≥ 2).
      if (!n || *n < 2) {
        op.error = "invalid property identifier '" + pid + "' (a number of 2 or more)";
        return;
      }
      op.key.pid = *n;
      const std::string type = f.count > 2 ? trim(f.get(2)) : std::string();
      if (auto t = devprop::parse_type(type)) {
        op.type = *t;
      } else if (!del || !type.empty()) {
        op.error = "invalid property type '" + type + "' (a DEVPROP_TYPE_ number or name)";
        return;
      }
    } else {
      const devprop::Known* k = devprop::known_by_inf_name(first);
      if (!k) {
        op.error = "unknown property name '" + first +
                   "' (DeviceModel, DeviceVendorWebsite, DeviceDetailedDescription, DeviceDocumentationLink, "
                   "DeviceIcon, DeviceBrandingIcon, or {fmtid},pid,type)";
        return;
      }
      op.name = first;
      op.key = devprop::Key{k->fmtid, k->pid};
      op.type = k->type;
    }
    const std::string flags = f.count > 3 ? trim(f.get(3)) : std::string();
    auto fl = flags.empty() ? std::optional<std::uint32_t>(0) : parse_flags(flags);
    if (!fl) {
      op.error = "invalid property flags '" + flags + "'";
      return;
    }
    op.flags = *fl;
    for (std::size_t i = 4; i < f.count; ++i) op.values.push_back(f.get(i));
  }

  // What list_destination reads, as views, with [DestinationDirs] looked up once per package.
  void resolve_destination(FileCopy& c, std::string_view list) {
    if (!dest_dirs_read_) {
      dest_dirs_ = doc_.section("DestinationDirs");
      dest_dirs_read_ = true;
    }
    if (!dest_dirs_) return;
    const std::optional<DestinationEntry> d = destination_entry(*dest_dirs_, list);
    if (!d) return;
    c.has_destination = true;
    c.from_default = d->from_default;
    c.destination_line = d->line;
    // Fields 1 and 2 of the DestinationDirs line.
    c.dirid_text = trim_view(fields_.field(d->line, 0));
    c.dirid = destination_dirid(c.dirid_text);
    c.dest_subdir = trim_view(fields_.field(d->line, 1));
  }

  const PayloadFile* find_payload(std::string_view name) const {
    for (const auto& p : pkg_.payload) {
      if (iequals(p.name, name)) return &p;
    }
    return nullptr;
  }

  void add_direct_copy(const inf::Line& directive, std::string_view name, std::size_t ctx) {
    FileCopy c;
    c.line = directive;
    c.directive = directive;
    c.context = ctx;
    c.dest_name = c.source_name = trim_view(name);
    resolve_destination(c, {});
    if (auto p = find_payload(c.source_name)) c.source = *p;
    pkg_.copies.push_back(std::move(c));
  }

  void add_list_copies(const inf::Line& directive, const inf::Section& sec, std::size_t ctx) {
    const std::string_view list_name = sec.name();
    // The destination depends on the list only: resolved once, not once per entry.
    FileCopy proto;
    proto.directive = directive;
    proto.list_section = list_name;
    proto.context = ctx;
    resolve_destination(proto, list_name);
    reserve_more(pkg_.copies, sec.line_count());
    for (inf::Line l : sec) {
      FileCopy& c = pkg_.copies.emplace_back(proto);
      c.line = l;
      // SetupAPI reads file names through %strkey% substitution like any field; CI-validated
      // samples rely on it (e.g. "%DriverName%.sys" in the miniFilter INFs).
      const LineFields f(doc_, l);
      c.dest_name = f.count > 0 ? f.trimmed(0, fields_) : std::string_view();
      const std::string_view source = f.count > 1 ? f.trimmed(1, fields_) : std::string_view();
      c.source_name = !source.empty() ? source : c.dest_name;
      if (f.count > 3) {
        c.flags_text = f.trimmed(3, fields_);
        // flags_text is already substituted (one pass, as SetupAPI reads every field): a [Strings]
        // value that itself spells a %token% is not expanded again.
        c.flags = c.flags_text.empty() ? std::optional<std::uint32_t>(0) : parse_flags(c.flags_text);
      }
      if (auto p = find_payload(c.source_name)) c.source = *p;
    }
  }

  // DelFiles entries are "name[,,,flags]"; RenFiles entries are "new-name,old-name" (both literal
  // names, read through %strkey% substitution as CopyFiles entries are).
  void add_file_changes(FileChangeKind kind, const inf::Line& directive, const inf::Section& sec, std::size_t ctx) {
    FileChange proto;
    proto.kind = kind;
    proto.directive = directive;
    proto.list_section = sec.name();
    proto.context = ctx;
    proto.destination = list_destination(doc_, proto.list_section);
    for (inf::Line l : sec) {
      const LineFields f(doc_, l);
      FileChange& c = pkg_.file_changes.emplace_back(proto);
      c.line = l;
      c.name = f.count > 0 ? f.trimmed(0, fields_) : std::string_view();
      if (kind == FileChangeKind::ren) {
        c.old_name = f.count > 1 ? f.trimmed(1, fields_) : std::string_view();
      } else if (f.count > 3) {
        const std::string_view flags = f.trimmed(3, fields_);
        c.flags = flags.empty() ? std::optional<std::uint32_t>(0) : parse_flags(flags);
      }
    }
  }

  static constexpr std::size_t npos = static_cast<std::size_t>(-1);
  static constexpr std::uint32_t kNoSection = static_cast<std::uint32_t>(-1);
  const inf::Document& doc_;
  Package pkg_;
  ScratchLease lease_;           // the walk's tables and buffers (BuildScratch), the thread's
  BuildScratch& s_ = lease_.get();
  // Every field the model reads, substituted (see FieldReader).
  FieldReader fields_{pkg_.arena, s_.slots, s_.spare_slots, s_.substituted};
  static constexpr std::size_t kListKinds = 4;  // ListKind's values
  bool has_security_ = false;              // some section's name ends in ".security"
  std::uint64_t last_components_ = 0;      // component_bit of every name's last component
  std::optional<inf::Section> dest_dirs_;  // resolve_destination(): [DestinationDirs]
  bool dest_dirs_read_ = false;
};

}  // namespace

bool ServiceValues::add(std::string_view name, const inf::Line& line) {
  const auto at = std::lower_bound(entries_.begin(), entries_.end(), name,
                                   [](const Entry& e, std::string_view n) { return CiLess{}(e.first, n); });
  if (at != entries_.end() && iequals(at->first, name)) return false;
  entries_.emplace(at, name, line);
  return true;
}

ServiceValues::const_iterator ServiceValues::find(std::string_view name) const {
  // A section holds a dozen names at most, which the length alone tells apart nearly always: a
  // linear scan that compares letters only at an equal length costs less than a binary search
  // comparing a shared "service…" prefix letter by letter at every step.
  for (auto at = entries_.begin(); at != entries_.end(); ++at) {
    if (at->first.size() == name.size() && iequals(at->first, name)) return at;
  }
  return entries_.end();
}

std::optional<ListDestination> list_destination(const inf::Document& doc, std::string_view list) {
  auto dd = doc.section("DestinationDirs");
  if (!dd) return std::nullopt;
  const std::optional<DestinationEntry> e = destination_entry(*dd, list);
  if (!e) return std::nullopt;
  ListDestination d;
  d.line = e->line;
  d.from_default = e->from_default;
  d.dirid_text = e->line.field_count() ? trim(e->line.field(0)) : std::string();
  d.dirid = destination_dirid(d.dirid_text);
  d.subdir = e->line.field_count() > 1 ? trim(e->line.field(1)) : std::string();
  return d;
}

bool sections_coinstall(const Package& pkg, std::size_t a, std::size_t b) {
  const auto& sa = pkg.sections[a];
  const auto& sb = pkg.sections[b];
  if (sa.removal != sb.removal) return false;
  if (sa.arch && sb.arch && *sa.arch != *sb.arch) return false;
  if (sa.root == sb.root) return true;
  const auto& ra = pkg.sections[sa.root];
  const auto& rb = pkg.sections[sb.root];
  if (ra.role != SectionRole::ddinstall || rb.role != SectionRole::ddinstall) return false;
  if (ra.base.empty() || rb.base.empty() || iequals(ra.base, rb.base)) return false;
  // Two DDInstalls install together when some Models section (same decoration) names both.
  auto decorations = [&](std::string_view base) {
    std::set<std::string> out;
    for (const auto& m : pkg.models) {
      if (iequals(m.install_base, base)) out.insert(m.decoration ? inf::to_lower_ascii(m.decoration->text) : "");
    }
    return out;
  };
  const auto da = decorations(ra.base);
  const auto db = decorations(rb.base);
  return std::any_of(da.begin(), da.end(), [&](const std::string& d) { return db.count(d) != 0; });
}

const TargetOs* finding_target(const Package& pkg, std::size_t section_index) {
  if (pkg.targets.size() < 2 || section_index >= pkg.section_targets.size()) return nullptr;
  const std::uint64_t b = pkg.section_targets[section_index];
  if (b == 0 || (b & (b - 1)) != 0) return nullptr;  // none, or several targets
  std::size_t i = 0;
  while (!(b & (std::uint64_t{1} << i))) ++i;
  return i < pkg.targets.size() ? &pkg.targets[i] : nullptr;
}

bool only_downlevel(const Package& pkg, std::size_t section_index) {
  if (section_index >= pkg.section_targets.size()) return false;
  const std::uint64_t b = pkg.section_targets[section_index];
  if (b == 0) return false;
  for (std::size_t i = 0; i < pkg.targets.size() && i < 64; ++i) {
    if ((b & (std::uint64_t{1} << i)) && !pkg.targets[i].downlevel) return false;
  }
  return true;
}

std::uint32_t last_build_used(const Package& pkg, std::size_t section_index) {
  constexpr std::uint32_t kNever = std::numeric_limits<std::uint32_t>::max();
  if (section_index >= pkg.section_targets.size()) return kNever;
  const std::uint64_t b = pkg.section_targets[section_index];
  if (b == 0) return kNever;
  std::uint32_t last = 0;
  for (std::size_t i = 0; i < pkg.targets.size() && i < 64; ++i) {
    if (b & (std::uint64_t{1} << i)) last = std::max(last, pkg.targets[i].last_build);
  }
  return last == 0 ? kNever : last;
}

std::uint32_t last_build_used(const Package& pkg) {
  constexpr std::uint32_t kNever = std::numeric_limits<std::uint32_t>::max();
  std::uint32_t last = 0;
  for (const auto& t : pkg.targets) last = std::max(last, t.last_build);
  return pkg.targets.empty() || last == 0 ? kNever : last;
}

Package build_package(const inf::Document& doc, const inf::Target& target) {
  Builder b(doc, target);
  return b.build();
}

Package build_needed_package(const inf::Document& doc, const inf::Target& target, const NeededSection& needed) {
  Builder b(doc, target);
  return b.build_needed(needed);
}

}  // namespace isodrv::package
