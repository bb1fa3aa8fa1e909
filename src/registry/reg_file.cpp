// .reg files: export of a key tree in the layout `reg export` writes (REGEDIT5, or REGEDIT4 on
// request) and import of both forms, including the deletion syntax, in one transaction.
#include <algorithm>
#include <cstdio>

#include "isodrv/registry.h"
#include "base/text.h"
#include "registry/names.h"
#include "registry/text.h"

namespace isodrv::registry {

namespace {

// After a "xx," byte the line is folded once it reaches this column, so that no line, with its
// trailing '\', exceeds 80 columns (the rule regedit and reg export follow).
constexpr std::size_t kFoldColumn = 77;
constexpr std::string_view kContinuationIndent = "  ";

struct Writer {
  RegFormat format;
  std::string out;      // UTF-8 text of the key being written
  std::string encoded;  // the file so far, in its encoding

  // Moves `out` into `encoded` after each key, so a big export is never held twice over.
  Status flush() {
    if (format == RegFormat::regedit4) {
      encoded += text::utf8_to_cp1252(out);
    } else {
      std::u16string wide;
      if (!text::utf8_to_utf16(out, wide)) return Error(Errc::internal, "export produced invalid UTF-8");
      text::append_utf16le(wide, encoded);
    }
    out.clear();
    return {};
  }

  // Columns as the output encoding counts them: UTF-16 units, or bytes for Windows-1252.
  std::size_t columns(std::string_view utf8) const {
    if (format == RegFormat::regedit5) return text::utf16_length(utf8);
    std::size_t n = 0;
    for (char b : utf8) n += (static_cast<unsigned char>(b) & 0xC0) != 0x80;
    return n;
  }
};

std::string escape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  for (char c : s) {
    if (c == '\\' || c == '"') out += '\\';
    out += c;
  }
  return out;
}

bool has_line_break(std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; }

// The text of a REG_SZ when it can be written as "…" and read back to the same bytes: UTF-16LE
// with exactly one NUL, at the end, and no line break.
bool sz_as_text(const std::vector<std::uint8_t>& d, std::string& out) {
  if (d.size() < 2 || d.size() % 2 != 0) return false;
  std::u16string wide = text::from_utf16le(d.data(), d.size());
  if (wide.back() != 0) return false;
  wide.pop_back();
  if (wide.find(u'\0') != std::u16string::npos) return false;
  if (!text::utf16_to_utf8(wide, out)) return false;
  return !has_line_break(out);
}

// UTF-16LE string data as Windows-1252 bytes, one byte per code unit (REGEDIT4 hex(2)/hex(7)).
std::vector<std::uint8_t> utf16le_to_ansi_bytes(const std::vector<std::uint8_t>& d) {
  std::u16string wide = text::from_utf16le(d.data(), d.size());
  std::vector<std::uint8_t> out;
  out.reserve(wide.size());
  for (char16_t c : wide) {
    if (c == 0) {
      out.push_back(0);
      continue;
    }
    std::string utf8;
    if (!text::utf16_to_utf8(std::u16string_view(&c, 1), utf8)) {
      out.push_back('?');
      continue;
    }
    std::string a = text::utf8_to_cp1252(utf8);
    out.push_back(a.empty() ? '?' : static_cast<std::uint8_t>(a[0]));
  }
  return out;
}

void write_hex(Writer& w, std::size_t column, std::string_view prefix, const std::vector<std::uint8_t>& d) {
  static const char* kHex = "0123456789abcdef";
  w.out += prefix;
  column += prefix.size();
  for (std::size_t i = 0; i < d.size(); ++i) {
    w.out += kHex[d[i] >> 4];
    w.out += kHex[d[i] & 0xF];
    if (i + 1 == d.size()) break;
    w.out += ',';
    column += 3;
    if (column >= kFoldColumn) {
      w.out += "\\\r\n";
      w.out += kContinuationIndent;
      column = kContinuationIndent.size();
    }
  }
}

Status write_value(Writer& w, const std::string& key_path, const NamedValue& nv) {
  if (has_line_break(nv.name)) {
    return Error(Errc::unsupported,
                 key_path + ": value name with a line break cannot be written to a .reg file");
  }
  std::string head = nv.name.empty() ? std::string("@=") : "\"" + escape(nv.name) + "\"=";
  w.out += head;
  std::size_t column = w.columns(head);
  const Value& v = nv.value;
  std::string s;
  switch (v.type) {
    case kRegSz:
      if (sz_as_text(v.data, s)) {
        w.out += '"';
        w.out += escape(s);
        w.out += '"';
        return {};
      }
      break;
    case kRegDword:
      if (v.data.size() == 4) {
        char buf[16];
        const std::uint32_t x = *decode_dword(v);
        std::snprintf(buf, sizeof buf, "dword:%08x", x);
        w.out += buf;
        return {};
      }
      break;
    case kRegExpandSz:
    case kRegMultiSz:
      if (w.format == RegFormat::regedit4) {
        write_hex(w, column, v.type == kRegExpandSz ? "hex(2):" : "hex(7):", utf16le_to_ansi_bytes(v.data));
        return {};
      }
      break;
    default:
      break;
  }
  if (v.type == kRegBinary) {
    write_hex(w, column, "hex:", v.data);
  } else {
    char prefix[24];
    std::snprintf(prefix, sizeof prefix, "hex(%x):", v.type);
    write_hex(w, column, prefix, v.data);
  }
  return {};
}

Status write_one_key(Writer& w, const KeyHandle& key) {
  if (has_line_break(key.path())) {
    return Error(Errc::unsupported, key.path() + ": key name with a line break cannot be written to a .reg file");
  }
  w.out += "[" + key.path() + "]\r\n";
  auto values = key.enum_values();
  if (!values) return values.error();
  for (const auto& nv : *values) {
    if (auto s = write_value(w, key.path(), nv); !s) return s;
    w.out += "\r\n";
  }
  w.out += "\r\n";
  return {};
}

// Depth first, each key before its subkeys, with an explicit stack: a key 16,000 levels deep is
// legal (its path is under 32,767 characters) and must not cost a stack frame per level.
Status write_key(Writer& w, const KeyHandle& root) {
  std::vector<KeyHandle> pending{root};
  while (!pending.empty()) {
    KeyHandle key = std::move(pending.back());
    pending.pop_back();
    if (auto s = write_one_key(w, key); !s) return s;
    if (auto s = w.flush(); !s) return s;
    auto subkeys = key.enum_subkeys();
    if (!subkeys) return subkeys.error();
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

// ---- import -----------------------------------------------------------------------------------

struct Line {
  std::string text;       // UTF-8, continuation lines joined
  std::uint32_t number;   // where it starts, 1-based
};

using base::is_blank;

using base::trim_view;

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool istarts_with(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c += 0x20;
    if (c != prefix[i]) return false;
  }
  return true;
}

class Importer {
 public:
  Importer(const Registry& reg, std::string file) : reg_(reg), file_(std::move(file)) {}

  Status run(std::string_view bytes) {
    std::string text_utf8;
    if (auto s = decode(bytes, text_utf8); !s) return s;
    std::vector<Line> lines = split_lines(text_utf8);
    std::size_t i = 0;
    while (i < lines.size() && trim_view(lines[i].text).empty()) ++i;
    if (i == lines.size()) return fail(1, "the file is empty; expected the header '" +
                                              std::string(names::kRegedit5Header) + "' or 'REGEDIT4'");
    std::string_view header = trim_view(lines[i].text);
    if (header == names::kRegedit5Header) {
      regedit4_ = false;
    } else if (header == names::kRegedit4Header) {
      regedit4_ = true;
    } else {
      return fail(lines[i].number, "not a registry file: the first line must be '" +
                                       std::string(names::kRegedit5Header) + "' or 'REGEDIT4'");
    }
    auto tx = reg_.begin();
    if (!tx) return tx.error();
    for (++i; i < lines.size(); ++i) {
      if (auto s = line(lines[i]); !s) return s;  // the transaction rolls back
    }
    return tx->commit();
  }

 private:
  Status fail(std::uint32_t line, const std::string& msg) const {
    return Error(Errc::general_syntax, msg, file_, line);
  }

  Status decode(std::string_view b, std::string& out) {
    auto u = [&](std::size_t i) { return static_cast<unsigned char>(b[i]); };
    if (b.size() >= 2 && u(0) == 0xFF && u(1) == 0xFE) {
      if (b.size() % 2 != 0) return fail(0, "the UTF-16LE file has an odd number of bytes");
      std::u16string wide = text::from_utf16le(reinterpret_cast<const std::uint8_t*>(b.data()) + 2, b.size() - 2);
      if (!text::utf16_to_utf8(wide, out)) return fail(0, "the file is not valid UTF-16LE (lone surrogate)");
      return {};
    }
    if (b.size() >= 2 && u(0) == 0xFE && u(1) == 0xFF) return fail(0, "UTF-16BE .reg files are not supported");
    if (b.size() >= 3 && u(0) == 0xEF && u(1) == 0xBB && u(2) == 0xBF) {
      out.assign(b.substr(3));
      std::u16string check;
      if (!text::utf8_to_utf16(out, check)) return fail(0, "the file is not valid UTF-8");
      return {};
    }
    // No BOM: REGEDIT4 files are ANSI (Windows-1252); a version 5 header in a file without BOM is
    // read as UTF-8 when it is valid UTF-8, else as Windows-1252.
    std::u16string check;
    bool v5 = b.substr(0, names::kRegedit5Header.size()) == names::kRegedit5Header;
    if (v5 && text::utf8_to_utf16(b, check)) {
      out.assign(b);
    } else {
      out = text::cp1252_to_utf8(b);
    }
    return {};
  }

  static std::vector<Line> split_lines(const std::string& t) {
    std::vector<Line> raw;
    std::uint32_t n = 1;
    std::size_t start = 0;
    for (std::size_t i = 0; i <= t.size(); ++i) {
      if (i == t.size() || t[i] == '\n' || t[i] == '\r') {
        raw.push_back({t.substr(start, i - start), n++});
        if (i < t.size() && t[i] == '\r' && i + 1 < t.size() && t[i + 1] == '\n') ++i;
        start = i + 1;
      }
    }
    // Join continuation lines: a value line ending in '\' continues on the next line, whose
    // leading blanks are dropped.
    std::vector<Line> out;
    for (std::size_t i = 0; i < raw.size(); ++i) {
      Line l = raw[i];
      std::string_view first = trim_view(l.text);
      bool is_value = !first.empty() && (first.front() == '"' || first.front() == '@');
      if (is_value) {
        l.text = std::string(trim_view(l.text));
        while (!l.text.empty() && l.text.back() == '\\' && i + 1 < raw.size()) {
          l.text.pop_back();
          l.text += trim_view(raw[++i].text);
          while (!l.text.empty() && is_blank(l.text.back())) l.text.pop_back();
        }
      }
      out.push_back(std::move(l));
    }
    return out;
  }

  Status line(const Line& l) {
    std::string_view s = trim_view(l.text);
    if (s.empty() || s.front() == ';') return {};
    if (s.front() == '[') return key_line(l.number, s);
    if (s.front() == '"' || s.front() == '@') return value_line(l.number, s);
    return fail(l.number, "unrecognized line; expected [KEY], \"name\"=data, @=data or a ; comment");
  }

  Status key_line(std::uint32_t n, std::string_view s) {
    auto close = s.rfind(']');
    if (close == std::string_view::npos) return fail(n, "a key line must end with ']'");
    if (!trim_view(s.substr(close + 1)).empty() && trim_view(s.substr(close + 1)).front() != ';') {
      return fail(n, "unexpected text after ']'");
    }
    std::string_view path = s.substr(1, close - 1);
    bool remove = !path.empty() && path.front() == '-';
    if (remove) path.remove_prefix(1);
    if (path.empty()) return fail(n, "the key path is empty");
    const bool below_last = have_key_ && path.size() > key_text_.size() + 1 &&
                            path.compare(0, key_text_.size(), key_text_) == 0 && path[key_text_.size()] == '\\';
    have_key_ = false;
    after_delete_ = remove;
    if (remove) {
      Status st = reg_.delete_key(path);
      if (!st && st.error().code != Errc::not_found) return fail(n, st.error().message);
      return {};
    }
    // An export lists each key right after its parent: opening the rest below the key just written
    // keeps a deep tree linear instead of walking from the hive root once per level.
    auto k = below_last ? key_.open_subkey(path.substr(key_text_.size() + 1), registry::Disposition::open_always) : reg_.open_key(path, registry::Disposition::open_always);
    if (!k) return fail(n, k.error().message);
    key_ = *k;
    key_text_ = std::string(path);
    have_key_ = true;
    return {};
  }

  // Parses a quoted string starting at s[i] == '"'; leaves i after the closing quote.
  Status quoted(std::uint32_t n, std::string_view s, std::size_t& i, std::string& out) {
    ++i;
    while (i < s.size()) {
      char c = s[i];
      if (c == '"') {
        ++i;
        return {};
      }
      if (c == '\\' && i + 1 < s.size()) {
        char e = s[i + 1];
        if (e == '\\' || e == '"') {
          out += e;
        } else {  // unknown escapes are kept as written
          out += c;
          out += e;
        }
        i += 2;
        continue;
      }
      out += c;
      ++i;
    }
    return fail(n, "missing closing quote");
  }

  Status rest_is_empty(std::uint32_t n, std::string_view rest) {
    rest = trim_view(rest);
    if (!rest.empty() && rest.front() != ';') return fail(n, "unexpected text after the value: '" + std::string(rest) + "'");
    return {};
  }

  Status value_line(std::uint32_t n, std::string_view s) {
    std::string name;
    std::size_t i = 0;
    if (s.front() == '@') {
      i = 1;
    } else if (auto st = quoted(n, s, i, name); !st) {
      return st;
    }
    while (i < s.size() && is_blank(s[i])) ++i;
    if (i >= s.size() || s[i] != '=') return fail(n, "expected '=' after the value name");
    ++i;
    while (i < s.size() && is_blank(s[i])) ++i;
    std::string_view data = s.substr(i);
    if (!have_key_) {
      if (after_delete_) return {};  // values below a [-KEY] line are ignored, as regedit does
      return fail(n, "a value line must follow a [KEY] line");
    }
    if (!data.empty() && data.front() == '-') {
      if (auto st = rest_is_empty(n, data.substr(1)); !st) return st;
      Status st = key_.delete_value(name);
      if (!st && st.error().code != Errc::not_found) return fail(n, st.error().message);
      return {};
    }
    Value v;
    if (!data.empty() && data.front() == '"') {
      std::string str;
      std::size_t j = 0;
      if (auto st = quoted(n, data, j, str); !st) return st;
      if (auto st = rest_is_empty(n, data.substr(j)); !st) return st;
      auto bytes = encode_sz(str);
      if (!bytes) return fail(n, bytes.error().message);
      v = {kRegSz, std::move(*bytes)};
    } else if (istarts_with(data, "dword:")) {
      std::string_view digits = data.substr(6);
      std::size_t j = 0;
      std::uint32_t x = 0;
      while (j < digits.size() && hex_digit(digits[j]) >= 0) x = (x << 4) | static_cast<std::uint32_t>(hex_digit(digits[j++]));
      if (j == 0 || j > 8) return fail(n, "dword: needs 1 to 8 hexadecimal digits");
      if (auto st = rest_is_empty(n, digits.substr(j)); !st) return st;
      v = {kRegDword, encode_dword(x)};
    } else if (istarts_with(data, "hex")) {
      std::size_t j = 3;
      std::uint32_t type = kRegBinary;
      if (j < data.size() && data[j] == '(') {
        ++j;
        std::size_t start = j;
        std::uint32_t t = 0;
        while (j < data.size() && hex_digit(data[j]) >= 0) t = (t << 4) | static_cast<std::uint32_t>(hex_digit(data[j++]));
        if (j == start || j - start > 8 || j >= data.size() || data[j] != ')') {
          return fail(n, "hex(N): needs a type number of 1 to 8 hexadecimal digits");
        }
        ++j;
        type = t;
      }
      if (j >= data.size() || data[j] != ':') return fail(n, "expected ':' after hex");
      ++j;
      std::vector<std::uint8_t> bytes;
      if (auto st = hex_bytes(n, data.substr(j), bytes); !st) return st;
      if (regedit4_ && (type == kRegExpandSz || type == kRegMultiSz)) {
        // REGEDIT4 writes string data as ANSI bytes; Windows stores it as UTF-16LE.
        std::string ansi(bytes.begin(), bytes.end());
        std::u16string wide;
        text::utf8_to_utf16(text::cp1252_to_utf8(ansi), wide);
        bytes.clear();
        for (char16_t c : wide) {
          bytes.push_back(static_cast<std::uint8_t>(c & 0xFF));
          bytes.push_back(static_cast<std::uint8_t>(c >> 8));
        }
      }
      v = {type, std::move(bytes)};
    } else {
      return fail(n, "unrecognized value data; expected \"string\", dword:, hex:, hex(N): or -");
    }
    Status st = key_.set_value(name, v);
    if (!st) return fail(n, st.error().message);
    return {};
  }

  Status hex_bytes(std::uint32_t n, std::string_view s, std::vector<std::uint8_t>& out) {
    std::size_t i = 0;
    while (true) {
      while (i < s.size() && is_blank(s[i])) ++i;
      if (i >= s.size() || s[i] == ';') return {};
      int hi = hex_digit(s[i]);
      if (hi < 0) return fail(n, "invalid hex byte at '" + std::string(s.substr(i, 8)) + "'");
      int value = hi;
      ++i;
      if (i < s.size() && hex_digit(s[i]) >= 0) value = value * 16 + hex_digit(s[i++]);
      if (i < s.size() && hex_digit(s[i]) >= 0) return fail(n, "a hex byte has more than two digits");
      out.push_back(static_cast<std::uint8_t>(value));
      while (i < s.size() && is_blank(s[i])) ++i;
      if (i >= s.size() || s[i] == ';') return {};
      if (s[i] != ',') return fail(n, "expected ',' between hex bytes");
      ++i;
    }
  }

  const Registry& reg_;
  std::string file_;
  bool regedit4_ = false;
  bool have_key_ = false;
  bool after_delete_ = false;
  KeyHandle key_;
  std::string key_text_;  // the path of key_ as the file spelled it
};

}  // namespace

Result<std::string> Registry::export_reg(const KeyHandle& key, RegFormat format) const {
  // One transaction for the whole walk, so the file is one consistent snapshot; it changes nothing
  // and is rolled back when it goes out of scope.
  auto snapshot = begin();
  if (!snapshot) return snapshot.error();
  Writer w{format, {}, {}};
  if (format == RegFormat::regedit5) w.encoded = "\xFF\xFE";
  w.out += format == RegFormat::regedit5 ? names::kRegedit5Header : names::kRegedit4Header;
  w.out += "\r\n\r\n";
  if (auto s = write_key(w, key); !s) return s.error();
  return std::move(w.encoded);
}

Status Registry::import_reg(std::string_view bytes, std::string_view file_name) const {
  Importer imp(*this, std::string(file_name));
  return imp.run(bytes);
}

}  // namespace isodrv::registry
