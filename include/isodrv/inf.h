// The INF engine's public model: decoding, SetupAPI-faithful parsing, sections, lines and fields
// with exact source positions, [Strings] selection, %strkey%/%dirid% substitution and decorations.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "isodrv/dirids.h"
#include "isodrv/inf_values.h"
#include "isodrv/result.h"

namespace isodrv::inf {

// ---------------------------------------------------------------------------------------------
// Limits Windows applies (setupapi.h and Wine's conformance tests).
// ---------------------------------------------------------------------------------------------
// A section name longer than this fails to open (ERROR_SECTION_NAME_TOO_LONG).
inline constexpr std::size_t kMaxSectionNameLength = 255;
// Any parsed token is silently truncated to this many UTF-16 units (Windows 7 and later).
inline constexpr std::size_t kMaxFieldLength = 511;
// A string after substitution, including its terminating NUL (MAX_INF_STRING_LENGTH).
inline constexpr std::size_t kMaxStringLength = 4096;
// Displayable strings (descriptions, provider) including NUL (LINE_LEN).
inline constexpr std::size_t kLineLen = 256;
// Paths (MAX_PATH).
inline constexpr std::size_t kMaxPath = 260;

// ---------------------------------------------------------------------------------------------
// Decoding
// ---------------------------------------------------------------------------------------------
enum class Encoding : std::uint8_t { ansi, utf8_bom, utf16le_bom, utf16be_bom, utf16le };

// "ansi", "utf-8-bom", "utf-16le-bom", "utf-16be-bom", "utf-16le" (DESIGN.md §4).
std::string_view encoding_name(Encoding e);

// Things Windows reads silently but that a validator should mention.
struct DecodeFlags {
  bool utf8_without_bom = false;    // read as ANSI, but the bytes are valid non-ASCII UTF-8
  bool odd_length_utf16 = false;    // UTF-16 data with a dangling final byte (dropped)
  bool unpaired_surrogate = false;  // UTF-16 with a lone surrogate (decoded as U+FFFD)
  bool non_ascii_ansi = false;      // ANSI file with bytes >= 0x80 (code-page dependent)
  bool embedded_nul = false;        // NUL characters (read as spaces)
  bool ctrl_z = false;              // a ^Z (0x1A) ended the file before its last byte
  std::uint32_t ctrl_z_line = 0;    // the line holding that ^Z
};

struct DecodeOptions {
  // The ANSI code page. 1252 (built in) unless set; others go through iconv ("CP<n>").
  unsigned codepage = 1252;
};

// The file as text: UTF-8, with a map from physical lines back to byte offsets in the original.
// Pure-ASCII input is not copied: the text is then a window of the input bytes ("borrowed").
struct DecodedText {
  Encoding encoding = Encoding::ansi;
  DecodeFlags flags;
  std::string owned;                // UTF-8, BOM removed, cut at ^Z (when not borrowed)
  bool borrowed = false;
  std::uint32_t borrow_offset = 0, borrow_length = 0;
  std::vector<std::uint32_t> line_text_start;  // per physical line (index 0 = line 1): offset in text
  std::vector<std::uint32_t> line_byte_start;  // per physical line: offset in the original bytes
  // Offset in the original bytes where the decoded text ends: the input's end, a ^Z, or the
  // dangling final byte of odd-length UTF-16.
  std::uint32_t bytes_end = 0;
  // The text, given the bytes that were decoded.
  std::string_view view(std::string_view input) const;
};

Result<DecodedText> decode(std::string_view bytes, const DecodeOptions& opts = {});

// Encodes UTF-8 text back into `enc` (no BOM added); used to rewrite a single line losslessly.
std::string encode(std::string_view utf8, Encoding enc, unsigned codepage = 1252);

// Number of UTF-16 code units in a UTF-8 string (how Windows counts characters).
std::size_t utf16_length(std::string_view utf8);

// ---------------------------------------------------------------------------------------------
// Parse notes: what Windows truncates or ignores silently, recorded so `check` can warn.
// ---------------------------------------------------------------------------------------------
enum class NoteKind : std::uint8_t {
  field_truncated,        // a token longer than 511 characters was cut
  substitution_truncated, // a substituted string reached 4096 characters and was cut
  text_after_section,     // characters after the closing ']' of a section header were ignored
  unterminated_quote,     // a quoted span ran to the end of the line
  line_before_section,    // text before the first section, tolerated because [Strings] exists
  nul_character,          // a NUL inside a line was read as a space
  ctrl_z_end,             // ^Z ended the file early
  continuation_at_eof,    // the last line ends with a continuation backslash
};

struct ParseNote {
  NoteKind kind;
  std::uint32_t line;    // physical, 1-based
  std::uint32_t column;  // 1-based UTF-16 units
};

// ---------------------------------------------------------------------------------------------
// The parsed document
// ---------------------------------------------------------------------------------------------
struct Position {
  std::uint32_t line = 0;    // 1-based physical line
  std::uint32_t column = 0;  // 1-based, UTF-16 code units from the line start
};

class Document;
class Line;
class StringArena;  // isodrv/inf_arena.h

// Field i of `l` (0-based, as Line::field), substituted as Line::field returns it: a view of the
// document (its text, or its own arena for unquoted or joined fields) when the tokenizer found no
// '%' in it or when it is one whole %token% that [Strings] defines (then a view of the value, which
// the document holds), else the substitution stored in `arena`. "" past the end. Inline below: the
// unflagged field is the common one, and is read as raw_field reads it.
inline std::string_view field_view(const Line& l, std::size_t i, StringArena& arena);
// The key as Line::key returns it, read the same way; nullopt when the line has none.
inline std::optional<std::string_view> key_view(const Line& l, StringArena& arena);
// `raw` substituted as Document::substitute does: `raw` itself when it holds no '%' (so a view of
// wherever `raw` points), a view of the value when it is one whole %token% that [Strings] defines
// (valid as long as the document), else the substituted text stored in `arena`.
std::string_view substitute_view(const Document& doc, std::string_view raw, StringArena& arena);

// ---------------------------------------------------------------------------------------------
// The document's tables, as the inline accessors below read them. Not part of the API: the layout
// may change with any release; use Line, Section and Document.
// ---------------------------------------------------------------------------------------------
namespace detail {

// Six bytes per field (a large INF has millions). A field that is a span of the text stores where
// its token starts; its value starts there too, or one byte later past an opening quote
// (kSpanQuoted). A field that needed unquoting or joining lives in the arena: `at` is its offset
// there, and the token's start in the text is kept in the four bytes before it.
struct __attribute__((packed)) FieldRec {
  std::uint32_t at;
  std::uint16_t len : 11;  // bytes of UTF-8: a token is at most 511 UTF-16 units, so at most 1533
  std::uint16_t flags : 5;
  static constexpr std::uint8_t kInArena = 1;
  static constexpr std::uint8_t kQuoted = 2;
  static constexpr std::uint8_t kSpanQuoted = 4;
  // The value may hold a '%' (set by the tokenizer for any '%' in it; arena fields always): read-back
  // copies fields without it as they are instead of scanning them for %token%s.
  static constexpr std::uint8_t kHasPercent = 8;
  // len and flags together: the 16-bit word after `at`, len its low 11 bits and flags its high 5
  // (GCC and Clang allocate bit-fields from the lowest bit on little-endian x86-64; a test checks it).
  // The read accessors take it in one load: through the bit-fields GCC loads the word's two bytes
  // three times and shifts them together, a dozen instructions a field read.
  static constexpr unsigned kLenMask = 0x7FF, kFlagsShift = 11;
  std::uint16_t len_flags() const {
    std::uint16_t w;
    __builtin_memcpy(&w, reinterpret_cast<const char*>(this) + sizeof(at), sizeof(w));
    return w;
  }
  static constexpr bool has(unsigned len_flags, std::uint8_t flag) { return len_flags & (unsigned{flag} << kFlagsShift); }
};
static_assert(sizeof(FieldRec) == 6 && kMaxFieldLength * 3 < (1u << 11), "FieldRec packs a length in 11 bits");
static_assert(FieldRec::kSpanQuoted == 1 << 2, "Tables::span_text takes kSpanQuoted as flag bit 2");

struct LineRec {
  std::uint32_t first_value;  // index into fields of field 1
  std::uint32_t value_count;
  std::uint32_t line;         // physical line where it starts
  // Merged section index << 2 | 2 when continued onto later physical lines (its end line is then
  // in Impl::end_lines) | 1 when written with '='.
  std::uint32_t section_key;
  static constexpr std::uint32_t kNoKey = 0xFFFFFFFFu;
  std::uint32_t section() const { return section_key >> 2; }
  bool explicit_key() const { return section_key & 1; }
  bool continued() const { return section_key & 2; }
  // The key is the field before field 1 when written with '=', else a lone field is its own key.
  std::uint32_t key_field() const {
    return explicit_key() ? first_value - 1 : value_count == 1 ? first_value : kNoKey;
  }
};

struct SectionRec {
  std::uint32_t name_off, name_len;  // in text
  std::uint32_t line;                // first header's physical line
  std::uint32_t lines_begin = 0, lines_count = 0;  // into section_lines
};

// Where the tables live once the document is parsed (they never move or change after that: the
// storage belongs to Document::Impl, which stays put when a Document is moved).
struct Tables {
  const char* text = nullptr;
  const char* arena = nullptr;
  const FieldRec* fields = nullptr;
  const LineRec* lines = nullptr;
  const SectionRec* sections = nullptr;
  const std::uint32_t* section_lines = nullptr;  // nullptr when lines are already grouped by section
  std::uint32_t field_total = 0, line_total = 0, section_total = 0;

  // Always inline: out of line (GCC's choice in large callers) the call costs more than the read.
  __attribute__((always_inline)) std::string_view field_text(const FieldRec& f) const {
    const unsigned w = f.len_flags();
    if (FieldRec::has(w, FieldRec::kInArena)) return std::string_view(arena + f.at, w & FieldRec::kLenMask);
    return span_text(f.at, w);
  }
  // The text of a field that is a span of the text (not in the arena), given its len_flags word.
  // Every arena field has kHasPercent, so a field without it is always such a span.
  __attribute__((always_inline)) std::string_view span_text(std::uint32_t at, unsigned w) const {
    return std::string_view(text + at + ((w >> (FieldRec::kFlagsShift + 2)) & 1), w & FieldRec::kLenMask);
  }
  std::uint32_t section_line(std::uint32_t k) const { return section_lines ? section_lines[k] : k; }
};

}  // namespace detail

// One logical line of a section. Cheap handle into the document's arrays.
class Line {
 public:
  Line() = default;
  // Physical line where the logical line starts, and where it ends (continuations).
  std::uint32_t line() const;
  std::uint32_t end_line() const;
  // True when the line has an unquoted '=' (a key).
  bool has_key() const;
  // SetupGetStringField(ctx, 0): the key; for a lone field without '=', that field; else nullopt.
  // The raw form is unquoted but not substituted.
  std::optional<std::string_view> raw_key() const;
  std::optional<std::string> key() const;  // substituted
  // Appends the substituted key to out (key() without a string of its own, as field_into is for
  // fields); returns false, out unchanged, for a line without a key.
  bool key_into(std::string& out) const;
  // Fields 1..n as SetupGetStringField returns them (index 0-based here: field(0) is field 1).
  std::size_t field_count() const;
  // Whether the key or a field may hold a '%' (the tokenizer's per-field flag: never false when one
  // does, so a line without it has nothing to substitute). A '%' in a comment does not count.
  bool has_percent() const;
  // The same flag for one field, and for the key: false means its raw text is what it substitutes
  // to, so a reader can take raw_field / raw_key instead of searching them for '%' (false past the
  // end, and for a line without a key).
  bool field_has_percent(std::size_t i) const;
  bool key_has_percent() const;
  std::string_view raw_field(std::size_t i) const;  // unquoted, unsubstituted; "" past the end
  std::string field(std::size_t i) const;           // substituted; "" past the end
  // Appends the substituted field to out; returns false when i is out of range.
  bool field_into(std::size_t i, std::string& out) const;
  Position field_position(std::size_t i) const;     // where the field's text starts
  Position key_position() const;
  // Whether field i was written with quotes somewhere in it.
  bool field_quoted(std::size_t i) const;
  // The physical source text of the first physical line (decoded, without line break).
  std::string_view source_text() const;
  // Matches the key case-insensitively after substitution, as SetupFindFirstLine does.
  bool key_is(std::string_view name) const;
  // The section this line belongs to (by merged index).
  std::uint32_t section_index() const;
  std::uint32_t index() const { return index_; }
  const Document& document() const { return *doc_; }

 private:
  friend class Document;
  friend class Section;
  friend std::string_view field_view(const Line& l, std::size_t i, StringArena& arena);
  friend std::optional<std::string_view> key_view(const Line& l, StringArena& arena);
  Line(const Document* d, std::uint32_t i);
  bool key_is_substituted(std::string_view name) const;  // key_is for a key that may hold %token%s
  const Document* doc_ = nullptr;
  // Field 1's record and the number of fields, taken from the line's record when the handle is made:
  // a reader that appends fields to a string would otherwise load the line's record and the tables
  // again for every field (a char store may alias them). The tables never change once parsed.
  const detail::FieldRec* values_ = nullptr;
  std::uint32_t index_ = 0;
  std::uint32_t value_count_ = 0;
};

// A section: all same-named headers merged, named as first spelled.
class Section {
 public:
  Section() = default;
  std::string_view name() const;
  std::uint32_t line() const;  // physical line of the first header
  // Every header line of this name (more than one means duplicates were merged).
  std::vector<std::uint32_t> header_lines() const;
  std::size_t header_count() const;  // header_lines().size() without building the list
  std::size_t line_count() const;
  Line line_at(std::size_t i) const;
  std::uint32_t index() const { return index_; }
  // First line whose key matches case-insensitively (SetupFindFirstLine).
  std::optional<Line> find(std::string_view key) const;
  // All lines whose key matches.
  std::vector<Line> find_all(std::string_view key) const;

  // Holds the section's position in the grouped line order and the map from it to line indexes,
  // so that a step and a dereference do not go back through the section's record.
  class Iterator {
   public:
    Iterator(const Section* s, std::size_t i);
    Line operator*() const { return Line(doc_, map_ ? map_[k_] : k_); }
    Iterator& operator++() { ++k_; return *this; }
    bool operator!=(const Iterator& o) const { return k_ != o.k_; }
   private:
    const Document* doc_;
    const std::uint32_t* map_;  // Tables::section_lines (nullptr: the identity)
    std::uint32_t k_;
  };
  Iterator begin() const { return Iterator(this, 0); }
  Iterator end() const { return Iterator(this, line_count()); }
  bool valid() const { return doc_ != nullptr; }

 private:
  friend class Document;
  Section(const Document* d, std::uint32_t i) : doc_(d), index_(i) {}
  const Document* doc_ = nullptr;
  std::uint32_t index_ = 0;
};

enum class Arch : std::uint8_t { x86, amd64, arm, arm64, ia64 };
std::string_view arch_name(Arch a);                // "amd64"
std::optional<Arch> parse_arch(std::string_view);  // "amd64", "x64", "x86", "arm64", …

// The target a package is evaluated for (DESIGN.md defaults: amd64, 10.0.26100, 0409).
struct Target {
  Arch arch = Arch::amd64;
  std::uint32_t major = 10, minor = 0, build = 26100;
  std::uint32_t product_type = 1;     // VER_NT_WORKSTATION
  std::uint32_t suite_mask = 0x100;   // VER_SUITE_SINGLEUSERTS, as a client SKU reports
  std::uint16_t langid = 0x0409;
  // false: evaluate every target an INF declares (what `check` does by default); true: only what
  // this exact OS would install (/osver, /wbuild): SetupAPI's best match per Manufacturer line
  // and per install section.
  bool exact = false;
  // InfVerif's /wbuild: the Windows 10 build from which /w is enforced on a driver with downlevel
  // support; Models or DefaultInstall decorations that only older systems use are downlevel.
  std::uint32_t w_from_build = 17763;
};

// How %DIRID% tokens resolve when the document substitutes.
struct DiridContext {
  std::string src_path;     // DIRID 1: the INF's folder as named on the command line
  std::string driver_store; // DIRID 13: the FileRepository folder this package stages into
  std::string windows_dir = "C:\\Windows";
  std::string system_drive = "C:";
};

struct ParseOptions {
  DecodeOptions decode;
  // Require a [Version] Signature of $Windows NT$/$Chicago$/$Windows 95$ (INF_STYLE_WIN4).
  bool require_signature = true;
  std::uint16_t langid = 0x0409;
};

// A TargetOSVersion decoration of a Models section (NT[Arch][.Major[.Minor[.PT[.Suite[.Build]]]]]).
struct OsDecoration {
  std::string text;  // as written, e.g. "NTamd64.10.0...19041"
  bool valid = true;
  std::optional<Arch> arch;  // nullopt: any architecture
  std::optional<std::uint32_t> major, minor, product_type, suite_mask, build;
};
// Parses a decoration; `valid` false with what could be read when it is malformed.
OsDecoration parse_os_decoration(std::string_view text);
// Whether a decoration applies to a target, per the documented matching rules.
bool os_decoration_applies(const OsDecoration& d, const Target& t);
// The decoration SetupAPI picks among those that apply to `t`: highest Major.Minor, then highest
// build, then one with an architecture, then the plainer one (no product type or suite mask);
// nullptr when none applies. A decoration whose architecture is the unstamped $ARCH$ counts as
// the target's architecture.
const OsDecoration* best_decoration(const std::vector<const OsDecoration*>& candidates, const Target& t);

// A section name split around its platform / TargetOSVersion decoration:
// "DefaultInstall.NTamd64.10.0...25952.Services" -> base "DefaultInstall", decoration
// "NTamd64.10.0...25952", rest "Services". The decoration is the first component after the base
// that is NT, NT<arch> or NT$ARCH$ (unstamped), with the numeric (or empty) version parts after it.
struct DecoratedName {
  std::string_view base;
  std::string_view decoration;  // "" when the name has none
  std::string_view rest;        // components after the decoration, "" when none
};
DecoratedName split_decoration(std::string_view section_name);

// A target OS as InfVerif's /osver and /wbuild take it: "NTAMD64.10.0.0.17763" (a decoration
// with product type, suite mask and build), "NTAMD64.10.0...17763", or "10.0.17763". Fills the
// version (and the architecture when the text names one) and marks the target exact.
Result<Target> parse_target_os(std::string_view text, Target base = {});

// One Manufacturer line resolved for a target.
struct ManufacturerEntry {
  Line line;                    // the [Manufacturer] line
  std::string name;             // substituted key (or the bare name)
  std::string models_base;      // models-section-name as written
  std::vector<OsDecoration> decorations;
  // The Models section chosen for the target ("" when the manufacturer contributes nothing).
  std::string chosen_section;
  std::optional<OsDecoration> chosen_decoration;
};

class Document {
 public:
  Document();
  ~Document();
  Document(Document&&) noexcept;
  Document& operator=(Document&&) noexcept;
  Document(const Document&) = delete;
  Document& operator=(const Document&) = delete;

  // Opens an INF the way SetupOpenInfFile(INF_STYLE_WIN4) does.
  static Result<Document> parse(std::string_view bytes, std::string path = {}, const ParseOptions& opts = {});
  // The same, taking over the caller's buffer instead of copying it (what load() does).
  static Result<Document> parse(std::string&& bytes, std::string path = {}, const ParseOptions& opts = {});
  // A C string; without this overload a string literal would match both of the above.
  static Result<Document> parse(const char* bytes, std::string path = {}, const ParseOptions& opts = {});
  static Result<Document> load(const std::string& path, const ParseOptions& opts = {});

  const std::string& path() const;
  Encoding encoding() const;
  const DecodeFlags& decode_flags() const;
  const std::vector<ParseNote>& notes() const;
  // The original bytes (kept for lossless rewriting) and the decoded text.
  std::string_view bytes() const;
  std::string_view text() const;
  std::uint32_t physical_line_count() const;
  // Decoded text of a physical line without its line break.
  std::string_view physical_line(std::uint32_t line) const;
  // Byte range [begin, end) of a physical line in the original bytes, line break excluded.
  std::pair<std::uint32_t, std::uint32_t> physical_line_bytes(std::uint32_t line) const;
  // The file with physical line `line` replaced by `new_text` (encoded like the file); every
  // other byte is unchanged.
  std::string with_line_replaced(std::uint32_t line, std::string_view new_text) const;

  std::size_t section_count() const;
  Section section_at(std::size_t i) const;
  std::optional<Section> section(std::string_view name) const;  // case-insensitive
  bool has_section(std::string_view name) const;
  std::size_t line_count() const;  // all logical lines
  Line line_at(std::size_t i) const;

  // [Strings] selection (DESIGN: exact LANGID, primary+neutral, primary+any, undecorated).
  void select_language(std::uint16_t langid);
  std::uint16_t language() const;
  std::optional<Section> strings_section() const;
  std::optional<std::string_view> string_value(std::string_view key) const;
  // Whether two keyed lines of strings_section() may hold keys equal ignoring case. False means
  // none do: the [Strings] index met no key twice while it was built and holds every keyed line.
  // True (also when a keyed line has no value and so is not indexed) means "look": it may be so.
  bool strings_keys_may_repeat() const;

  // %DIRID% resolution context; set before reading fields that may hold %1% or %13%.
  void set_dirids(DiridContext ctx);
  const DiridContext& dirids() const;

  // Substitutes %strkey%, %%, and %dirid% in `raw` into `out` (appended). Records unknown
  // tokens when `unknown` is given. Returns false when the result was truncated at 4096.
  bool substitute(std::string_view raw, std::string& out, std::vector<std::string>* unknown = nullptr) const;
  std::string substitute(std::string_view raw) const;

  // The install section SetupDiGetActualSectionToInstall would pick: S.NT<arch>, S.NT, S.
  std::string actual_install_section(std::string_view base, Arch arch) const;
  // The same choice without a string of its own: the chosen section's name as the document spells
  // it, or `base` itself when no candidate exists (the view lives as long as the document and base).
  std::string_view actual_install_section_name(std::string_view base, Arch arch) const;
  // [Manufacturer] lines resolved for a target.
  std::vector<ManufacturerEntry> manufacturers(const Target& t) const;

  // Implementation detail, exposed for Line/Section.
  struct Impl;
  const Impl& impl() const { return *impl_; }

 private:
  friend class Line;
  friend class Section;
  friend std::string_view field_view(const Line& l, std::size_t i, StringArena& arena);
  friend std::optional<std::string_view> key_view(const Line& l, StringArena& arena);
  // Points tables_ at impl_'s arrays once they are built.
  void sync_tables();
  std::unique_ptr<Impl> impl_;
  // The read accessors' view of impl_'s arrays, here so that Line and Section read them inline.
  detail::Tables tables_;
};

// Resolves a DIRID to its stock path (DESIGN.md §4); nullopt when unknown.
std::optional<std::string> dirid_path(long dirid, const DiridContext& ctx);
// The same path appended to `out` (no string of its own); false, out unchanged, when unknown.
bool append_dirid_path(long dirid, const DiridContext& ctx, std::string& out);

// Case-insensitive ASCII comparison used for every INF name lookup.
namespace detail {
bool iequals_same_length(const char* a, const char* b, std::size_t n);
}  // namespace detail
// Inline so that the length test, which settles most calls (hundreds of thousands a check run),
// costs no call; the byte comparison stays out of line (GCC would not inline it whole anyway).
inline bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && detail::iequals_same_length(a.data(), b.data(), a.size());
}
std::string to_lower_ascii(std::string_view s);
// Appends s lower-cased (ASCII letters only) to out: to_lower_ascii into a caller's buffer.
void append_lower_ascii(std::string_view s, std::string& out);

// ---------------------------------------------------------------------------------------------
// The hot read accessors, inline: rules and the installer call them millions of times.
// ---------------------------------------------------------------------------------------------
inline std::uint32_t Line::line() const { return doc_->tables_.lines[index_].line; }
inline bool Line::has_key() const { return doc_->tables_.lines[index_].explicit_key(); }
inline std::uint32_t Line::section_index() const { return doc_->tables_.lines[index_].section(); }
inline std::size_t Line::field_count() const { return value_count_; }

inline bool Line::has_percent() const {
  const detail::Tables& t = doc_->tables_;
  const detail::LineRec& l = t.lines[index_];
  const std::uint32_t end = l.first_value + l.value_count;
  for (std::uint32_t k = l.explicit_key() ? l.first_value - 1 : l.first_value; k < end; ++k) {
    if (detail::FieldRec::has(t.fields[k].len_flags(), detail::FieldRec::kHasPercent)) return true;
  }
  return false;
}

inline bool Line::field_has_percent(std::size_t i) const {
  return i < value_count_ && detail::FieldRec::has(values_[i].len_flags(), detail::FieldRec::kHasPercent);
}

inline bool Line::key_has_percent() const {
  const detail::Tables& t = doc_->tables_;
  const std::uint32_t k = t.lines[index_].key_field();
  return k != detail::LineRec::kNoKey && detail::FieldRec::has(t.fields[k].len_flags(), detail::FieldRec::kHasPercent);
}

// raw_key and raw_field always inline: a few loads and a branch, which GCC otherwise leaves out of
// line in large callers (the package model called them ~30,000 times a check of 600 files).
__attribute__((always_inline)) inline std::optional<std::string_view> Line::raw_key() const {
  const detail::Tables& t = doc_->tables_;
  const std::uint32_t k = t.lines[index_].key_field();
  if (k == detail::LineRec::kNoKey) return std::nullopt;
  return t.field_text(t.fields[k]);
}

inline bool Line::key_into(std::string& out) const {
  const detail::Tables& t = doc_->tables_;
  const std::uint32_t k = t.lines[index_].key_field();
  if (k == detail::LineRec::kNoKey) return false;
  const detail::FieldRec& f = t.fields[k];
  // As field_into: a key the tokenizer did not flag holds no token, and one field is never cut.
  const unsigned w = f.len_flags();
  if (!detail::FieldRec::has(w, detail::FieldRec::kHasPercent)) {
    out.append(t.span_text(f.at, w));
    return true;
  }
  doc_->substitute(t.field_text(f), out);
  return true;
}

__attribute__((always_inline)) inline std::string_view Line::raw_field(std::size_t i) const {
  if (i >= value_count_) return {};
  return doc_->tables_.field_text(values_[i]);
}

inline bool Line::field_into(std::size_t i, std::string& out) const {
  if (i >= value_count_) return false;
  const detail::FieldRec& f = values_[i];
  const detail::Tables& t = doc_->tables_;
  // Most fields hold no token (the tokenizer flagged those that may); a field is at most 511
  // characters, so nothing to cut either.
  const unsigned w = f.len_flags();
  if (!detail::FieldRec::has(w, detail::FieldRec::kHasPercent)) {
    out.append(t.span_text(f.at, w));
    return true;
  }
  doc_->substitute(t.field_text(f), out);
  return true;
}

inline std::string Line::field(std::size_t i) const {
  std::string out;
  field_into(i, out);
  return out;
}

inline bool Line::field_quoted(std::size_t i) const {
  return i < value_count_ && detail::FieldRec::has(values_[i].len_flags(), detail::FieldRec::kQuoted);
}

inline bool Line::key_is(std::string_view name) const {
  const detail::Tables& t = doc_->tables_;
  const std::uint32_t k = t.lines[index_].key_field();
  if (k == detail::LineRec::kNoKey) return false;
  const detail::FieldRec& f = t.fields[k];
  const unsigned w = f.len_flags();
  if (detail::FieldRec::has(w, detail::FieldRec::kHasPercent)) return key_is_substituted(name);
  const std::string_view text = t.span_text(f.at, w);
  return text.size() == name.size() && detail::iequals_same_length(text.data(), name.data(), name.size());
}

// The view read-back: a field the tokenizer did not flag is a span of the text, read as raw_field
// reads it; a flagged one (it may hold a '%'; arena fields always are) goes out of line.
inline std::string_view field_view(const Line& l, std::size_t i, StringArena& arena) {
  if (i >= l.value_count_) return {};
  const detail::FieldRec& f = l.values_[i];
  const detail::Tables& t = l.doc_->tables_;
  const unsigned w = f.len_flags();
  if (!detail::FieldRec::has(w, detail::FieldRec::kHasPercent)) return t.span_text(f.at, w);
  return substitute_view(*l.doc_, t.field_text(f), arena);
}

inline std::optional<std::string_view> key_view(const Line& l, StringArena& arena) {
  const detail::Tables& t = l.doc_->tables_;
  const std::uint32_t k = t.lines[l.index_].key_field();
  if (k == detail::LineRec::kNoKey) return std::nullopt;
  const detail::FieldRec& f = t.fields[k];
  const unsigned w = f.len_flags();
  if (!detail::FieldRec::has(w, detail::FieldRec::kHasPercent)) return t.span_text(f.at, w);
  return substitute_view(*l.doc_, t.field_text(f), arena);
}

inline std::string_view Section::name() const {
  const detail::SectionRec& s = doc_->tables_.sections[index_];
  return std::string_view(doc_->tables_.text + s.name_off, s.name_len);
}
inline std::uint32_t Section::line() const { return doc_->tables_.sections[index_].line; }
inline std::size_t Section::line_count() const { return doc_->tables_.sections[index_].lines_count; }
inline Line Section::line_at(std::size_t i) const {
  const detail::Tables& t = doc_->tables_;
  return Line(doc_, t.section_line(t.sections[index_].lines_begin + static_cast<std::uint32_t>(i)));
}

// (A handle for an index past the last line, which no reader may read, takes nothing from the tables.)
inline Line::Line(const Document* d, std::uint32_t i) : doc_(d), index_(i) {
  const detail::Tables& t = d->tables_;
  if (i >= t.line_total) return;
  const detail::LineRec& l = t.lines[i];
  values_ = t.fields + l.first_value;
  value_count_ = l.value_count;
}

inline Section::Iterator::Iterator(const Section* s, std::size_t i)
    : doc_(s->doc_),
      map_(s->doc_->tables_.section_lines),
      k_(s->doc_->tables_.sections[s->index_].lines_begin + static_cast<std::uint32_t>(i)) {}

inline std::size_t Document::section_count() const { return tables_.section_total; }
inline Section Document::section_at(std::size_t i) const { return Section(this, static_cast<std::uint32_t>(i)); }
inline std::size_t Document::line_count() const { return tables_.line_total; }
inline Line Document::line_at(std::size_t i) const { return Line(this, static_cast<std::uint32_t>(i)); }

}  // namespace isodrv::inf
