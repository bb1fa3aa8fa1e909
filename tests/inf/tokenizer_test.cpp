// The two-stage tokenizer against the character-by-character oracle: each stage-1 path (scalar,
// SSE2, AVX2 when the CPU has it) must build exactly the document the oracle builds (every internal
// table, note and read-back value; document_dump.h), on the fixtures, the corpus, structural bytes
// at every offset around the 64-byte blocks and the 16 KiB index window, and random inputs. The
// conformance and fast-path suites are also re-run with each path forced.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "inf/document_dump.h"
#include "inf/document_impl.h"
#include "inf/structural.h"
#include "inf_test_util.h"

using namespace isodrv;
using namespace isodrv::inf;
namespace fs = std::filesystem;

namespace {

// The suite re-runs itself with ISODRV_TEST_INF_TOKENIZER set (see ConformanceSuiteOnEveryPath):
// this selects the path for the whole process before any test runs.
const bool kForcedFromEnvironment = [] {
  const char* v = std::getenv("ISODRV_TEST_INF_TOKENIZER");
  if (!v) return false;
  for (Tokenizer t : {Tokenizer::oracle, Tokenizer::scalar, Tokenizer::sse2, Tokenizer::avx2}) {
    if (std::string_view(v) == tokenizer_name(t)) set_tokenizer(t);
  }
  return true;
}();

std::vector<Tokenizer> indexed_paths() {
  std::vector<Tokenizer> out;
  for (Tokenizer t : {Tokenizer::scalar, Tokenizer::sse2, Tokenizer::avx2}) {
    if (tokenizer_supported(t)) out.push_back(t);
  }
  return out;
}

std::string dump_with(Tokenizer t, std::string_view bytes, const ParseOptions& opts = {}) {
  set_tokenizer(t);
  std::string d = dump_document(Document::parse(bytes, "t.inf", opts));
  set_tokenizer(Tokenizer::automatic);
  return d;
}

// Returns an empty string when every path agrees with the oracle, else which one did not.
std::string disagreement(std::string_view bytes, const ParseOptions& opts = {}) {
  const std::string want = dump_with(Tokenizer::oracle, bytes, opts);
  for (Tokenizer t : indexed_paths()) {
    if (dump_with(t, bytes, opts) != want) return tokenizer_name(t);
  }
  return {};
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(InfTokenizer, PathsAreSelectable) {
  EXPECT_TRUE(tokenizer_supported(Tokenizer::scalar));
  set_tokenizer(Tokenizer::oracle);
  EXPECT_EQ(active_tokenizer(), Tokenizer::oracle);
  set_tokenizer(Tokenizer::scalar);
  EXPECT_EQ(active_tokenizer(), Tokenizer::scalar);
  set_tokenizer(Tokenizer::automatic);
  EXPECT_NE(active_tokenizer(), Tokenizer::automatic);
  EXPECT_NE(active_tokenizer(), Tokenizer::oracle);
#if defined(__x86_64__)
  EXPECT_TRUE(tokenizer_supported(Tokenizer::sse2));
  // The avx2 tokenizer's stage 2 is compiled for BMI1 and BMI2 too: a CPU without any of the three
  // must not get it, and automatic must then pick sse2.
  const bool avx2_cpu = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi") && __builtin_cpu_supports("bmi2");
  EXPECT_EQ(tokenizer_supported(Tokenizer::avx2), avx2_cpu);
  set_tokenizer(Tokenizer::automatic);
  EXPECT_EQ(active_tokenizer(), avx2_cpu ? Tokenizer::avx2 : Tokenizer::sse2);
#endif
}

// Stage 2's build for AVX2+BMI1+BMI2 runs for the avx2 tokenizer only, and only on a CPU with all
// three; scalar, sse2 and the oracle run the baseline build (so the conformance runs below, which
// force each path, test both builds).
TEST(InfTokenizer, Stage2BuildFollowsTheCpu) {
  EXPECT_FALSE(stage2_uses_bmi(Tokenizer::oracle));
  EXPECT_FALSE(stage2_uses_bmi(Tokenizer::scalar));
  EXPECT_FALSE(stage2_uses_bmi(Tokenizer::sse2));
  EXPECT_EQ(stage2_uses_bmi(Tokenizer::avx2), tokenizer_supported(Tokenizer::avx2));
#if defined(__x86_64__)
  for (Tokenizer t : {Tokenizer::automatic, Tokenizer::oracle, Tokenizer::scalar, Tokenizer::sse2, Tokenizer::avx2}) {
    set_tokenizer(t);
    if (stage2_uses_bmi(active_tokenizer())) {
      EXPECT_TRUE(__builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi") && __builtin_cpu_supports("bmi2"))
          << tokenizer_name(t);
    }
  }
  set_tokenizer(Tokenizer::automatic);
#endif
}

TEST(InfTokenizer, FixturesMatchTheOracle) {
  int n = 0;
  for (const auto& e : fs::recursive_directory_iterator(fs::path(ISODRV_TEST_DATA))) {
    if (!e.is_regular_file()) continue;
    const auto ext = e.path().extension().string();
    if (ext != ".inf" && ext != ".inx" && ext != ".INF") continue;
    const std::string bytes = read_file(e.path());
    EXPECT_EQ(disagreement(bytes), "") << e.path();
    ++n;
  }
  EXPECT_GT(n, 3);
}

TEST(InfTokenizer, CorpusMatchesTheOracle) {
  const fs::path corpus(ISODRV_CORPUS_DIR);
  if (std::string(ISODRV_CORPUS_DIR).empty() || !fs::is_directory(corpus)) {
    GTEST_SKIP() << "no corpus at '" << ISODRV_CORPUS_DIR << "'";
  }
  int n = 0;
  for (const auto& e : fs::recursive_directory_iterator(corpus)) {
    if (!e.is_regular_file()) continue;
    std::string ext = e.path().extension().string();
    for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (ext != ".inf" && ext != ".inx") continue;
    std::string bytes = read_file(e.path());
    EXPECT_EQ(disagreement(bytes), "") << e.path();
    {
      // ANSI files are decoded in place; the document must still give back the file's bytes.
      ParseOptions any;
      any.require_signature = false;
      auto doc = Document::parse(std::string(bytes), e.path().string(), any);
      if (doc.ok()) {
        EXPECT_EQ(doc->bytes(), bytes) << e.path();
      }
    }
    // The same file without its last byte, and not required to have a signature: other tails and
    // other outcomes.
    if (!bytes.empty()) bytes.pop_back();
    ParseOptions lax;
    lax.require_signature = false;
    EXPECT_EQ(disagreement(bytes, lax), "") << e.path() << " (cut)";
    ++n;
  }
  EXPECT_GT(n, 100);
}

// Every structural byte at every offset across two 64-byte block boundaries, in keys, fields,
// quotes, comments, section names and continuations, in ANSI and in UTF-16LE.
TEST(InfTokenizer, StructuralBytesAtEveryOffset) {
  const std::vector<std::string> specials = {"\n", "\r\n", "[", "]", "=", ",", "\"", "\"\"", ";", "%", "%a%",
                                             "\\", "\\\n", "\\ ;c\n", " ", "\t", "\xE9", "\x1A", std::string(1, '\0')};
  const std::string head = "[Version]\nSignature=\"$Windows NT$\"\n[Strings]\na=\"x\"\n[S]\n";
  for (const std::string& sp : specials) {
    for (std::size_t k = 0; k < 140; ++k) {
      for (const char* shape : {"k%s", "k=%s", "\"q%s\"", ";%s", "[n%s]", "k=v,%s", "k = \"%s", "%s\\\nz"}) {
        std::string line(shape);
        const auto at = line.find("%s");
        std::string filler(k, 'x');
        line.replace(at, 2, filler + sp + "y");
        const std::string text = head + line + "\nk2 = v2 ; end\n" + line;
        ASSERT_EQ(disagreement(text), "") << inf_test::show(text);
        ASSERT_EQ(disagreement(inf_test::utf16(text)), "") << "UTF-16: " << inf_test::show(text);
      }
    }
  }
}

// The simple-line path trims a field's trailing blanks back from its separator, skips the blanks
// after a separator and at a line start, and steps over (and counts) the '\n' that ends its line:
// every kind of blank in each of those places, before each kind of line end (the end of the file
// too), with lines before and after so a miscounted line moves every later line number.
TEST(InfTokenizer, BlanksAroundFieldsAndLineStarts) {
  const std::string head = "[Version]\nSignature=\"$Windows NT$\"\n[S]\n";
  for (const char* b : {"", " ", "\t", "\v", "\f", "\r", " \t\r", "\f \v \t"}) {
    const std::string bl(b);
    for (const char* end : {"\n", "\r\n", ";c\n", "", "\\\n"}) {
      for (const std::string& line : {bl + "k" + bl + "=" + bl + "v 1" + bl + "," + bl + "w" + bl,
                                      bl + "k" + bl + "," + bl + "\"q\"" + bl + "," + bl, bl + "a%b%" + bl + "=" + bl,
                                      bl + "," + bl + "=" + bl + "x=y" + bl}) {
        const std::string text = head + bl + "\n" + line + end + "z=1\n" + bl + "\n" + line + end;
        ASSERT_EQ(disagreement(text), "") << inf_test::show(text);
      }
    }
  }
}

// Section names are scanned for their ']' 16 bytes a step (SSE2), then 8, then one at a time: names
// of every length up to 40, closed, cut by a line break, and running into the end of the file (a
// header there has no ']'), with bytes >= 0x80 before the ']' (the zero-byte test flags bytes above a
// match, never below).
TEST(InfTokenizer, SectionNameScanAtEveryLength) {
  const std::string head = "[Version]\nSignature=\"$Windows NT$\"\n";
  for (std::size_t len = 0; len <= 40; ++len) {
    std::string name;
    for (std::size_t i = 0; i < len; ++i) name.push_back(i % 5 == 3 ? '\xE9' : static_cast<char>('a' + i % 26));
    for (const std::string& tail : {std::string("]\nk=v\n"), std::string("] ; c\n"), std::string("\n]\n"), std::string()}) {
      const std::string text = head + "[" + name + tail;
      ASSERT_EQ(disagreement(text), "") << inf_test::show(text);
    }
    if (len == 0) continue;
    auto doc = Document::parse(head + "[" + name + "]\nk=v\n", "t.inf");
    ASSERT_TRUE(doc.ok()) << len;
    EXPECT_EQ(doc.value().section_at(1).name().size(), len + (len + 1) / 5) << len;  // each \xE9 decodes to two bytes of UTF-8
  }
}

// Stage 1 keeps no mask of backslashes: the token machine's runs (lines simple_line declines, here
// by a quote after text) find each block's backslashes themselves, whole blocks 16 bytes a step and
// the text's last, partial block byte by byte, and keep the last block's. Backslashes (alone, in
// pairs, before a '%', before blanks and a comment, ending the line) at every offset across three
// blocks, in lines of one block and of several, with the file ending inside or after such a line.
TEST(InfTokenizer, MachineRunsFindBackslashesInEveryBlock) {
  const std::string head = "[Version]\nSignature=\"$Windows NT$\"\n[Strings]\na=\"x\"\n[S]\n";
  for (const char* bs : {"\\", "\\\\", "\\%a%", "\\ ;c", "\\\n", "a\\b\\c"}) {
    for (std::size_t k = 0; k < 200; k += (k < 140 ? 1 : 7)) {
      for (const std::string& tail : {std::string("\n"), std::string(" x\\y,\"q\"\\\n"), std::string(130, 'z') + "\\z\n", std::string()}) {
        const std::string line = "k=a\"q\"" + std::string(k, 'x') + bs + tail;
        const std::string text = head + line + "k2 = v2\n" + line;
        ASSERT_EQ(disagreement(text), "") << inf_test::show(text);
        ASSERT_EQ(disagreement(inf_test::utf16(text)), "") << "UTF-16: " << inf_test::show(text);
      }
    }
  }
}

// count_separators sizes the field table: every path must count the ',' and '=' bytes exactly, at
// every length (the AVX2 loop takes 64 bytes a step and hands the last 0-63 to the SSE2 one, which
// takes 16 and leaves the rest to the scalar loop) and at every position, including past 255 steps
// (the byte lanes are emptied then).
TEST(InfTokenizer, CountSeparatorsAtEveryLengthAndOffset) {
  std::mt19937 rng(13);
  for (std::size_t len : {std::size_t{0}, std::size_t{1}, std::size_t{15}, std::size_t{16}, std::size_t{17}, std::size_t{31},
                          std::size_t{32}, std::size_t{33}, std::size_t{63}, std::size_t{64}, std::size_t{65}, std::size_t{127},
                          std::size_t{128}, std::size_t{200}, std::size_t{255 * 64 + 37}, std::size_t{3 * 255 * 64 + 101}}) {
    std::string text(len, 'x');
    for (char& c : text) c = "x,=y \n"[rng() % 6];
    for (std::size_t at = 0; at <= std::min<std::size_t>(len, 130); ++at) {
      std::string t = text;
      if (at < len) t[at] = (at & 1) ? ',' : '=';
      const std::size_t want = count_separators(t, Tokenizer::oracle);
      ASSERT_EQ(want, static_cast<std::size_t>(std::count(t.begin(), t.end(), ',') + std::count(t.begin(), t.end(), '=')));
      for (Tokenizer k : indexed_paths()) ASSERT_EQ(count_separators(t, k), want) << tokenizer_name(k) << " len " << len << " at " << at;
    }
  }
}

// Stage 2 parses simple lines in a loop over the blocks the index's 16 KiB window holds and hands a
// line that would leave it (or a comment that runs past it) back to run(), which moves the window:
// every kind of line (plain, quoted, keyed, with '=' and '%' in values, a comment, a blank line, a
// continuation, a header) ending at every offset around the first and second window ends, with a
// line after it that must land in the right place.
TEST(InfTokenizer, LinesAtEveryOffsetAroundTheWindowEnd) {
  const std::string head = "[Version]\nSignature=\"$Windows NT$\"\n[Strings]\na=\"x\"\n[S]\n";
  for (const char* shape : {"key = some value, %x%, \"q,\" ", "\"quoted key\"=\"v\" ,w", "k=a=b=c;comment", "; a comment line",
                            "   ", "a,b\\\n c", "[T]", "plain field with blanks\t\r"}) {
    for (const std::size_t window_end : {std::size_t{16384}, std::size_t{32768}}) {
      for (std::size_t k = 0; k < 90; ++k) {
        std::string text = head;
        // Long filler lines of simple fields up to where the line under test must end (few lines:
        // the documents are dumped and compared whole).
        const std::string line(shape), filler = "f=v1," + std::string(100, 'v') + ",v3\n";
        while (text.size() + filler.size() + 1 + line.size() + 1 < window_end + 45 - k) text += filler;
        text.append(window_end + 45 - k - line.size() - 1 - text.size(), ' ');
        text += line + "\nnext = 1, \"2\"\n" + line;
        ASSERT_EQ(disagreement(text), "") << shape << " ending at " << window_end + 45 - k;
      }
    }
  }
}

// The field and line tables share one allocation, which the field table keeps: when a wrong bound
// makes either grow, the other's records stay where they are and the grown one keeps its own (under
// ASan, a freed shared block would show here).
TEST(InfTokenizer, TablesSharingAnAllocationGrowApart) {
  BoundedArray<detail::FieldRec> fields;
  BoundedArray<detail::LineRec> lines;
  fields.reserve_with(2, lines, 3);
  ASSERT_EQ(fields.capacity(), 2u);
  ASSERT_EQ(lines.capacity(), 3u);
  for (std::uint32_t k = 0; k < 40; ++k) {
    detail::FieldRec f{};
    f.at = k;
    f.len = static_cast<std::uint16_t>(k & 0x7FF);
    fields.push_back(f);
    lines.push_back(detail::LineRec{k, k + 1, k + 2, k + 3});
  }
  ASSERT_EQ(fields.size(), 40u);
  ASSERT_EQ(lines.size(), 40u);
  for (std::uint32_t k = 0; k < 40; ++k) {
    EXPECT_EQ(fields[k].at, k);
    EXPECT_EQ(fields[k].len, k);
    EXPECT_EQ(lines[k].first_value, k);
    EXPECT_EQ(lines[k].section_key, k + 3);
  }
}

// Random inputs drawn mostly from structural bytes, some longer than the 16 KiB index window.
TEST(InfTokenizer, RandomInputsMatchTheOracle) {
  std::mt19937 rng(13);
  const std::string alphabet = "[]=,\";%\\\n\r\t  abcXYZ01_.-\xE9\x1A";
  ParseOptions lax;
  lax.require_signature = false;
  for (int n = 0; n < 1500; ++n) {
    std::size_t len = rng() % (n % 50 == 0 ? 70000 : 600);
    std::string text = "[Version]\nSignature=\"$Windows NT$\"\n[Strings]\na=b\n[S]\n";
    // Runs of ordinary characters make the long runs between structural bytes too.
    while (text.size() < len) {
      if (rng() % 4 == 0) {
        text.append(rng() % 200, static_cast<char>('a' + rng() % 26));
      } else {
        text.push_back(alphabet[rng() % alphabet.size()]);
      }
    }
    ASSERT_EQ(disagreement(text, lax), "") << "input " << n << ": " << inf_test::show(text.substr(0, 2000));
    if (n % 4 == 0) {
      // The same as UTF-16LE, with characters of two, three and four UTF-8 bytes (a surrogate pair).
      std::string u8;
      for (char c : text) u8 += c == '\xE9' ? (n % 8 == 0 ? "\xC3\xA9" : "\xE4\xB8\xAD\xF0\x9F\x98\x80") : std::string(1, c);
      ASSERT_EQ(disagreement(inf_test::utf16(u8), lax), "") << "UTF-16 input " << n << ": " << inf_test::show(u8.substr(0, 2000));
    }
  }
}

// The conformance and fast-path suites, re-run by this test program with each path forced.
TEST(InfTokenizer, ConformanceSuiteOnEveryPath) {
  if (kForcedFromEnvironment) GTEST_SKIP() << "already a forced run";
  std::vector<Tokenizer> paths = indexed_paths();
  paths.insert(paths.begin(), Tokenizer::oracle);
  const std::string self = fs::read_symlink("/proc/self/exe").string();
  for (Tokenizer t : paths) {
    const std::string cmd = std::string("ISODRV_TEST_INF_TOKENIZER=") + tokenizer_name(t) + " '" + self +
                            "' --gtest_brief=1 '--gtest_filter=InfConformance*:InfFastPath*:InfModel*:InfSmoke*:"
                            "InfDecode*:InfRobustness*:InfLimits*:InfPositions*:LexicalFacts*'"
                            " > /dev/null 2>&1";
    EXPECT_EQ(std::system(cmd.c_str()), 0) << "with " << tokenizer_name(t) << ": " << cmd;
  }
}

}  // namespace
