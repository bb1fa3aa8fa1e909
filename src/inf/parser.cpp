// The INF tokenizer: a state machine over the decoded text that reproduces SetupAPI's rules for
// sections, keys, fields, quotes, comments and continuation, storing index ranges, not copies.
// Stage 2 of two: the state machine decides per token; the runs between tokens (ordinary
// characters, quoted spans, comments, section names) are skipped by jumping to the next set bit of
// stage 1's masks (structural.h). Parser<false> tests every byte instead and uses no index: it is
// the character-by-character oracle the indexed tokenizer is tested against.
#include <algorithm>
#include <cstddef>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

// Stage 2 has a second build for the avx2 tokenizer's CPU (Parser::run_bmi) where the compiler takes
// a target attribute.
#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#define ISODRV_INF_BMI 1
#endif

#include "base/utf16.h"
#include "inf/document_impl.h"
#include "inf/structural.h"

namespace isodrv::inf {
namespace {

// Character classes for the hot loop.
enum : std::uint8_t { kOrd = 0, kSpace, kNewline, kSemi, kComma, kEquals, kQuote, kBackslash };

struct ClassTable {
  std::uint8_t c[256];
  constexpr ClassTable() : c{} {
    for (auto& x : c) x = kOrd;
    c[static_cast<unsigned char>(' ')] = kSpace;
    c[static_cast<unsigned char>('\t')] = kSpace;
    c[static_cast<unsigned char>('\r')] = kSpace;
    c[static_cast<unsigned char>('\v')] = kSpace;
    c[static_cast<unsigned char>('\f')] = kSpace;
    c[static_cast<unsigned char>('\n')] = kNewline;
    c[static_cast<unsigned char>(';')] = kSemi;
    c[static_cast<unsigned char>(',')] = kComma;
    c[static_cast<unsigned char>('=')] = kEquals;
    c[static_cast<unsigned char>('"')] = kQuote;
    c[static_cast<unsigned char>('\\')] = kBackslash;
  }
};
constexpr ClassTable kClass;

inline std::uint8_t cls(char ch) { return kClass.c[static_cast<unsigned char>(ch)]; }
inline bool is_space(char ch) { return cls(ch) == kSpace; }

constexpr std::uint32_t kNone = 0xFFFFFFFFu;

// Accumulates one token. While nothing was dropped from inside it, the token is a span of the text;
// quotes and continuations switch it to a scratch buffer.
struct Token {
  bool active = false;
  bool scratch = false;
  bool quoted = false;
  // The token so far is exactly one quoted span, text[sb, se) between its quotes: it can still be
  // stored as a span, but anything added to it must go through the scratch buffer.
  bool qspan = false;
  // The span may hold a '%': set for every '%' the scans pass over, since read-back copies fields
  // without the flag as they are. Tokens that went through the scratch buffer are flagged regardless.
  bool pct = false;
  std::uint32_t pos = 0;
  std::uint32_t sb = 0, se = 0;
  std::uint32_t ws = kNone;  // start of pending whitespace after content
  std::string buf;
  std::size_t keep = 0;

  // buf and keep are only read in scratch mode, and to_scratch() sets both.
  void reset() {
    active = scratch = quoted = qspan = pct = false;
    ws = kNone;
  }
  void to_scratch(std::string_view text) {
    if (scratch) return;
    scratch = true;
    buf.clear();
    if (active) buf.append(text.data() + sb, se - sb);
    keep = buf.size();
  }
  __attribute__((always_inline)) void content(std::string_view text, std::uint32_t a, std::uint32_t b) {
    if (!active) {
      active = true;
      pos = a;
      if (!scratch) {
        sb = a;
        se = b;
        ws = kNone;
        return;
      }
    } else if (!scratch) {
      if (!qspan) {
        se = b;
        ws = kNone;
        return;
      }
      to_scratch(text);
    }
    if (ws != kNone) buf.append(text.data() + ws, a - ws);
    buf.append(text.data() + a, b - a);
    keep = buf.size();
    ws = kNone;
  }
  void space(std::uint32_t i) {
    if (active && ws == kNone) ws = i;
  }
};

template <bool kIndexed>
class Parser {
 public:
  Parser(Document::Impl& d, StructuralIndex* idx)
      : d_(d), t_(d.text), n_(static_cast<std::uint32_t>(d.text.size())), idx_(idx) {}

  // Built for baseline x86-64: the oracle and the scalar and sse2 tokenizers, which run on any CPU.
  Status run() { return body(); }
#if ISODRV_INF_BMI
  // The same body built for the CPU the avx2 tokenizer requires (stage2_uses_bmi): AVX2 with BMI1 and
  // BMI2, which every CPU with AVX2 has. Everything body() inlines is compiled for it, so the line
  // loop's mask walks get tzcnt, blsr and andn, and its variable shifts shrx, which unlike shr need
  // not have the count in cl (a register the loop is short of). Out-of-line callees stay baseline.
  __attribute__((target("avx2,bmi,bmi2"))) Status run_bmi() { return body(); }
#endif

 private:
  __attribute__((always_inline)) Status body() {
    std::uint32_t i = 0;
    while (i < n_) {
      if constexpr (kIndexed) {
        if (cur_section_ != kNone) {
          i = simple_lines(i);  // up to a header, a line it declines or the window's end
          if (i >= n_) break;
        }
      }
      char c = t_[i];
      switch (cls(c)) {
        case kNewline:
          ++line_;
          ++i;
          break;
        case kSpace:
          i = skip_leading_spaces(i + 1);  // indentation, or the '\r' of an empty line
          break;
        case kSemi:
          i = skip_to_eol(i);
          break;
        default:
          if (c == '[') {
            auto r = section_header(i);
            if (!r.ok()) return earlier_garbage_or(r.error());
            i = *r;
          } else {
            i = entry(i);
          }
      }
    }
    group_lines();
    group_headers();
    if (garbage_line_ && d_.find_section("Strings") == CiIndex::kNone) {
      if (d_.sections.empty()) {
        return Error(Errc::wrong_inf_style, "the file has no sections", d_.path, 0);
      }
      line_ = garbage_line_;
      return fail(Errc::expected_section_name, "a line appears before the first section header");
    }
    if (garbage_line_) {
      Position p{garbage_line_, 1};
      d_.notes.push_back(ParseNote{NoteKind::line_before_section, p.line, p.column});
    }
    return {};
  }

  // The first byte at or after i whose bit is set in stage 1's mask M, or n_; with kPct, sets pct
  // when a '%' comes before it.
  // The '%'s before the bit are those under m ^ (m - 1): the bits up to and including m's lowest
  // (no byte is both '%' and a stop), or all of them when m is 0; ORed in without a branch.
  template <MaskKind M, bool kPct>
  std::uint32_t next_bit(std::uint32_t i, bool& pct) const {
    std::uint64_t seen = 0;
    while (i < n_) {
      const BlockMasks bm = idx_->block(i >> 6);
      const unsigned sh = i & 63;
      const std::uint64_t m = bm[M] >> sh;
      if (kPct) seen |= (bm[kPctMask] >> sh) & (m ^ (m - 1));
      if (m) {
        if (kPct) pct |= seen != 0;
        return i + static_cast<unsigned>(__builtin_ctzll(m));  // padding past the text has no bits, so this is < n_
      }
      i = (i | 63) + 1;
    }
    if (kPct) pct |= seen != 0;
    return n_;
  }

  std::uint32_t skip_to_eol(std::uint32_t i) const {
    if constexpr (kIndexed) {
      bool unused = false;
      return next_bit<kNlMask, false>(i, unused);
    }
    while (i < n_ && t_[i] != '\n') ++i;
    return i;
  }

  Error fail(Errc code, std::string msg) const { return Error(code, std::move(msg), d_.path, line_); }

  // [ND] A file that fails later on but already had text before its first header reports that
  // text first, as a front-to-back reader would; a [Strings] seen so far excuses it.
  Error earlier_garbage_or(Error later) const {
    if (!garbage_line_ || d_.find_section("Strings") != CiIndex::kNone) return later;
    return Error(Errc::expected_section_name, "a line appears before the first section header", d_.path,
                 garbage_line_);
  }

  void note(NoteKind k, std::uint32_t text_offset) {
    Position p = position(text_offset);
    d_.notes.push_back(ParseNote{k, p.line, p.column});
  }

  // Position of a text offset. Notes are made while the parser moves forward, so counting from the
  // previous note keeps a line with many notes (say, 10^5 over-long tokens) linear, not quadratic.
  Position position(std::uint32_t off) {
    if (pos_cache_valid_ && off >= pos_cache_off_) {
      const auto& starts = d_.decoded.line_text_start;
      std::uint32_t line_end = pos_cache_.line < starts.size() ? starts[pos_cache_.line] : n_;
      if (off < line_end) {
        pos_cache_.column += static_cast<std::uint32_t>(utf16_length(t_.substr(pos_cache_off_, off - pos_cache_off_)));
        pos_cache_off_ = off;
        return pos_cache_;
      }
    }
    pos_cache_ = d_.position_of(off);
    pos_cache_off_ = off;
    pos_cache_valid_ = true;
    return pos_cache_;
  }

  // Out of line: a few headers a file, and run()'s loop keeps its registers without them.
  __attribute__((noinline)) Result<std::uint32_t> section_header(std::uint32_t i) {
    std::uint32_t start = i + 1;
    std::uint32_t j = find_bracket_or_newline(start);
    if (j >= n_ || t_[j] != ']') {
      return fail(Errc::bad_section_name_line, "section header has no closing ']'");
    }
    std::string_view name = t_.substr(start, j - start);
    if (name.size() > kMaxSectionNameLength && utf16_length(name) > kMaxSectionNameLength) {
      return fail(Errc::section_name_too_long, "section name is longer than 255 characters");
    }
    const auto next = static_cast<std::uint32_t>(d_.sections.size());
    // The name of a section not yet pushed is the one being inserted, so name_of never sees it.
    cur_section_ = d_.section_map.try_emplace(name, next, [this](std::uint32_t s) { return d_.section_name(s); });
    if (cur_section_ == next) {
      // lines_begin is where the section's lines start while no section is reopened (group_lines).
      d_.sections.push_back(SectionRec{start, j - start, line_, static_cast<std::uint32_t>(d_.lines.size()), 0});
    }
    d_.headers.emplace_back(cur_section_, line_);
    // Everything after ']' on the line is ignored; only a comment is expected there. Most headers
    // end the line right there, or after a '\r': no scan for the line's end then.
    std::uint32_t k = j + 1;
    if (k < n_ && t_[k] == '\n') return k;
    if (k + 1 < n_ && t_[k] == '\r' && t_[k + 1] == '\n') return k + 1;
    while (k < n_ && is_space(t_[k])) ++k;
    if (k < n_ && t_[k] != '\n' && t_[k] != ';') note(NoteKind::text_after_section, k);
    return skip_to_eol(k);
  }

  // Finishes the current token as a field; returns its index. Inlined into entry() for the usual
  // span (one call per field is a tenth of the tokenizer's instructions); copied tokens go out of line.
  __attribute__((always_inline)) std::uint32_t add_field(std::uint32_t at) {
    if (__builtin_expect(tok_.scratch, false)) return add_arena_field(at);
    FieldRec f{};
    if (!tok_.active) {
      f.at = at;
      f.len = 0;
    } else {
      // A span: the value starts where the token does, or just past its opening quote.
      f.at = tok_.pos;
      const std::uint32_t len = tok_.se - tok_.sb;
      // The masks say what the bit-fields hold: a field is at most 1533 bytes (clamp_len).
      f.len = (len <= kMaxFieldLength ? static_cast<std::uint16_t>(len) : clamp_len(t_.substr(tok_.sb, len), tok_.pos)) &
              0x7FFu;
      f.flags = static_cast<std::uint16_t>((tok_.qspan ? FieldRec::kSpanQuoted : 0) | (tok_.pct ? FieldRec::kHasPercent : 0) |
                                           (tok_.quoted ? FieldRec::kQuoted : 0)) &
                0x1Fu;
    }
    d_.fields.push_back(f);
    tok_.reset();
    return static_cast<std::uint32_t>(d_.fields.size() - 1);
  }

  __attribute__((noinline)) std::uint32_t add_arena_field(std::uint32_t at) {
    FieldRec f{};
    const std::uint32_t pos = tok_.active ? tok_.pos : at;
    tok_.buf.resize(tok_.keep);
    f.len = clamp_len(tok_.buf, pos) & 0x7FFu;
    char p[4];
    std::memcpy(p, &pos, 4);
    // Room for a few dozen such fields at the first: grown by doubling from empty, the arena was
    // several allocations in a file with a handful of quoted or joined fields.
    if (d_.arena.empty()) d_.arena.reserve(1024);
    d_.arena.append(p, 4);
    f.at = static_cast<std::uint32_t>(d_.arena.size());
    d_.arena.append(tok_.buf.data(), f.len);
    f.flags |= FieldRec::kInArena | FieldRec::kHasPercent;  // rare; not worth a scan
    if (tok_.quoted) f.flags |= FieldRec::kQuoted;
    d_.fields.push_back(f);
    tok_.reset();
    return static_cast<std::uint32_t>(d_.fields.size() - 1);
  }

  // A token longer than 511 UTF-16 units is cut there, as Windows does; the cut is recorded.
  std::uint16_t clamp_len(std::string_view s, std::uint32_t pos) {
    if (s.size() <= kMaxFieldLength) return static_cast<std::uint16_t>(s.size());
    const std::size_t i = base::utf16_prefix_bytes(s, kMaxFieldLength);
    if (i < s.size()) note(NoteKind::field_truncated, pos);
    return static_cast<std::uint16_t>(i);
  }

  // A field of the simple-line path: a span of the text, the value from b to e.
  __attribute__((always_inline)) void simple_field(std::uint32_t pos, std::uint32_t b, std::uint32_t e, std::uint16_t flags) {
    FieldRec f{};
    f.at = pos;
    const std::uint32_t len = e - b;
    f.len = (len <= kMaxFieldLength ? static_cast<std::uint16_t>(len) : clamp_len(t_.substr(b, len), pos)) & 0x7FFu;
    f.flags = flags & 0x1Fu;
    d_.fields.push_back(f);
  }

  // The common line, parsed segment by segment from stage 1's masks without the token machine: every
  // field is plain text (blanks inside kept, around it trimmed) or one "quoted" span followed only by
  // blanks, fields end at ',' (or the first '=', which ends the key), and the line ends at '\n', a
  // comment or the end. Builds exactly what the machine below would; returns where the line ends (past
  // its '\n', counted, when nothing follows the last field), or kNone after undoing its work when the
  // line has anything else (a continuation, a quote inside or after text, "" in a quote, an
  // unterminated quote), which the machine then parses. Inlined into entry() and so into run(): the
  // call's saves and restores were ~16 instructions a line.
  __attribute__((always_inline)) std::uint32_t simple_line(std::uint32_t i, LineRec& rec) {
    const std::size_t fields0 = d_.fields.size(), notes0 = d_.notes.size();
    const LineRec rec0 = rec;
    bool key_phase = true;
    std::uint32_t seg = i;
    bool quote = t_[i] == '"';  // whether the field at seg starts with one (i < n_: entry's byte)
    while (true) {
      std::uint8_t k = kNewline;  // the separator's class, kNewline at the end of the text
      const std::uint32_t p = quote ? simple_quoted(seg, key_phase, k) : simple_plain(seg, key_phase, k);
      if (p == kNone) break;
      // One dispatch on the separator: the field paths return only at ',' '=' (in the key phase)
      // ';' or '\n' (or the end).
      switch (k) {
        case kComma:
          break;
        case kEquals:
          rec.first_value = static_cast<std::uint32_t>(d_.fields.size());
          rec.section_key |= 1;
          break;
        case kSemi:
          return skip_to_eol(p);
        default:  // '\n': run() would only count it and step over it
          if (p >= n_) return p;
          ++line_;
          return p + 1;
      }
      key_phase = false;
      // The blanks after the separator, keeping the byte that ends them for the quote test.
      quote = false;
      const char *const b = t_.data(), *const end = b + n_;
      const char* q = b + p + 1;
      for (; q != end; ++q) {
        if (!is_space(*q)) {
          quote = *q == '"';
          break;
        }
      }
      seg = static_cast<std::uint32_t>(q - b);
    }
    d_.fields.resize_down(fields0);
    d_.notes.resize(notes0);
    rec = rec0;
    return kNone;
  }

  // The class of the byte at p, with the end of the text as a line end.
  std::uint8_t sep_class(std::uint32_t p) const { return p < n_ ? cls(t_[p]) : static_cast<std::uint8_t>(kNewline); }

  // simple_line's "quoted" field at seg: adds it and returns the byte after it and its blanks (its
  // class in k), or kNone when the line is not simple there.
  __attribute__((always_inline)) std::uint32_t simple_quoted(std::uint32_t seg, bool key_phase, std::uint8_t& k) {
    bool pct = false;
    const std::uint32_t q = find_quote_or_newline(seg + 1, pct);
    if (q >= n_ || t_[q] != '"' || (q + 1 < n_ && t_[q + 1] == '"')) return kNone;
    const std::uint32_t p = skip_leading_spaces(q + 1);
    k = sep_class(p);
    if (k != kComma && k != kNewline && k != kSemi && !(k == kEquals && key_phase)) return kNone;
    simple_field(seg, seg + 1, q,
                 static_cast<std::uint16_t>(FieldRec::kSpanQuoted | FieldRec::kQuoted | (pct ? FieldRec::kHasPercent : 0)));
    return p;
  }

  // simple_line's plain-text field at seg: adds it and returns where it ends (',' '=' ';' '\n' or
  // n_; its class in k), or kNone when the line is not simple there (a continuation, a quote after text).
  // Backslashes are text unless only backslashes and blanks follow them up to the line's end or a
  // comment (a continuation, which the machine handles), i.e. unless the field's last non-blank
  // byte is one and the field ends the line: so the scan does not stop at each (paths hold many).
  __attribute__((always_inline)) std::uint32_t simple_plain(std::uint32_t seg, bool key_phase, std::uint8_t& k) {
    bool pct = false;
    std::uint32_t p = field_end(seg, pct);
    k = sep_class(p);
    while (k == kEquals && !key_phase) {  // '=' is text in values
      p = field_end(p + 1, pct);
      k = sep_class(p);
    }
    if (k == kQuote) return kNone;
    if (p == seg) {
      simple_field(p, p, p, 0);  // an empty field sits where it ended
      return p;
    }
    const char* q = t_.data() + p;
    while (is_space(q[-1])) --q;  // stops at seg + 1 at the latest: t_[seg] is text
    const auto e = static_cast<std::uint32_t>(q - t_.data());
    if (t_[e - 1] == '\\' && (k == kNewline || k == kSemi)) return kNone;
    simple_field(seg, seg, e, pct ? FieldRec::kHasPercent : 0);
    return p;
  }

  // The text and the part of stage 1's window simple_lines reads, in locals: the window's masks
  // cover the text's bytes [first block * 64, end), end clipped to n. `masks` is the window's address
  // less its first block's offset, so block b's masks start at masks + b * 8 (one register and one
  // subtraction fewer a block than indexing the window).
  struct Held {
    const char* t;
    std::uint32_t n;
    std::uintptr_t masks;
    std::uint32_t end;
    BlockMasks block(std::uint32_t i) const {
      return BlockMasks{reinterpret_cast<const std::uint64_t*>(masks + std::uintptr_t{i >> 6} * sizeof(std::uint64_t))};
    }
  };

  // next_bit over the held window only: kNone when the bit would lie past it (n when the text ends
  // there). It calls nothing, so the line loop keeps its values in registers.
  template <MaskKind M, bool kPct>
  __attribute__((always_inline)) static std::uint32_t held_bit(const Held& h, std::uint32_t i, bool& pct) {
    std::uint64_t seen = 0;
    while (i < h.end) {
      const BlockMasks bm = h.block(i);
      const unsigned sh = i & 63;
      const std::uint64_t m = bm[M] >> sh;
      if (kPct) seen |= (bm[kPctMask] >> sh) & (m ^ (m - 1));
      if (m) {
        if (kPct) pct |= seen != 0;
        return i + static_cast<unsigned>(__builtin_ctzll(m));
      }
      i = (i | 63) + 1;
    }
    if (kPct) pct |= seen != 0;
    return h.end == h.n ? h.n : kNone;
  }

  // simple_line's "quoted" field at seg over the held window: the value is [b, e); returns the byte
  // after it and its blanks (its class in k), or kNone.
  __attribute__((always_inline)) static std::uint32_t held_quoted(const Held& h, std::uint32_t seg, bool key_phase, std::uint8_t& k,
                                                                  std::uint32_t& b, std::uint32_t& e, bool& pct) {
    const std::uint32_t q = held_bit<kQnlMask, true>(h, seg + 1, pct);
    if (q >= h.n || h.t[q] != '"' || (q + 1 < h.n && h.t[q + 1] == '"')) return kNone;
    std::uint32_t p = q + 1;
    while (p < h.n && is_space(h.t[p])) ++p;
    k = p < h.n ? cls(h.t[p]) : static_cast<std::uint8_t>(kNewline);
    if (k != kComma && k != kNewline && k != kSemi && !(k == kEquals && key_phase)) return kNone;
    b = seg + 1;
    e = q;
    return p;
  }

  // simple_line's plain field at seg over the held window: the value is [seg, e); returns where it
  // ends (its class in k), or kNone.
  __attribute__((always_inline)) static std::uint32_t held_plain(const Held& h, std::uint32_t seg, bool key_phase, std::uint8_t& k,
                                                                 std::uint32_t& e, bool& pct) {
    std::uint32_t p = held_bit<kFendMask, true>(h, seg, pct);
    if (p == kNone) return kNone;
    k = p < h.n ? cls(h.t[p]) : static_cast<std::uint8_t>(kNewline);
    while (k == kEquals && !key_phase) {  // '=' is text in values
      p = held_bit<kFendMask, true>(h, p + 1, pct);
      if (p == kNone) return kNone;
      k = p < h.n ? cls(h.t[p]) : static_cast<std::uint8_t>(kNewline);
    }
    if (k == kQuote) return kNone;
    e = p;  // an empty field sits where it ended
    if (p != seg) {
      const char* q = h.t + p;
      while (is_space(q[-1])) --q;  // stops at seg + 1 at the latest: t[seg] is text
      e = static_cast<std::uint32_t>(q - h.t);
      if (h.t[e - 1] == '\\' && (k == kNewline || k == kSemi)) return kNone;
    }
    return p;
  }

  // simple_line's fields over the held window, written at fields[nf] on (nf advanced; each record is
  // stored as one 8-byte word, so nf stays below room, one short of the table's capacity); keyed is 1
  // when '=' ended the first. Returns where the line ends ('\n' ';' or n, its class in k), or kNone
  // when the line is not simple, leaves the window, holds a field over 511 bytes or the table is full.
  __attribute__((always_inline)) static std::uint32_t held_fields(const Held& h, std::uint32_t seg, FieldRec* fields, std::uint32_t& nf,
                                                                  std::uint32_t room, std::uint32_t& keyed, std::uint8_t& k) {
    bool key_phase = true;
    bool quote = h.t[seg] == '"';
    while (true) {
      if (nf >= room) return kNone;
      bool pct = false;
      std::uint32_t b = seg, e = seg;
      const std::uint32_t p = quote ? held_quoted(h, seg, key_phase, k, b, e, pct) : held_plain(h, seg, key_phase, k, e, pct);
      if (p == kNone || e - b > kMaxFieldLength) return kNone;
      const std::uint64_t flags = (quote ? FieldRec::kSpanQuoted | FieldRec::kQuoted : 0) | (pct ? FieldRec::kHasPercent : 0);
      // FieldRec's bytes: `at`, then the length in the low 11 bits of a 16-bit word and the flags above.
      const std::uint64_t w = seg | std::uint64_t{e - b} << 32 | flags << 43;
      std::memcpy(reinterpret_cast<char*>(fields + nf), &w, 8);  // the next record's two bytes are free
      ++nf;
      if (k == kEquals) {
        keyed = 1;
      } else if (k != kComma) {
        return p;
      }
      key_phase = false;
      // The blanks after the separator, keeping the byte that ends them for the quote test.
      quote = false;
      const char* q = h.t + p + 1;
      for (const char* const end = h.t + h.n; q != end; ++q) {
        if (!is_space(*q)) {
          quote = *q == '"';
          break;
        }
      }
      seg = static_cast<std::uint32_t>(q - h.t);
    }
  }

  // Line after line from i while they are simple and lie in the blocks stage 1's window holds, with
  // blank lines and comments between them; returns where it stopped: at a section header, a line it
  // declines (which run() gives to entry()), where the window ends, or at n_. Calls nothing in its
  // loop and keeps its state in locals (the tables' counts, the line number): in run()'s own loop,
  // GCC reloaded members through `this` after every store and spilled its values around refill
  // calls. Inlined into run() all the same (a loop of its own there, entered once per run of lines):
  // 0.7 M instructions fewer on big5 than as a noinline function (measured).
  __attribute__((always_inline)) std::uint32_t simple_lines(std::uint32_t i) {
    idx_->block(i >> 6);  // the window holds i's block from here on
    const std::size_t base = idx_->window_base();
    const Held h{t_.data(), n_, reinterpret_cast<std::uintptr_t>(idx_->window()) - base * sizeof(std::uint64_t),
                 static_cast<std::uint32_t>(std::min<std::size_t>(n_, (base + idx_->window_count()) * 64))};
    FieldRec* const fields = d_.fields.data();
    auto nf = static_cast<std::uint32_t>(d_.fields.size());
    const auto room = static_cast<std::uint32_t>(d_.fields.capacity() ? d_.fields.capacity() - 1 : 0);
    LineRec* const lines = d_.lines.data();
    LineRec* out = lines + d_.lines.size();
    const LineRec* const lend = lines + d_.lines.capacity();
    // A LineRec's second word, the line number and the section key, kept as one value.
    std::uint64_t line_key = line_ | std::uint64_t{cur_section_ << 2} << 32;
    while (i < h.n) {
      const char c = h.t[i];
      const std::uint8_t ci = cls(c);
      if (ci == kNewline) {
        ++line_key;
        ++i;
        continue;
      }
      if (ci == kSpace) {
        while (++i < h.n && is_space(h.t[i])) {
        }
        continue;
      }
      if (ci == kSemi) {
        bool unused = false;
        const std::uint32_t p = held_bit<kNlMask, false>(h, i, unused);
        if (p == kNone) break;
        i = p;
        continue;
      }
      if (c == '[' || out == lend) break;
      const std::uint32_t f0 = nf;
      std::uint32_t keyed = 0;
      std::uint8_t k = kNewline;
      const std::uint32_t p = held_fields(h, i, fields, nf, room, keyed, k);
      if (p == kNone) {
        nf = f0;
        break;
      }
      // The LineRec as two words: first_value and value_count, then line and section_key.
      static_assert(sizeof(LineRec) == 16 && offsetof(LineRec, value_count) == 4 && offsetof(LineRec, section_key) == 12);
      const std::uint64_t w[2] = {(f0 + keyed) | std::uint64_t{nf - f0 - keyed} << 32, line_key | std::uint64_t{keyed} << 32};
      std::memcpy(static_cast<void*>(out), w, 16);
      ++out;
      i = p;
      if (k == kNewline && p < h.n) {
        ++line_key;
        ++i;
      }
    }
    d_.fields.set_size(nf);
    d_.lines.set_size(static_cast<std::size_t>(out - lines));  // a shift: sizeof(LineRec) is 16
    line_ = static_cast<std::uint32_t>(line_key);
    return i;
  }

  // One logical line starting at a non-blank character that is neither '[' nor ';'. It cannot fail.
  // Inlined into run(): the call's register saves and restores were ~20 instructions a line.
  __attribute__((always_inline)) std::uint32_t entry(std::uint32_t i) {
    if (cur_section_ == kNone) {
      // Windows tolerates text before the first header when the file has a [Strings] section;
      // whether this one does is only known at the end, so remember the first such line.
      if (!garbage_line_) garbage_line_ = line_;
      return skip_to_eol(i);
    }
    LineRec rec{};
    rec.line = line_;
    rec.section_key = cur_section_ << 2;
    rec.first_value = static_cast<std::uint32_t>(d_.fields.size());
    if constexpr (kIndexed) {
      const std::uint32_t end = simple_line(i, rec);
      if (end != kNone) {
        rec.value_count = static_cast<std::uint32_t>(d_.fields.size()) - rec.first_value;
        d_.lines.push_back(rec);
        return end;
      }
    }
    bool key_phase = true;
    tok_.reset();

    while (true) {
      if (i >= n_) {
        add_field(i);
        break;
      }
      char c = t_[i];
      switch (cls(c)) {
        case kOrd:
          i = ordinary_run(i);
          continue;
        case kSpace:
          tok_.space(i);
          i = skip_leading_spaces(i + 1);
          continue;
        case kNewline:
          add_field(i);
          goto done;
        case kSemi:
          add_field(i);
          i = skip_to_eol(i);
          goto done;
        case kComma:
          add_field(i);
          key_phase = false;
          i = skip_leading_spaces(i + 1);
          continue;
        case kEquals:
          if (key_phase) {
            std::uint32_t k = add_field(i);
            rec.first_value = k + 1;
            rec.section_key |= 1;
            key_phase = false;
            i = skip_leading_spaces(i + 1);
            continue;
          }
          tok_.content(t_, i, i + 1);
          ++i;
          continue;
        case kQuote:
          i = quoted(i);
          continue;
        case kBackslash:
          i = backslashes(i);
          continue;
      }
    }
  done:
    if (line_ != rec.line) {
      rec.section_key |= 2;
      d_.end_lines.emplace_back(static_cast<std::uint32_t>(d_.lines.size()), line_);
    }
    rec.value_count = static_cast<std::uint32_t>(d_.fields.size()) - rec.first_value;
    d_.lines.push_back(rec);
    return i;
  }

  // Ordinary characters and the blanks between them up to the next character that ends or splits
  // the token, as one piece: blanks inside a token are kept, trailing ones stay pending. Returns
  // where the run ends.
  std::uint32_t ordinary_run(std::uint32_t i) {
    if (t_[i] == '%') tok_.pct = true;
    const std::uint32_t h = run_end(i + 1, tok_.pct);
    std::uint32_t j = h;
    while (is_space(t_[j - 1])) --j;  // stops at i at the latest: t_[i] is ordinary
    tok_.content(t_, i, j);
    if (j < h) tok_.space(j);
    return h;
  }

  // A run of backslashes and blanks at i: a continuation when the line (or a comment) follows,
  // else ordinary text. Returns where the machine goes on.
  std::uint32_t backslashes(std::uint32_t i) {
    std::uint32_t j = i;
    while (j < n_ && (t_[j] == '\\' || is_space(t_[j]))) ++j;
    if (j < n_ && t_[j] == ';') j = skip_to_eol(j);
    if (j >= n_) {
      note(NoteKind::continuation_at_eof, i);
      return j;  // the backslashes are dropped; the loop ends the line
    }
    if (t_[j] == '\n') {
      ++line_;
      tok_.to_scratch(t_);
      tok_.ws = kNone;  // blanks before the backslash do not survive the join
      return skip_leading_spaces(j + 1);
    }
    // Any other character: the backslashes are ordinary text; blanks after the last one stay
    // pending, so they are kept inside a token but trimmed before '=', ',' or the line end.
    std::uint32_t last = j;
    while (last > i && is_space(t_[last - 1])) --last;
    tok_.content(t_, i, last);
    if (last < j) tok_.space(last);
    return j;
  }

  // The end of a run of ordinary characters and blanks starting at i: the first byte at or after i
  // that is '\n' ; , = " or a backslash, or n_; sets pct when the run holds a '%'.
  // Stage 1 keeps no mask of backslashes: only this path stops at them, for the few lines a file
  // that simple_line declines, so each block's are found here and added to its fend bits (next_bit's
  // loop otherwise, '%' flag included).
  std::uint32_t run_end(std::uint32_t i, bool& pct) {
    if constexpr (kIndexed) {
      std::uint64_t seen = 0;
      while (i < n_) {
        const BlockMasks bm = idx_->block(i >> 6);
        const unsigned sh = i & 63;
        const std::uint64_t m = (bm[kFendMask] | backslashes_in_block(i >> 6)) >> sh;
        seen |= (bm[kPctMask] >> sh) & (m ^ (m - 1));
        if (m) {
          pct |= seen != 0;
          return i + static_cast<unsigned>(__builtin_ctzll(m));
        }
        i = (i | 63) + 1;
      }
      pct |= seen != 0;
      return n_;
    }
    while (i < n_ && (cls(t_[i]) == kOrd || cls(t_[i]) == kSpace)) {
      if (t_[i] == '%') pct = true;
      ++i;
    }
    return i;
  }

  // Bit k set for each backslash at byte b * 64 + k of the text (none past its end). The last block's
  // are kept: a line's runs mostly lie in one block.
  std::uint64_t backslashes_in_block(std::uint32_t b) {
    if (b != bs_block_) {
      bs_block_ = b;
      bs_mask_ = find_backslashes(b);
    }
    return bs_mask_;
  }
  std::uint64_t find_backslashes(std::uint32_t b) const {
    const std::uint32_t base = b * 64;
    const char* s = t_.data() + base;
#if defined(__SSE2__)
    if (n_ - base >= 64) {
      const __m128i bs = _mm_set1_epi8('\\');
      std::uint64_t m = 0;
      for (unsigned k = 0; k < 64; k += 16) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + k));
        m |= std::uint64_t{static_cast<std::uint16_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, bs)))} << k;
      }
      return m;
    }
#endif
    const std::uint32_t end = std::min<std::uint32_t>(n_ - base, 64);
    std::uint64_t m = 0;
    for (std::uint32_t k = 0; k < end; ++k) m |= std::uint64_t{s[k] == '\\'} << k;
    return m;
  }

  // The end of a simple line's plain field from i: the first '\n' ; , = or '"' (not a backslash:
  // simple_plain looks back for those), or n_; sets pct when the field holds a '%'. Indexed only.
  std::uint32_t field_end(std::uint32_t i, bool& pct) const { return next_bit<kFendMask, true>(i, pct); }

  // The first '"' or '\n' at or after i, or n_; sets pct when a '%' comes before it.
  std::uint32_t find_quote_or_newline(std::uint32_t i, bool& pct) const {
    if constexpr (kIndexed) return next_bit<kQnlMask, true>(i, pct);
    while (i < n_ && t_[i] != '"' && t_[i] != '\n') {
      if (t_[i] == '%') pct = true;
      ++i;
    }
    return i;
  }

  // The first ']' or '\n' at or after i, or n_.
  std::uint32_t find_bracket_or_newline(std::uint32_t i) const {
    if constexpr (kIndexed) {
#if defined(__SSE2__)
      // 16 bytes a step (a section name is ~20): half the instructions of the 8-byte word test.
      const __m128i br = _mm_set1_epi8(']'), nl = _mm_set1_epi8('\n');
      for (; i + 16 <= n_; i += 16) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(t_.data() + i));
        const unsigned m = static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, br), _mm_cmpeq_epi8(v, nl))));
        if (m) return i + static_cast<std::uint32_t>(__builtin_ctz(m));
      }
#endif
      constexpr std::uint64_t kOnes = 0x0101010101010101ULL, kHighs = 0x8080808080808080ULL;
      for (; i + 8 <= n_; i += 8) {
        const std::uint64_t w = load_u64(t_.data() + i);
        const std::uint64_t a = w ^ (kOnes * static_cast<unsigned char>(']')), b = w ^ (kOnes * static_cast<unsigned char>('\n'));
        const std::uint64_t t = (((a - kOnes) & ~a) | ((b - kOnes) & ~b)) & kHighs;
        if (t) return i + static_cast<std::uint32_t>(__builtin_ctzll(t) / 8);
      }
    }
    while (i < n_ && t_[i] != ']' && t_[i] != '\n') ++i;
    return i;
  }

  std::uint32_t skip_leading_spaces(std::uint32_t i) const {
    while (i < n_ && is_space(t_[i])) ++i;
    return i;
  }

  // A quoted span from t_[i] == '"'; "" inside yields one quote; the span ends at end of line.
  std::uint32_t quoted(std::uint32_t i) {
    if (!tok_.active && !tok_.scratch) {
      // The common case, a token that starts with a plain "..." on one line: keep it as a span.
      bool pct = false;
      std::uint32_t q = find_quote_or_newline(i + 1, pct);
      if (q < n_ && t_[q] == '"' && (q + 1 >= n_ || t_[q + 1] != '"')) {
        tok_.active = tok_.quoted = tok_.qspan = true;
        tok_.pct = pct;
        tok_.pos = i;
        tok_.sb = i + 1;
        tok_.se = q;
        tok_.ws = kNone;
        return q + 1;
      }
    }
    tok_.to_scratch(t_);
    if (!tok_.active) {
      tok_.active = true;
      tok_.pos = i;
    } else if (tok_.ws != kNone) {
      tok_.buf.append(t_.data() + tok_.ws, i - tok_.ws);
    }
    tok_.ws = kNone;
    tok_.quoted = true;
    std::uint32_t j = i + 1;
    std::uint32_t seg = j;
    while (true) {
      if (j >= n_ || t_[j] == '\n') {
        tok_.buf.append(t_.data() + seg, j - seg);
        note(NoteKind::unterminated_quote, i);
        break;
      }
      if (t_[j] == '"') {
        tok_.buf.append(t_.data() + seg, j - seg);
        if (j + 1 < n_ && t_[j + 1] == '"') {
          tok_.buf.push_back('"');
          j += 2;
          seg = j;
          continue;
        }
        ++j;
        break;
      }
      ++j;
    }
    tok_.keep = tok_.buf.size();
    return j;
  }

  // Orders line indices by section so each merged section's lines are contiguous. Kept out of run():
  // inlined there, it cost the line loop more than it saved (measured).
  __attribute__((noinline)) void group_lines() {
    const std::size_t ns = d_.sections.size();
    if (d_.headers.size() == ns) {
      // No section was reopened (one header each, so sections were opened in index order): the lines
      // are already grouped, each section's starting where its header left the line table.
      for (std::size_t s = 0; s < ns; ++s) {
        const std::uint32_t end = s + 1 < ns ? d_.sections[s + 1].lines_begin : static_cast<std::uint32_t>(d_.lines.size());
        d_.sections[s].lines_count = end - d_.sections[s].lines_begin;
      }
      return;
    }
    group_reopened_lines();
  }

  // group_lines when a section was reopened. Each header's lines are the run of the line table from
  // it to the next header, found from the physical line numbers (ascending in the table): a compare
  // and a sequential copy per line instead of two counting passes with table lookups.
  // The lines are still in section order (the map is then left empty, Impl::section_line, saving
  // four bytes a line) when the headers that have lines come in nondecreasing section order.
  void group_reopened_lines() {
    const std::size_t ns = d_.sections.size(), nh = d_.headers.size();
    const auto nl = static_cast<std::uint32_t>(d_.lines.size());
    // Headers and lines are both in file order: one walk down the line table finds every start.
    std::vector<std::uint32_t> start(nh + 1);
    const LineRec *const lines = d_.lines.data(), *const lines_end = lines + nl;
    const LineRec* walk = lines;
    for (std::size_t k = 0; k < nh; ++k) {
      const std::uint32_t phys = d_.headers[k].second;
      while (walk != lines_end && walk->line < phys) ++walk;
      start[k] = static_cast<std::uint32_t>(walk - lines);
    }
    start[nh] = nl;
    for (auto& sec : d_.sections) sec.lines_count = 0;
    bool in_order = true;
    std::uint32_t last = 0;
    for (std::size_t k = 0; k < nh; ++k) {
      const std::uint32_t s = d_.headers[k].first, n = start[k + 1] - start[k];
      d_.sections[s].lines_count += n;
      if (n) {
        in_order = in_order && s >= last;
        last = s;
      }
    }
    std::uint32_t begin = 0;
    for (auto& sec : d_.sections) {
      sec.lines_begin = begin;
      begin += sec.lines_count;
    }
    if (in_order) return;
    d_.section_lines.resize(nl);
    std::vector<std::uint32_t> cursor(ns);
    for (std::size_t s = 0; s < ns; ++s) cursor[s] = d_.sections[s].lines_begin;
    // The run's slots through a pointer of their own: written through the cursor's element, each
    // store might have changed the cursor (both are uint32_t), which kept the loop from vectorising.
    std::uint32_t* const order = d_.section_lines.data();
    for (std::size_t k = 0; k < nh; ++k) {
      const std::uint32_t b = start[k], e = start[k + 1];
      std::uint32_t* out = order + cursor[d_.headers[k].first];
      for (std::uint32_t li = b; li < e; ++li) *out++ = li;
      cursor[d_.headers[k].first] += e - b;
    }
  }

  // Orders the header list by section so Section::header_lines is a lookup, not a scan of every
  // header (which made a file of many sections quadratic). Without reopened sections the list is
  // already one header per section, in section order, and needs no index.
  void group_headers() {
    const std::size_t ns = d_.sections.size();
    if (d_.headers.size() == ns) return;
    // A counting sort: stable, linear, and one buffer as stable_sort's merge buffer was. header_begin
    // serves as the cursors (begin[s] walks to begin[s + 1]) and is shifted back into place after.
    auto& begin = d_.header_begin;
    begin.assign(ns + 1, 0);
    for (const auto& h : d_.headers) ++begin[h.first + 1];
    for (std::size_t s = 0; s < ns; ++s) begin[s + 1] += begin[s];
    std::vector<std::pair<std::uint32_t, std::uint32_t>> sorted(d_.headers.size());
    for (const auto& h : d_.headers) sorted[begin[h.first]++] = h;
    for (std::size_t s = ns; s > 0; --s) begin[s] = begin[s - 1];
    begin[0] = 0;
    d_.headers.swap(sorted);
  }

  Document::Impl& d_;
  std::string_view t_;
  std::uint32_t n_;
  StructuralIndex* idx_;  // null for the oracle
  std::uint32_t line_ = 1;
  std::uint32_t cur_section_ = kNone;
  std::uint32_t garbage_line_ = 0;  // first non-comment line before any section header
  Token tok_;
  Position pos_cache_{};
  std::uint32_t pos_cache_off_ = 0;
  bool pos_cache_valid_ = false;
  std::uint32_t bs_block_ = kNone;  // run_end's block of backslashes, bs_mask_
  std::uint64_t bs_mask_ = 0;
};

}  // namespace

Status parse_text(Document::Impl& impl) {
  // Each logical line starts on a physical line of its own, so there are at most as many lines as
  // physical lines. A field ends at a ',', at the '=' after a key, or where its line ends, so the
  // separators plus the lines bound the fields: the arrays are allocated once and never copied
  // while they grow (pages reserved but never written cost address space, not memory).
  // Both tables come from one allocation (two cost ~185 instructions more a document on small1).
  const std::size_t physical = impl.decoded.line_text_start.size();
  const Tokenizer t = active_tokenizer();
  const std::size_t separators = impl.separators != kSeparatorsUncounted ? impl.separators : count_separators(impl.text, t);
  impl.fields.reserve_with(separators + physical + 1, impl.lines, physical);
  // A driver INF has tens of sections: room for 32 up front spares the five or six reallocations
  // of growing each table from one entry (a few hundred bytes; small files feel every allocation).
  impl.sections.reserve(32);
  impl.headers.reserve(32);
  impl.section_map.reserve(32);
  if (t == Tokenizer::oracle) return Parser<false>(impl, nullptr).run();
  StructuralIndex idx(impl.text, classifier(t));
#if ISODRV_INF_BMI
  if (stage2_uses_bmi(t)) return Parser<true>(impl, &idx).run_bmi();
#endif
  return Parser<true>(impl, &idx).run();
}

}  // namespace isodrv::inf
