// The hashed name lookups of a document (Document::section, has_section, string_value, and the
// CiHash they hash with) against a linear case-insensitive scan: for random documents with
// reopened sections, decorated names, names that differ only in case or only in a byte that
// folding with 0x20 merges ('@' and '`'), short and long names, every lookup must give what the
// first match of the scan gives. A hash that folds case wrongly or an index that keeps the wrong
// duplicate fails here.
#include <gtest/gtest.h>

#include <atomic>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "inf/document_dump.h"
#include "inf/document_impl.h"
#include "isodrv/inf.h"

using namespace isodrv;

namespace {

std::optional<std::uint32_t> linear_section(const inf::Document& doc, std::string_view name) {
  for (std::size_t i = 0; i < doc.section_count(); ++i) {
    if (inf::iequals(doc.section_at(i).name(), name)) return static_cast<std::uint32_t>(i);
  }
  return std::nullopt;
}

std::optional<std::string_view> linear_string(const inf::Document& doc, std::string_view key) {
  auto sec = doc.strings_section();
  if (!sec) return std::nullopt;
  for (std::size_t i = 0; i < sec->line_count(); ++i) {
    const inf::Line l = sec->line_at(i);
    if (l.has_key() && l.field_count() >= 1 && inf::iequals(*l.raw_key(), key)) return l.raw_field(0);
  }
  return std::nullopt;
}

std::string random_case(std::string s, std::mt19937& rng) {
  for (char& c : s) {
    if (rng() & 1) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c >= 'A' && c <= 'Z' ? c + 32 : c);
  }
  return s;
}

// Names of every length class the hash treats apart (0-3, 4-7, 8-16, over 16, over 32 bytes),
// decorated names, names that share their first or last eight bytes, and '@'/'`' twins.
std::vector<std::string> name_pool(std::mt19937& rng) {
  std::vector<std::string> pool = {"a", "Ab", "abc", "abcd", "Version", "Strings", "Strings.0409", "Strings.0407",
                                   "strings.0809", "DDInstall", "DDInstall.NT", "DDInstall.NTamd64",
                                   "DDInstall.NTamd64.Services", "DDInstall.NTamd64.10.0...17763",
                                   "Manufacturer", "BOARD_8037", "BOARD_8038", "A@", "A`", "x@y`z@w`v", "x`y@z`w@v",
                                   "SourceDisksFiles.amd64", "SourceDisksFiles.x86"};
  const std::string alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-@`";
  for (int k = 0; k < 24; ++k) {
    std::string s;
    const std::size_t len = 1 + rng() % 48;
    for (std::size_t i = 0; i < len; ++i) s += alphabet[rng() % alphabet.size()];
    pool.push_back(s);
  }
  return pool;
}

std::string random_document(const std::vector<std::string>& pool, std::mt19937& rng) {
  std::string text = "[Version]\nSignature=\"$Windows NT$\"\n";
  const int sections = 1 + static_cast<int>(rng() % 12);
  for (int s = 0; s < sections; ++s) {
    // [Strings] variants come up often so that reopened and decorated string tables are common.
    const bool strings = rng() % 3 == 0;
    const std::string name = strings ? std::string(rng() & 1 ? "Strings" : "Strings.0409") : pool[rng() % pool.size()];
    text += "[" + random_case(name, rng) + "]\n";
    const int lines = static_cast<int>(rng() % 8);
    for (int l = 0; l < lines; ++l) {
      const std::string key = random_case(pool[rng() % pool.size()], rng);
      switch (rng() % 5) {
        case 0: text += key + " = value" + std::to_string(rng() % 100) + "\n"; break;
        case 1: text += "\"" + key + "\"=\"quoted " + std::to_string(l) + "\"\n"; break;
        case 2: text += key + "=\n"; break;  // a key with one empty value
        case 3: text += key + "\n"; break;   // no key: never a string
        default: text += key + "=a,b ; comment\n"; break;
      }
    }
  }
  return text;
}

}  // namespace

TEST(InfLookupIndex, CiHashIgnoresAsciiCaseAtEveryLength) {
  std::mt19937 rng(7);
  for (std::size_t len = 0; len <= 70; ++len) {
    for (int k = 0; k < 50; ++k) {
      std::string s;
      for (std::size_t i = 0; i < len; ++i) s += static_cast<char>(rng() % 256);
      EXPECT_EQ(inf::CiHash{}(s), inf::CiHash{}(random_case(s, rng))) << len;
    }
  }
}

TEST(InfLookupIndex, CiHashSpreadsShortNames) {
  // The index uses the hash's low bits: names that differ in one character must not pile up.
  std::vector<int> buckets(64, 0);
  for (int i = 0; i < 6400; ++i) {
    const std::string name = "Section_" + std::to_string(i);
    ++buckets[inf::CiHash{}(name) & 63];
  }
  for (int b : buckets) {
    EXPECT_GT(b, 50);
    EXPECT_LT(b, 150);
  }
}

TEST(InfLookupIndex, SectionAndStringLookupsEqualALinearScan) {
  std::mt19937 rng(13);
  const auto pool = name_pool(rng);
  for (int round = 0; round < 400; ++round) {
    const std::string text = random_document(pool, rng);
    auto parsed = inf::Document::parse(text, "t.inf");
    ASSERT_TRUE(parsed) << text;
    const inf::Document& doc = *parsed;
    for (const std::string& base : pool) {
      for (int v = 0; v < 3; ++v) {
        const std::string name = random_case(base, rng);
        const auto want = linear_section(doc, name);
        const auto got = doc.section(name);
        ASSERT_EQ(want.has_value(), got.has_value()) << name << "\n" << text;
        if (want) {
          EXPECT_EQ(*want, got->index()) << name << "\n" << text;
        }
        EXPECT_EQ(want.has_value(), doc.has_section(name)) << name;
        const auto want_value = linear_string(doc, name);
        const auto got_value = doc.string_value(name);
        ASSERT_EQ(want_value.has_value(), got_value.has_value()) << name << "\n" << text;
        if (want_value) {
          EXPECT_EQ(*want_value, *got_value) << name << "\n" << text;
        }
      }
    }
    EXPECT_FALSE(doc.section("no such section"));
    EXPECT_FALSE(doc.string_value("no such key"));
  }
}

namespace {

// ci_equal's byte-for-byte shortcut (names of 1 to 3 bytes byte by byte, 4 to 16 in two overlapping
// loads a side, 17 to 32 in two overlapping 16-byte loads) must agree with the case-folding
// comparison: every length from 1 to 40 (past every shortcut), one byte changed at every position,
// to its other case, to a byte folding merges ('@' and '`') and to an unrelated byte.
TEST(InfLookupIndex, ExactShortcutAgreesWithFolding) {
  auto fold = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
  for (std::size_t n = 1; n <= 40; ++n) {
    std::string a;
    for (std::size_t i = 0; i < n; ++i) a.push_back(static_cast<char>('a' + i % 26));
    EXPECT_TRUE(inf::ci_equal(a, a)) << n;
    EXPECT_FALSE(inf::ci_equal(a, a + "x")) << n;
    for (std::size_t at = 0; at < n; ++at) {
      for (char c : {static_cast<char>(a[at] - 32), '@', '`', '#', static_cast<char>(0xC4)}) {
        std::string b = a;
        b[at] = c;
        std::string fa = a, fb = b;
        for (auto& x : fa) x = fold(x);
        for (auto& x : fb) x = fold(x);
        EXPECT_EQ(inf::ci_equal(a, b), fa == fb) << n << " " << at << " " << int(c);
        EXPECT_EQ(inf::ci_equal(b, a), fa == fb) << n << " " << at << " " << int(c);
      }
    }
  }
}

}  // namespace

// The [Strings] index keeps its entries (key and value as substitution reads them) inside the
// document up to 64 and on the heap past that, and rebuilds them when the language changes: string
// values and substitution must equal the linear scan for tables of 1 to 300 keys, with repeats in
// another case, values that needed unquoting (the arena) and plain ones, in both languages and
// after switching back.
TEST(InfLookupIndex, StringEntriesPastTheInlineOnesAndAcrossLanguages) {
  for (int keys : {1, 63, 64, 65, 130, 300}) {
    std::string text = "[Version]\nSignature=\"$Windows NT$\"\n[Strings]\n";
    for (int k = 0; k < keys; ++k) {
      text += "Key" + std::to_string(k) + (k % 3 == 0 ? " = \"q\"\"v\"" : " = v") + std::to_string(k) + "\n";
      if (k % 7 == 0) text += "KEY" + std::to_string(k) + " = repeat" + std::to_string(k) + "\n";
    }
    text += "[Strings.0407]\n";
    for (int k = 0; k < keys; k += 2) text += "key" + std::to_string(k) + " = de" + std::to_string(k) + "\n";
    auto parsed = inf::Document::parse(text, "t.inf");
    ASSERT_TRUE(parsed) << keys;
    inf::Document& doc = *parsed;
    for (std::uint16_t lang : {0x0409, 0x0407, 0x0409}) {
      doc.select_language(lang);
      for (int k = 0; k <= keys; ++k) {
        const std::string name = (k % 2 ? "kEy" : "Key") + std::to_string(k);
        const auto want = linear_string(doc, name);
        const auto got = doc.string_value(name);
        ASSERT_EQ(want.has_value(), got.has_value()) << keys << " " << name << " " << lang;
        if (!want) {
          EXPECT_EQ(doc.substitute("%" + name + "%"), "%" + name + "%");
          continue;
        }
        EXPECT_EQ(*want, *got) << keys << " " << name << " " << lang;
        EXPECT_EQ(doc.substitute("%" + name + "%"), std::string(*want)) << name;
        const std::string value(*want);
        EXPECT_EQ(doc.substitute("<%" + name + "%|%" + name + "%>"), "<" + value + "|" + value + ">") << name;
      }
    }
  }
}

namespace {

// A document whose [Strings] value and section count say which one it is.
std::string numbered_inf(int n) {
  std::string s = "[Version]\r\nSignature=\"$Windows NT$\"\r\n[Strings]\r\nWho=\"doc" + std::to_string(n) + "\"\r\n";
  for (int k = 0; k < n % 5; ++k) s += "[S" + std::to_string(k) + "]\r\nk=%Who%\r\n";
  return s;
}

void expect_numbered(const inf::Document& doc, int n) {
  ASSERT_EQ(doc.string_value("Who"), std::optional<std::string_view>("doc" + std::to_string(n)));
  ASSERT_EQ(doc.section_count(), static_cast<std::size_t>(2 + n % 5));
}

}  // namespace

// Document::Impl comes from a static room for one while no other document holds it, else from the
// heap. Documents alive at the same time, freed in any order, moved, and parsed by several threads
// at once must each keep their own tables (ASan builds also see a room handed out twice).
TEST(InfDocument, ImplRoomServesOneDocumentAtATime) {
  std::vector<std::pair<int, inf::Document>> alive;
  for (int n = 0; n < 12; ++n) {
    auto d = inf::Document::parse(numbered_inf(n), "n.inf");
    ASSERT_TRUE(d.ok());
    alive.emplace_back(n, std::move(*d));
    if (n % 3 == 2) alive.erase(alive.begin() + (n % 2));  // free one in the middle, not the last
    for (const auto& [k, doc] : alive) expect_numbered(doc, k);
  }
  alive.clear();
  for (int n = 0; n < 20; ++n) {
    auto d = inf::Document::parse(numbered_inf(n), "n.inf");
    ASSERT_TRUE(d.ok());
    expect_numbered(*d, n);
    inf::Document kept = std::move(*d);
    auto e = inf::Document::parse(numbered_inf(n + 1), "n.inf");
    ASSERT_TRUE(e.ok());
    expect_numbered(kept, n);
    expect_numbered(*e, n + 1);
  }
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([t, &wrong] {
      for (int n = t; n < 400; n += 4) {
        auto d = inf::Document::parse(numbered_inf(n), "n.inf");
        if (!d.ok() || d->string_value("Who") != std::optional<std::string_view>("doc" + std::to_string(n)) ||
            d->section_count() != static_cast<std::size_t>(2 + n % 5)) {
          ++wrong;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
}

namespace {

// Everything a document holds (document_dump.h) plus what it reads from the decoder's line table.
std::string dump_with_lines(const Result<inf::Document>& r) {
  std::string out = inf::dump_document(r);
  if (!r.ok()) return out;
  const inf::Document& d = r.value();
  out += "\nphysical " + std::to_string(d.physical_line_count()) + "\n";
  for (std::uint32_t l = 0; l <= d.physical_line_count() + 1; ++l) {
    out.append(d.physical_line(l));
    out += "|" + std::to_string(d.physical_line_bytes(l).first) + "," + std::to_string(d.physical_line_bytes(l).second) + "\n";
  }
  for (std::size_t i = 0; i < d.line_count(); ++i) {
    const inf::Line l = d.line_at(i);
    for (std::size_t f = 0; f <= l.field_count(); ++f) {
      const inf::Position p = l.field_position(f);
      out += std::to_string(p.line) + ":" + std::to_string(p.column) + " ";
    }
    out += std::to_string(l.end_line()) + "\n";
  }
  return out;
}

}  // namespace

// A document in the Impl room takes the line table, sections and headers its predecessor there left
// emptied (document.cpp's RoomSpares). Each of a sequence of files that differ in size, encoding and
// number of sections and headers must read exactly as when it is parsed on the heap (while another
// document holds the room), big ones first and after.
TEST(InfDocument, RoomSparesLeaveNothingOfTheLastDocument) {
  std::vector<std::string> files;
  for (int n : {4, 0, 3, 1}) files.push_back(numbered_inf(n));
  std::string many = "[Version]\r\nSignature=\"$Windows NT$\"\r\n";
  for (int k = 0; k < 3000; ++k) many += "[S" + std::to_string(k % 1500) + "]\r\nk" + std::to_string(k) + "=v, w\r\n";
  files.push_back(many);  // tables past what the room keeps
  files.push_back(numbered_inf(2));
  static constexpr char kUtf16Header[] = "[\0V\0e\0r\0s\0i\0o\0n\0]\0\r\0\n\0";  // 22 bytes and the literal's NUL
  files.push_back(std::string("\xFF\xFE", 2) + std::string(kUtf16Header, sizeof kUtf16Header - 1));
  files.push_back("[Version]\nSignature=$Chicago$\n[A]\nx=\xE9\n[A]\ny=z\n[B]\n[A]\n");
  files.push_back("no version");
  files.push_back(numbered_inf(4));
  std::vector<std::string> on_heap;
  {
    auto holder = inf::Document::parse(numbered_inf(1), "h.inf");
    ASSERT_TRUE(holder.ok());
    for (const std::string& f : files) on_heap.push_back(dump_with_lines(inf::Document::parse(f, "a.inf")));
  }
  // Now each parse takes the room, after the one before it.
  for (int round = 0; round < 2; ++round) {
    for (std::size_t i = 0; i < files.size(); ++i) {
      ASSERT_EQ(dump_with_lines(inf::Document::parse(files[i], "a.inf")), on_heap[i]) << i;
    }
  }
}
