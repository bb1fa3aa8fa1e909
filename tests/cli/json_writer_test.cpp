// The streaming JSON writer of src/diag (diag/json_writer.h), driven directly: every string it
// writes must be byte for byte what nlohmann::json::dump writes, whatever the string's length and
// wherever in it a byte that needs care stands (the scan reads 16 bytes at a time, and a string's
// tail or a short string from a shifted or padded read).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <random>
#include <string>
#include <vector>

#include "diag/json_writer.h"

namespace {

using isodrv::diag::detail::JsonWriter;

std::string written(const std::string& s, JsonWriter::Layout layout) {
  JsonWriter w(16, layout);
  w.value(s);
  return std::string(w.text());
}

std::string expected(const std::string& s) {
  return nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void expect_like_nlohmann(const std::string& s) {
  EXPECT_EQ(written(s, JsonWriter::Layout::pretty), expected(s)) << "string of " << s.size() << " bytes";
  EXPECT_EQ(written(s, JsonWriter::Layout::one_line), expected(s));
}

// Each special piece at every offset of strings from 0 to 40 bytes: before, inside and after a
// 16-byte block, in the shifted tail and in a string shorter than one block.
TEST(JsonWriter, SpecialBytesAtEveryOffsetAndLength) {
  const std::vector<std::string> specials = {"\"", "\\", "\t", "\n", "\r", "\b", "\f", std::string(1, '\0'),
                                             "\x01", "\x1f", "\x7f", "\xc3\xa9", "\xe2\x82\xac",
                                             "\xf0\x9f\x98\x80", " ", "/"};
  for (std::size_t len = 0; len <= 40; ++len) {
    for (std::size_t at = 0; at <= len; ++at) {
      for (const auto& sp : specials) {
        std::string s(len, 'a');
        s.insert(at, sp);
        expect_like_nlohmann(s);
      }
    }
  }
}

TEST(JsonWriter, EscapesAsNlohmann) {
  EXPECT_EQ(written("a\"b\\c", JsonWriter::Layout::pretty), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(written("\t\n\r\b\f", JsonWriter::Layout::pretty), "\"\\t\\n\\r\\b\\f\"");
  EXPECT_EQ(written(std::string("\x00\x01\x1f", 3), JsonWriter::Layout::pretty), "\"\\u0000\\u0001\\u001f\"");
  EXPECT_EQ(written("\x7f/", JsonWriter::Layout::pretty), "\"\x7f/\"") << "DEL and '/' are not escaped";
  EXPECT_EQ(written("caf\xc3\xa9 \xe2\x82\xac", JsonWriter::Layout::pretty), "\"caf\xc3\xa9 \xe2\x82\xac\"")
      << "well-formed UTF-8 passes through";
}

// Malformed UTF-8 anywhere (a stray continuation byte, a truncated sequence, an overlong form, a
// surrogate, a sequence cut by the string's end) is written as nlohmann writes it: U+FFFD.
TEST(JsonWriter, InvalidUtf8IsReplacedAsNlohmannReplacesIt) {
  const std::vector<std::string> bad = {"\x80", "\xc3", "\xc0\xaf", "\xed\xa0\x80", "\xe2\x82", "\xf4\x90\x80\x80",
                                        "\xff", "\xf0\x9f\x98"};
  for (std::size_t len = 0; len <= 34; ++len) {
    for (const auto& b : bad) {
      std::string s(len, 'q');
      s.insert(len / 2, b);
      expect_like_nlohmann(s);
      EXPECT_NE(written(s, JsonWriter::Layout::pretty).find("\xef\xbf\xbd"), std::string::npos) << len;
      expect_like_nlohmann(s + b);  // cut by the end
    }
  }
}

TEST(JsonWriter, RandomStringsMatchNlohmann) {
  std::mt19937 rng(13);
  const std::string alphabet = std::string("ab \"\\\t\x01\x7f", 9) + "\xc3\xa9\xe2\x82\xac\x80\xff";
  for (int n = 0; n < 3000; ++n) {
    std::string s(rng() % 70, ' ');
    for (char& c : s) c = alphabet[rng() % alphabet.size()];
    expect_like_nlohmann(s);
  }
}

// Keys, nesting and the line breaks of both layouts, as nlohmann lays out the same document
// (its keys are sorted: the writer is given them in that order).
TEST(JsonWriter, LayoutMatchesNlohmann) {
  for (auto layout : {JsonWriter::Layout::pretty, JsonWriter::Layout::one_line}) {
    JsonWriter w(8, layout);
    w.begin_object();
    w.key("a");
    w.begin_array();
    w.value(std::uint64_t{1});
    w.begin_object();
    w.end_object();
    w.begin_array();
    w.end_array();
    w.value(true);
    w.end_array();
    w.key("deep");
    for (int i = 0; i < 70; ++i) w.begin_array();  // deeper than the indentation constant
    w.value(std::string("x"));
    for (int i = 0; i < 70; ++i) w.end_array();
    w.key("z");
    w.value(std::string("\xc3\xa9"));
    w.end_object();
    nlohmann::json deep = "x";
    for (int i = 0; i < 70; ++i) deep = nlohmann::json::array({deep});
    const nlohmann::json j = {{"a", {1, nlohmann::json::object(), nlohmann::json::array(), true}}, {"deep", deep}, {"z", "\xc3\xa9"}};
    EXPECT_EQ(std::string(w.text()), j.dump(layout == JsonWriter::Layout::pretty ? 2 : -1));
  }
}

// A key is written together with the line break before it while the indentation fits the break
// constant, and in pieces deeper than that: first and later keys of objects at every depth up to
// well past the constant, long and empty keys, in both layouts, as nlohmann lays them out.
TEST(JsonWriter, KeysAtEveryDepthMatchNlohmann) {
  const std::string long_key(40, 'k');
  for (auto layout : {JsonWriter::Layout::pretty, JsonWriter::Layout::one_line}) {
    for (int depth = 1; depth <= 40; ++depth) {
      JsonWriter w(8, layout);
      for (int i = 0; i < depth; ++i) {
        w.begin_object();
        w.key("");
        w.value(std::uint64_t{7});
        w.key("a");
        w.value(std::string("x"));
        w.key(long_key);
      }
      w.begin_object();
      w.end_object();
      for (int i = 0; i < depth; ++i) w.end_object();
      nlohmann::json j = nlohmann::json::object();
      for (int i = 0; i < depth; ++i) j = {{"", 7}, {"a", "x"}, {long_key, j}};
      EXPECT_EQ(std::string(w.text()), j.dump(layout == JsonWriter::Layout::pretty ? 2 : -1)) << depth;
    }
  }
}

// A key written from its piece (key_piece, put_key: how a report writes its findings' keys) gives
// the bytes key() gives, first and later in an object, at every depth, in both layouts.
TEST(JsonWriter, KeyPiecesWriteWhatKeyWrites) {
  const std::string long_key(40, 'k');
  using P = JsonWriter::KeyPlace;
  for (auto layout : {JsonWriter::Layout::pretty, JsonWriter::Layout::one_line}) {
    for (int depth = 1; depth <= 40; ++depth) {
      JsonWriter by_key(8, layout), by_piece(8, layout);
      for (int i = 0; i < depth; ++i) {
        by_key.begin_array();
        by_piece.begin_array();
      }
      for (int object = 0; object < 2; ++object) {
        by_key.begin_object();
        by_key.key("code");
        by_key.value(std::uint64_t{7});
        by_key.key(long_key);
        by_key.value(std::string("x\"y"));
        by_key.key("");
        by_key.value(true);
        by_key.end_object();
        by_piece.begin_object();
        by_piece.put_key(by_piece.key_piece("code", P::first));
        by_piece.value(std::uint64_t{7});
        by_piece.put_key(by_piece.key_piece(long_key, P::later));
        by_piece.value(std::string("x\"y"));
        by_piece.put_key(by_piece.key_piece("", P::later));
        by_piece.value(true);
        by_piece.end_object();
      }
      for (int i = 0; i < depth; ++i) {
        by_key.end_array();
        by_piece.end_array();
      }
      EXPECT_EQ(std::string(by_piece.text()), std::string(by_key.text())) << depth;
    }
  }
}

// Long strings are escaped in blocks of a few KiB: special bytes and UTF-8 sequences just before,
// on and across a block's end, and strings of thousands of bytes to escape, as nlohmann writes them.
TEST(JsonWriter, LongStringsAcrossEscapeBlocksMatchNlohmann) {
  const std::vector<std::string> specials = {"\"", "\n", std::string(1, '\0'), "\xc3\xa9", "\xe2\x82\xac",
                                             "\xf0\x9f\x98\x80", "\xc3"};
  for (std::size_t len : {4090u, 4096u, 8200u}) {
    for (std::size_t at = 4070; at <= 4110 && at <= len; ++at) {
      for (const auto& sp : specials) {
        std::string s(len, 'a');
        s.insert(0, "\t");  // the escaping path from the start
        s.insert(at, sp);
        expect_like_nlohmann(s);
      }
    }
  }
  expect_like_nlohmann(std::string(10000, '\x01'));
  expect_like_nlohmann(std::string(10000, '"') + "\xff");
}

}  // namespace

// Numbers below 10,000 are written by hand, the rest by std::to_chars: both as std::to_string
// writes them, at every digit count and on each side of the boundary; and as values inside an
// array, where the claimed room follows other text.
TEST(JsonWriter, NumbersAreWrittenAsToStringWritesThem) {
  std::vector<std::uint64_t> values;
  for (std::uint64_t v = 0; v <= 12000; ++v) values.push_back(v);
  for (std::uint64_t v : {99999ull, 100000ull, 4294967295ull, 4294967296ull, 18446744073709551615ull}) values.push_back(v);
  for (std::uint64_t v : values) {
    JsonWriter w(1);
    w.value(v);
    ASSERT_EQ(std::string(w.text()), std::to_string(v));
  }
  JsonWriter w(1, JsonWriter::Layout::one_line);
  w.begin_array();
  std::string want = "[";
  for (std::uint64_t v : values) {
    w.value(v);
    want += (want.size() > 1 ? "," : "") + std::to_string(v);
  }
  w.end_array();
  EXPECT_EQ(std::string(w.text()), want + "]");
}
