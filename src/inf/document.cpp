// Document: opening an INF (read, decode, parse, signature check) and reading it back the way
// SetupAPI's query functions do, including [Strings] selection and %token% substitution.
#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sys/stat.h>

#include "base/utf16.h"
#include "inf/document_impl.h"
#include "isodrv/input.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace isodrv::inf {

namespace {

// An 8-byte word with its ASCII capitals lowered, all bytes at once: per byte, the high bit of
// (low seven bits + 0x3F) says ">= 'A'", of (low seven bits + 0x25) says "> 'Z'"; neither sum carries
// into the next byte, and bytes >= 0x80 are left alone.
inline std::uint64_t lower_ascii_word(std::uint64_t x) {
  constexpr std::uint64_t k7f = 0x7F7F7F7F7F7F7F7Full, k80 = 0x8080808080808080ull;
  const std::uint64_t low = x & k7f;
  const std::uint64_t ge_a = low + 0x3F3F3F3F3F3F3F3Full, gt_z = low + 0x2525252525252525ull;
  const std::uint64_t upper = (ge_a ^ gt_z) & ~x & k80;
  return x | (upper >> 2);
}

}  // namespace

// Eight bytes at a time (the last word overlaps the one before it), two overlapping 4-byte words
// for 4..7 bytes, folding only words that differ. (iequals, inline in inf.h, has compared the lengths.)
bool detail::iequals_same_length(const char* p, const char* q, std::size_t n) {
  if (n >= 8) {
    for (std::size_t i = 0; i + 8 < n; i += 8) {
      const std::uint64_t x = load_u64(p + i), y = load_u64(q + i);
      if (x != y && lower_ascii_word(x) != lower_ascii_word(y)) return false;
    }
    const std::uint64_t x = load_u64(p + n - 8), y = load_u64(q + n - 8);
    return x == y || lower_ascii_word(x) == lower_ascii_word(y);
  }
  if (n >= 4) {
    const std::uint64_t x = std::uint64_t{load_u32(p)} << 32 | load_u32(p + n - 4);
    const std::uint64_t y = std::uint64_t{load_u32(q)} << 32 | load_u32(q + n - 4);
    return x == y || lower_ascii_word(x) == lower_ascii_word(y);
  }
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint64_t x = static_cast<unsigned char>(p[i]), y = static_cast<unsigned char>(q[i]);
    if (x != y && lower_ascii_word(x) != lower_ascii_word(y)) return false;
  }
  return true;
}

void append_lower_ascii(std::string_view s, std::string& out) {
  const std::size_t at = out.size();
  out.append(s);
  // Eight bytes a step (the callers lower names and paths of tens of bytes), the rest one by one.
  char* p = out.data() + at;
  const std::size_t n = s.size();
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const std::uint64_t w = lower_ascii_word(load_u64(p + i));
    std::memcpy(p + i, &w, 8);
  }
  for (; i < n; ++i) {
    if (p[i] >= 'A' && p[i] <= 'Z') p[i] = static_cast<char>(p[i] + 32);
  }
}

std::string to_lower_ascii(std::string_view s) {
  std::string out;
  append_lower_ascii(s, out);
  return out;
}

Position Document::Impl::position_of(std::uint32_t off) const {
  const auto& starts = decoded.line_text_start;
  auto it = std::upper_bound(starts.begin(), starts.end(), off);
  std::size_t idx = static_cast<std::size_t>(it - starts.begin()) - 1;
  std::uint32_t ls = starts[idx];
  Position p;
  p.line = static_cast<std::uint32_t>(idx + 1);
  p.column = static_cast<std::uint32_t>(utf16_length(text.substr(ls, off - ls)) + 1);
  return p;
}

// ---------------------------------------------------------------------------------------------
// Line
// ---------------------------------------------------------------------------------------------
std::uint32_t Line::end_line() const {
  const auto& d = doc_->impl();
  const LineRec& l = d.lines[index_];
  if (!l.continued()) return l.line;
  auto it = std::lower_bound(d.end_lines.begin(), d.end_lines.end(), std::make_pair(index_, std::uint32_t{0}));
  return it->second;
}

std::optional<std::string> Line::key() const {
  const auto& d = doc_->impl();
  const std::uint32_t k = d.lines[index_].key_field();
  if (k == LineRec::kNoKey) return std::nullopt;
  const FieldRec& f = d.fields[k];
  if (!FieldRec::has(f.len_flags(), FieldRec::kHasPercent)) return std::string(d.field_text(f));
  return doc_->substitute(d.field_text(f));
}

Position Line::field_position(std::size_t i) const {
  const auto& d = doc_->impl();
  const auto& l = d.lines[index_];
  if (i >= l.value_count) {
    Position p = key_position();
    return p;
  }
  return d.position_of(d.field_pos(d.fields[l.first_value + i]));
}

Position Line::key_position() const {
  const auto& d = doc_->impl();
  const auto& l = d.lines[index_];
  const std::uint32_t k = l.key_field();
  std::uint32_t f = k != LineRec::kNoKey ? k : l.first_value;
  if (f < d.fields.size()) return d.position_of(d.field_pos(d.fields[f]));
  return Position{l.line, 1};
}

std::string_view Line::source_text() const { return doc_->physical_line(line()); }

bool Line::key_is_substituted(std::string_view name) const {
  const auto& d = doc_->impl();
  return iequals(doc_->substitute(d.field_text(d.fields[d.lines[index_].key_field()])), name);
}

// ---------------------------------------------------------------------------------------------
// Section
// ---------------------------------------------------------------------------------------------

std::size_t Section::header_count() const {
  const auto& d = doc_->impl();
  return d.header_begin.empty() ? 1 : d.header_begin[index_ + 1] - d.header_begin[index_];
}

std::vector<std::uint32_t> Section::header_lines() const {
  const auto& d = doc_->impl();
  if (d.header_begin.empty()) return {d.headers[index_].second};
  std::vector<std::uint32_t> out;
  for (std::uint32_t h = d.header_begin[index_]; h < d.header_begin[index_ + 1]; ++h) out.push_back(d.headers[h].second);
  return out;
}

std::optional<Line> Section::find(std::string_view key) const {
  for (std::size_t i = 0, n = line_count(); i < n; ++i) {
    Line l = line_at(i);
    if (l.key_is(key)) return l;
  }
  return std::nullopt;
}

std::vector<Line> Section::find_all(std::string_view key) const {
  std::vector<Line> out;
  for (std::size_t i = 0, n = line_count(); i < n; ++i) {
    Line l = line_at(i);
    if (l.key_is(key)) out.push_back(l);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Document
// ---------------------------------------------------------------------------------------------
namespace {

// Room for one Impl outside the heap, which every document takes while it is free: one process
// parsing one document at a time (the bench, `check -j1`, the installer) never allocates an Impl.
// Documents alive at the same time, and other threads' while one holds the room, go to the heap.
alignas(Document::Impl) unsigned char g_impl_room[sizeof(Document::Impl)];
std::atomic<bool> g_impl_room_taken{false};

// Tables the document in the room leaves behind, emptied, for the next one there: the line table,
// the sections and the headers then cost no allocation and no free a file (a small file's
// document allocates seven times). Only the room's holder touches them (the flag's acquire and
// release order its accesses), and only small ones are kept, so they hold at most 96 KB between
// documents and a big file's tables still go back to the heap.
struct RoomSpares {
  std::vector<std::uint32_t> line_starts;
  std::vector<SectionRec> sections;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> headers;
};
RoomSpares g_room_spares;
constexpr std::size_t kSpareBytes = 32 << 10;  // the line table of a file of up to ~160 KB (decode.cpp's line_room)

template <typename T>
void keep_spare(std::vector<T>& from, std::vector<T>& spare) {
  if (from.capacity() * sizeof(T) > kSpareBytes) return;
  from.clear();
  spare = std::move(from);
}

bool in_room(const Document::Impl* impl) { return static_cast<const void*>(impl) == g_impl_room; }

}  // namespace

void* Document::Impl::operator new(std::size_t size) {
  if (size == sizeof(Impl) && !g_impl_room_taken.exchange(true, std::memory_order_acquire)) return g_impl_room;
  return ::operator new(size);
}

void Document::Impl::operator delete(void* p, std::size_t) noexcept {
  if (p == g_impl_room) {
    g_impl_room_taken.store(false, std::memory_order_release);
    return;
  }
  // The unsized form: clang (the fuzz build) declares the sized global one only under
  // -fsized-deallocation, and the heap needs no size to free a block.
  ::operator delete(p);
}

// Default-initialised: every member of Impl initialises itself, and zeroing it first (what
// make_unique's value-initialisation does) would also write the inline index slots and string entries.
Document::Document() : impl_(std::make_unique_for_overwrite<Impl>()) {}
Document::~Document() {
  if (!impl_ || !in_room(impl_.get())) return;
  Impl& d = *impl_;
  keep_spare(d.decoded.line_text_start, g_room_spares.line_starts);
  keep_spare(d.sections, g_room_spares.sections);
  keep_spare(d.headers, g_room_spares.headers);
}
Document::Document(Document&&) noexcept = default;
Document& Document::operator=(Document&&) noexcept = default;

void Document::sync_tables() {
  const Impl& d = *impl_;
  tables_.text = d.text.data();
  tables_.arena = d.arena.data();
  tables_.fields = d.fields.data();
  tables_.lines = d.lines.data();
  tables_.sections = d.sections.data();
  tables_.section_lines = d.section_lines.empty() ? nullptr : d.section_lines.data();
  tables_.field_total = static_cast<std::uint32_t>(d.fields.size());
  tables_.line_total = static_cast<std::uint32_t>(d.lines.size());
  tables_.section_total = static_cast<std::uint32_t>(d.sections.size());
}

namespace {

bool valid_signature(std::string_view sig) {
  return iequals(sig, "$Windows NT$") || iequals(sig, "$Chicago$") || iequals(sig, "$Windows 95$");
}

}  // namespace

Result<Document> Document::parse(std::string_view bytes, std::string path, const ParseOptions& opts) {
  return parse(std::string(bytes), std::move(path), opts);
}

Result<Document> Document::parse(const char* bytes, std::string path, const ParseOptions& opts) {
  return parse(std::string(bytes), std::move(path), opts);
}

Result<Document> Document::parse(std::string&& bytes, std::string path, const ParseOptions& opts) {
  Document doc;
  Impl& d = *doc.impl_;
  d.path = std::move(path);
  d.bytes = std::move(bytes);
  d.codepage = opts.decode.codepage;
  if (d.bytes.size() >= 0xFFFFFFF0u) {
    return Error(Errc::not_enough_memory, "file is too large to be an INF (4 GiB or more)", d.path);
  }
  std::vector<std::uint32_t> line_starts_room;
  if (in_room(&d)) {
    line_starts_room = std::move(g_room_spares.line_starts);
    d.sections = std::move(g_room_spares.sections);
    d.headers = std::move(g_room_spares.headers);
  }
  auto dec = decode_in_place(d.bytes, opts.decode, d.bytes_replaced, d.separators, std::move(line_starts_room));
  if (!dec.ok()) {
    Error e = dec.error();
    e.file = d.path;
    return e;
  }
  d.decoded = std::move(dec.value());
  d.text = d.decoded.view(d.bytes);
  // Offsets are 32-bit; ANSI and UTF-16 text can grow when re-encoded as UTF-8.
  if (d.text.size() >= 0xFFFFFFF0u) {
    return Error(Errc::not_enough_memory, "file is too large to be an INF once decoded (4 GiB or more)", d.path);
  }
  if (d.decoded.flags.ctrl_z) d.notes.push_back(ParseNote{NoteKind::ctrl_z_end, d.decoded.flags.ctrl_z_line, 1});
  if (auto st = parse_text(d); !st) return st.error();
  doc.sync_tables();
  doc.select_language(opts.langid);
  if (opts.require_signature) {
    auto version = doc.section("Version");
    bool ok = false;
    if (version) {
      if (auto sig = version->find("Signature"); sig && sig->field_count() >= 1) {
        // [ND] Compared as written, before %strkey% substitution, as Wine does: the signature
        // decides how the file is read, so it cannot depend on the file's own strings.
        ok = valid_signature(sig->raw_field(0));
      }
    }
    if (!ok) {
      return Error(Errc::wrong_inf_style,
                   version ? "the [Version] section has no $Windows NT$ or $Chicago$ signature"
                           : "the file has no [Version] section with a signature",
                   d.path, 0);
    }
  }
  return doc;
}

Result<Document> Document::load(const std::string& path, const ParseOptions& opts) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == EACCES) return Error(Errc::access_denied, "permission denied", path);
    return Error(Errc::file_not_found, "no such file", path);
  }
  if (S_ISDIR(st.st_mode)) return Error(Errc::read_fault, "is a directory, not a file", path);
  auto bytes = read_input(path);
  if (!bytes) return bytes.error();
  return parse(std::move(*bytes), path, opts);
}

const std::string& Document::path() const { return impl_->path; }
Encoding Document::encoding() const { return impl_->decoded.encoding; }
const DecodeFlags& Document::decode_flags() const { return impl_->decoded.flags; }
const std::vector<ParseNote>& Document::notes() const { return impl_->notes; }
std::string_view Document::bytes() const {
  const Impl& d = *impl_;
  if (!d.bytes_replaced) return d.bytes;
  std::call_once(d.rebuilt_once, [&d] { d.rebuilt = encode_cp1252_exact(d.text, d.rebuilt_line_starts); });
  return d.rebuilt;
}

namespace {

// Byte offset of each physical line in the original bytes.
const std::vector<std::uint32_t>& line_byte_starts(const Document& doc) {
  const auto& d = doc.impl();
  if (!d.bytes_replaced) {
    // A plain ASCII text borrowed from offset 0 (decode_in_place records no byte starts for it): a
    // line's byte offset is its text offset.
    if (d.decoded.line_byte_start.empty()) return d.decoded.line_text_start;
    return d.decoded.line_byte_start;
  }
  (void)doc.bytes();
  return d.rebuilt_line_starts;
}

}  // namespace
std::string_view Document::text() const { return impl_->text; }

std::uint32_t Document::physical_line_count() const {
  const auto& starts = impl_->decoded.line_text_start;
  // A final line break does not start another line.
  std::uint32_t n = static_cast<std::uint32_t>(starts.size());
  if (n > 1 && starts.back() >= impl_->text.size()) --n;
  return n;
}

std::string_view Document::physical_line(std::uint32_t line) const {
  const auto& starts = impl_->decoded.line_text_start;
  if (line == 0 || line > starts.size()) return {};
  std::uint32_t b = starts[line - 1];
  std::uint32_t e = line < starts.size() ? starts[line] : static_cast<std::uint32_t>(impl_->text.size());
  std::string_view s = impl_->text.substr(b, e - b);
  if (!s.empty() && s.back() == '\n') s.remove_suffix(1);
  if (!s.empty() && s.back() == '\r') s.remove_suffix(1);
  return s;
}

std::pair<std::uint32_t, std::uint32_t> Document::physical_line_bytes(std::uint32_t line) const {
  const std::string_view bytes = this->bytes();
  const auto& starts = line_byte_starts(*this);
  if (line == 0 || line > starts.size()) return {0, 0};
  std::uint32_t b = starts[line - 1];
  std::uint32_t e = line < starts.size() ? starts[line] : impl_->decoded.bytes_end;
  // Strip the line break in the file's own encoding.
  const bool wide = impl_->decoded.encoding == Encoding::utf16le || impl_->decoded.encoding == Encoding::utf16le_bom ||
                    impl_->decoded.encoding == Encoding::utf16be_bom;
  const bool be = impl_->decoded.encoding == Encoding::utf16be_bom;
  auto is_char = [&](std::uint32_t at, char ch) {
    if (!wide) return at < bytes.size() && bytes[at] == ch;
    if (at + 1 >= bytes.size()) return false;
    char lo = bytes[at], hi = bytes[at + 1];
    return be ? (lo == 0 && hi == ch) : (lo == ch && hi == 0);
  };
  const std::uint32_t w = wide ? 2 : 1;
  if (line < starts.size() && e >= b + w && is_char(e - w, '\n')) e -= w;
  if (e >= b + w && is_char(e - w, '\r')) e -= w;
  return {b, e};
}

std::string Document::with_line_replaced(std::uint32_t line, std::string_view new_text) const {
  const std::string_view bytes = this->bytes();
  if (line == 0 || line > line_byte_starts(*this).size()) return std::string(bytes);  // no such line
  auto [b, e] = physical_line_bytes(line);
  std::string out;
  out.reserve(bytes.size() + new_text.size());
  out.append(bytes.substr(0, b));
  out += encode(new_text, impl_->decoded.encoding, impl_->codepage);
  out.append(bytes.substr(e));
  return out;
}


std::optional<Section> Document::section(std::string_view name) const {
  const std::uint32_t s = impl_->find_section(name);
  if (s == CiIndex::kNone) return std::nullopt;
  return Section(this, s);
}

bool Document::has_section(std::string_view name) const { return impl_->find_section(name) != CiIndex::kNone; }

// [Strings] selection: exact LANGID; same primary language with SUBLANG_NEUTRAL; same primary
// language with any sublanguage (first in file order); undecorated [Strings].
void Document::select_language(std::uint16_t langid) {
  Impl& d = *impl_;
  d.langid = langid;
  d.strings.clear();
  d.string_entries.clear();
  d.strings_section = -1;
  d.strings_may_repeat = false;
  d.strings_key_percent = false;
  const std::uint16_t primary = langid & 0x3FF;
  int exact = -1, neutral = -1, any_sub = -1, plain = -1;
  const char* text = d.text.data();
  const std::uint32_t section_total = static_cast<std::uint32_t>(d.sections.size());
  for (std::uint32_t s = 0; s < section_total; ++s) {
    // The length and the first letter first, from the record and the text without a bounds-checked
    // substr: most sections are not [Strings*], and a small file's every section passes here.
    const SectionRec& rec = d.sections[s];
    if (rec.name_len < 7 || (text[rec.name_off] | 0x20) != 's') continue;
    const std::string_view name(text + rec.name_off, rec.name_len);
    if (!iequals(name.substr(0, 7), "Strings")) continue;
    if (name.size() == 7) {
      plain = static_cast<int>(s);
      continue;
    }
    if (name.size() != 12 || name[7] != '.') continue;
    unsigned v = 0;
    bool ok = true;
    for (char c : name.substr(8)) {
      v <<= 4;
      if (c >= '0' && c <= '9') v |= static_cast<unsigned>(c - '0');
      else if (c >= 'a' && c <= 'f') v |= static_cast<unsigned>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') v |= static_cast<unsigned>(c - 'A' + 10);
      else ok = false;
    }
    if (!ok) continue;
    if (v == langid && exact < 0) exact = static_cast<int>(s);
    if ((v & 0x3FF) == primary) {
      if ((v >> 10) == 0 && neutral < 0) neutral = static_cast<int>(s);
      if (any_sub < 0) any_sub = static_cast<int>(s);
    }
  }
  int chosen = exact >= 0 ? exact : neutral >= 0 ? neutral : any_sub >= 0 ? any_sub : plain;
  d.strings_section = chosen;
  if (chosen < 0) return;
  const SectionRec& sec = d.sections[static_cast<std::size_t>(chosen)];
  d.strings.reserve(sec.lines_count);
  for (std::uint32_t i = 0; i < sec.lines_count; ++i) {
    const LineRec& l = d.lines[d.section_line(sec.lines_begin + i)];
    if (!l.explicit_key()) continue;
    // A key without a value defines nothing and is not indexed, so the index cannot tell whether
    // it repeats another: say "may" (strings_keys_may_repeat's readers then look themselves).
    if (l.value_count == 0) {
      d.strings_may_repeat = true;
      continue;
    }
    const FieldRec& key_rec = d.fields[l.key_field()];
    const std::string_view key = d.field_text(key_rec);
    const std::uint32_t entry = d.string_entries.size();
    const std::uint32_t held =
        d.strings.try_emplace(key, entry, [&d](std::uint32_t e) { return d.string_entries[e].key_text(); });
    if (held != entry) {
      d.strings_may_repeat = true;  // the key was there: a repeat
      continue;
    }
    d.strings_key_percent |= FieldRec::has(key_rec.len_flags(), FieldRec::kHasPercent);
    const std::string_view value = d.field_text(d.fields[l.first_value]);
    d.string_entries.push_back(Impl::StringEntry{key.data(), value.data(), static_cast<std::uint32_t>(key.size()),
                                                 static_cast<std::uint32_t>(value.size())});
  }
}

bool Document::strings_keys_may_repeat() const { return impl_->strings_may_repeat; }

std::uint16_t Document::language() const { return impl_->langid; }

std::optional<Section> Document::strings_section() const {
  if (impl_->strings_section < 0) return std::nullopt;
  return Section(this, static_cast<std::uint32_t>(impl_->strings_section));
}

std::optional<std::string_view> Document::string_value(std::string_view key) const {
  const Impl::StringEntry* e = impl_->find_string(key);
  if (!e) return std::nullopt;
  return e->value_text();
}

void Document::set_dirids(DiridContext ctx) { impl_->dirids = std::move(ctx); }
const DiridContext& Document::dirids() const { return impl_->dirids; }

namespace {

// Whether a string of at most 16 bytes holds a '%', in at most two overlapping loads per half
// instead of a memchr call (most keys and fields are short and hold no token). Always inline: a call
// (GCC's choice) cost a third of the test.
__attribute__((always_inline)) inline bool short_has_percent(std::string_view s) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL, kHighs = 0x8080808080808080ULL;
  constexpr std::uint64_t kPct = kOnes * static_cast<unsigned char>('%');
  auto has = [&](std::uint64_t w) { return ((w ^ kPct) - kOnes) & ~(w ^ kPct) & kHighs; };
  const char* p = s.data();
  const std::size_t n = s.size();
  if (n >= 8) {
    std::uint64_t a, b;
    std::memcpy(&a, p, 8);
    std::memcpy(&b, p + n - 8, 8);
    return has(a) | has(b);
  }
  if (n >= 4) {
    std::uint32_t a, b;
    std::memcpy(&a, p, 4);
    std::memcpy(&b, p + n - 4, 4);
    return has(a | static_cast<std::uint64_t>(b) << 32);
  }
  // (1 to 3 bytes: the first, middle and last are all of them)
  return n && (p[0] == '%' || p[n / 2] == '%' || p[n - 1] == '%');
}

// The first '%' in [p, end), or end. Keys and fields are tens of bytes: scanned inline, 16 bytes a
// step with SSE2 and then 8 (the lowest byte the SWAR test flags is exact), a memchr call costs
// more than the scan (three calls a substituted key).
inline const char* find_percent(const char* p, const char* end) {
#if defined(__SSE2__)
  const __m128i pc = _mm_set1_epi8('%');
  for (; end - p >= 16; p += 16) {
    const auto m = static_cast<unsigned>(
        _mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)), pc)));
    if (m) return p + __builtin_ctz(m);
  }
#endif
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL, kHighs = 0x8080808080808080ULL;
  constexpr std::uint64_t kPct = kOnes * static_cast<unsigned char>('%');
  for (; end - p >= 8; p += 8) {
    const std::uint64_t x = load_u64(p) ^ kPct;
    const std::uint64_t t = (x - kOnes) & ~x & kHighs;
    if (t) return p + __builtin_ctzll(t) / 8;
  }
  while (p < end && *p != '%') ++p;
  return p;
}

#if defined(__SSE2__)
// Bit k set where s[k] is '%', for 16 to 64 bytes: whole 16-byte loads, the last one overlapping
// the one before it, so no byte past the end is read.
inline std::uint64_t percent_mask(const char* s, std::size_t n) {
  const __m128i pc = _mm_set1_epi8('%');
  auto bits = [&](std::size_t at) {
    const auto m = static_cast<unsigned>(
        _mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(s + at)), pc)));
    return static_cast<std::uint64_t>(m) << at;
  };
  std::uint64_t m = bits(n - 16);
  for (std::size_t at = 0; at + 16 < n; at += 16) m |= bits(at);
  return m;
}
#endif

// Whether s holds a '%': short strings in a few loads, 16 to 64 bytes by their mask (a scan would
// take a 16-byte block, then an 8-byte word, then a token name's last bytes one by one), longer by scanning.
inline bool has_percent(std::string_view s) {
  if (s.size() <= 16) return short_has_percent(s);
#if defined(__SSE2__)
  if (s.size() <= 64) return percent_mask(s.data(), s.size()) != 0;
#endif
  return find_percent(s.data(), s.data() + s.size()) != s.data() + s.size();
}

// Windows 10 1709 and later return at most 4096 characters (Wine's conformance tests): cuts what
// was appended to `out` after `base` at the 4096th UTF-16 unit, on a character boundary; false when
// it had to. fits_string_limit decides nearly every call inline from the byte count; counting
// UTF-16 units and cutting are out of line.
__attribute__((noinline)) bool cut_to_string_limit(std::string& out, std::size_t base) {
  const std::size_t limit = kMaxStringLength;
  std::string_view added(out.data() + base, out.size() - base);
  if (utf16_length(added) <= limit) return true;
  out.resize(base + isodrv::base::utf16_prefix_bytes(added, limit));
  return false;
}
inline bool fits_string_limit(std::string& out, std::size_t base) {
  return out.size() - base <= kMaxStringLength || cut_to_string_limit(out, base);
}

// Whether raw is one whole %token% (no other '%' in it, nothing around it) that [Strings] defines;
// then appends the value. The common key of a models or strings-heavy file ("%DeviceDesc%"): one
// lookup and one append, without the general loop's searches. A value is one field (at most 511
// UTF-16 units), so it cannot reach the 4096 limit.
static_assert(kMaxFieldLength < kMaxStringLength, "one field's value never needs fits_string_limit");
// (whole_token_entry's body, inline here so that Document::substitute's common path has no call.)
inline const Document::Impl::StringEntry* find_whole_token(const Document::Impl& d, std::string_view raw) {
  if (raw.size() < 3 || raw.front() != '%' || raw.back() != '%') return nullptr;
  const std::string_view name = raw.substr(1, raw.size() - 2);
  // A name with another '%' is not one token ("%a%b%"); it can only be found when a key holds a
  // '%' too (a key equal to the name ignoring case has its '%'s where the name has them).
  if (d.strings_key_percent && has_percent(name)) return nullptr;
  return d.find_string(name);
}

bool append_whole_token(const Document::Impl& d, std::string_view raw, std::string& out) {
  const Document::Impl::StringEntry* e = find_whole_token(d, raw);
  if (!e) return false;
  out.append(e->value, e->value_len);
  return true;
}

// A token [Strings] does not define, raw[pct..close] with its '%'s: a decimal one is a DIRID, else
// it stays as written (and is reported in unknown). end is where the raw text ends.
void append_undefined(const Document::Impl& d, const char* pct, const char* close, const char* end, std::string& out,
                      std::vector<std::string>* unknown) {
  const std::string_view name(pct + 1, static_cast<std::size_t>(close - pct - 1));
  if (auto id = dirid_of_token(name)) {
    const std::size_t at = out.size();
    if (append_dirid_path(*id, d.dirids, out)) {
      // %24%\x must not produce a doubled backslash.
      if (close + 1 < end && close[1] == '\\' && out.size() > at && out.back() == '\\') out.pop_back();
      return;
    }
  }
  out.append(pct, static_cast<std::size_t>(close - pct + 1));
  if (unknown) unknown->emplace_back(name);
}

#if defined(__SSE2__)
// Substitutes raw of 16 to 64 bytes whose '%'s are the bits of mask, appending to out: pairs of
// '%' bits are the tokens, as the general loop in Document::substitute pairs them; a lone last '%'
// is text. Most tokened keys of big files ("%BOARD_80FC% UF2 Bootloader (00FB:00)") are this size:
// no searches, and fewer live registers than the general loop.
void append_masked(const Document::Impl& d, std::string_view raw, std::uint64_t mask, std::string& out,
                   std::vector<std::string>* unknown) {
  std::size_t at = 0;
  while (mask) {
    const auto a = static_cast<std::size_t>(__builtin_ctzll(mask));
    mask &= mask - 1;
    if (!mask) break;
    const auto b = static_cast<std::size_t>(__builtin_ctzll(mask));
    mask &= mask - 1;
    if (a > at) out.append(raw.data() + at, a - at);
    at = b + 1;
    if (b == a + 1) {
      out.push_back('%');
      continue;
    }
    if (const Document::Impl::StringEntry* e = d.find_string(raw.substr(a + 1, b - a - 1))) {
      out.append(e->value, e->value_len);
    } else {
      append_undefined(d, raw.data() + a, raw.data() + b, raw.data() + raw.size(), out, unknown);
    }
  }
  if (at < raw.size()) out.append(raw.data() + at, raw.size() - at);
}
#endif

}  // namespace

const Document::Impl::StringEntry* whole_token_entry(const Document::Impl& d, std::string_view raw) {
  return find_whole_token(d, raw);
}

namespace {

// Text that is not one whole defined token: 16 to 64 bytes by their '%' mask, shorter and longer
// ones by scanning from each position. Out of line, so that Document::substitute's common paths
// (no '%', one whole token) do not pay for this loop's registers on entry and exit.
__attribute__((noinline)) bool substitute_general(const Document::Impl& d, std::string_view raw, std::string& out,
                                                  std::vector<std::string>* unknown) {
  const std::size_t base = out.size();
#if defined(__SSE2__)
  if (raw.size() >= 16 && raw.size() <= 64) {
    append_masked(d, raw, percent_mask(raw.data(), raw.size()), out, unknown);
    return fits_string_limit(out, base);
  }
#endif
  const char* p = raw.data();
  const char* end = p + raw.size();
  auto next_percent = [end](const char* from) { return find_percent(from, end); };
  while (p < end) {
    const char* pct = next_percent(p);
    if (pct == end) {
      out.append(p, static_cast<std::size_t>(end - p));
      break;
    }
    if (pct != p) out.append(p, static_cast<std::size_t>(pct - p));
    const char* close = next_percent(pct + 1);
    if (close == end) {
      out.append(pct, static_cast<std::size_t>(end - pct));
      break;
    }
    std::string_view name(pct + 1, static_cast<std::size_t>(close - pct - 1));
    p = close + 1;
    if (name.empty()) {
      out.push_back('%');
      continue;
    }
    if (const Document::Impl::StringEntry* e = d.find_string(name)) {
      out.append(e->value, e->value_len);
      // Past 4096 UTF-16 units nothing more can survive the cut below; stop early so that a
      // field of many large tokens costs no more than the limit.
      if (out.size() - base > 4 * kMaxStringLength) break;
      continue;
    }
    append_undefined(d, pct, close, end, out, unknown);
  }
  return fits_string_limit(out, base);
}

}  // namespace

bool substitute_not_whole_token(const Document::Impl& d, std::string_view raw, std::string& out) {
  return substitute_general(d, raw, out, nullptr);
}

bool Document::substitute(std::string_view raw, std::string& out, std::vector<std::string>* unknown) const {
  // One whole token first: its shape (a '%' at both ends) is two compares, and text of that shape
  // holds a '%', so the test for one would be spent on it (the read-back calls this only for text
  // the tokenizer flagged, and most of that is a whole token).
  const Impl& d = *impl_;
  if (append_whole_token(d, raw, out)) return true;
  if (raw.size() <= 16 && !short_has_percent(raw)) {
    out.append(raw);
    return true;
  }
  return substitute_general(d, raw, out, unknown);
}

std::string Document::substitute(std::string_view raw) const {
  std::string out;
  substitute(raw, out);
  return out;
}

}  // namespace isodrv::inf
