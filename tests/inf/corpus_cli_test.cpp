// The engine against the shared corpus of real INF files, and `isodrv inf dump --json` against
// the DESIGN.md §4 contract (fields, exit codes, golden output). ISODRV_UPDATE_GOLDEN=1 rewrites
// the golden files after a reviewed change.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <sys/wait.h>

#include "inf_test_util.h"
#include "support/cli_run.h"

namespace fs = std::filesystem;
using namespace isodrv;
using namespace isodrv::inf;

namespace {

std::string read(const fs::path& p) { return isodrv_test::slurp(p); }

// An oracle independent of the tokenizer: a [Version] header followed, before the next header, by
// a Signature line naming $Windows NT$ or $Chicago$ (quoted or not).
bool has_valid_signature(std::string_view text) {
  static const std::regex header(R"(^\s*\[\s*([^\]]*?)\s*\])", std::regex::icase);
  static const std::regex sig(R"(^\s*signature\s*=\s*"?\$(windows nt|chicago)\$"?\s*(;.*)?$)", std::regex::icase);
  bool in_version = false;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string line(text.substr(start, end - start));
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::smatch m;
    if (std::regex_search(line, m, header)) {
      in_version = strcasecmp(m[1].str().c_str(), "version") == 0;
    } else if (in_version && std::regex_search(line, sig)) {
      return true;
    }
    start = end + 1;
  }
  return false;
}

struct ManifestRow {
  std::string path, encoding;
};

std::vector<ManifestRow> manifest(const fs::path& dir) {
  std::vector<ManifestRow> rows;
  std::ifstream in(dir / "MANIFEST.tsv");
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::vector<std::string> cols;
    std::size_t s = 0;
    for (std::size_t i = 0; i <= line.size(); ++i) {
      if (i == line.size() || line[i] == '\t') {
        cols.push_back(line.substr(s, i - s));
        s = i + 1;
      }
    }
    if (cols.size() >= 6) rows.push_back({cols[0], cols[5]});
  }
  return rows;
}

TEST(InfCorpus, EveryFileLoadsAndSignedFilesOpen) {
  const fs::path dir = ISODRV_CORPUS_DIR;
  if (!fs::exists(dir / "MANIFEST.tsv")) GTEST_SKIP() << "corpus not found at " << dir << " (ISODRV_CORPUS_DIR)";
  auto rows = manifest(dir);
  ASSERT_GT(rows.size(), 400u);
  int opened = 0, signed_files = 0, refused = 0;
  std::map<std::string, int> by_error;
  for (const auto& row : rows) {
    SCOPED_TRACE(row.path);
    const fs::path p = dir / row.path;
    ASSERT_TRUE(fs::exists(p));
    const std::string bytes = read(p);
    auto dec = decode(bytes);
    ASSERT_TRUE(dec.ok());
    // The manifest's encoding column was computed from the bytes by other means.
    const DecodeFlags& f = dec->flags;
    if (row.encoding == "ascii") {
      EXPECT_EQ(dec->encoding, Encoding::ansi);
      EXPECT_FALSE(f.non_ascii_ansi);
    } else if (row.encoding == "utf-8") {
      EXPECT_EQ(dec->encoding, Encoding::ansi);
      EXPECT_TRUE(f.utf8_without_bom);
    } else if (row.encoding == "utf-8-bom") {
      EXPECT_EQ(dec->encoding, Encoding::utf8_bom);
    } else if (row.encoding == "utf-16le-bom") {
      EXPECT_EQ(dec->encoding, Encoding::utf16le_bom);
    } else if (row.encoding == "8bit-non-utf8") {
      EXPECT_EQ(dec->encoding, Encoding::ansi);
      EXPECT_TRUE(f.non_ascii_ansi);
      EXPECT_FALSE(f.utf8_without_bom);
    } else {
      ADD_FAILURE() << "unknown manifest encoding " << row.encoding;
    }
    auto doc = Document::load(p.string());
    const bool sig = has_valid_signature(dec->view(bytes));
    signed_files += sig;
    if (doc.ok()) {
      ++opened;
      EXPECT_EQ(doc->encoding(), dec->encoding);
      // Read everything back, as a consumer would.
      for (std::size_t s = 0; s < doc->section_count(); ++s) {
        for (Line l : doc->section_at(s)) {
          (void)l.key();
          for (std::size_t i = 0; i < l.field_count(); ++i) (void)l.field(i);
        }
      }
      (void)doc->manufacturers(Target{});
    } else {
      ++refused;
      ++by_error[std::string(errc_name(doc.error().code))];
      EXPECT_FALSE(sig) << "has a valid signature but did not open: " << doc.error().to_string();
    }
  }
  std::printf("corpus: %zu files, %d with a valid signature, %d opened, %d refused", rows.size(), signed_files, opened,
              refused);
  for (const auto& [name, n] : by_error) std::printf(" [%s: %d]", name.c_str(), n);
  std::printf("\n");
  EXPECT_GE(opened, signed_files);
}

// ---------------------------------------------------------------------------------------------
// inf dump --json
// ---------------------------------------------------------------------------------------------
using isodrv_test::CliRun;

// Runs a command from the repository root (so paths in the output are relative and stable).
CliRun run(const std::string& args) { return isodrv_test::run_in_source_dir(args); }

void expect_golden(const std::string& name, const std::string& actual) {
  isodrv_test::expect_golden(fs::path(ISODRV_TEST_DATA) / "inf" / "golden" / name, actual);
}

const std::string kFixtures = "tests/inf/fixtures/";

TEST(InfDumpCli, BasicFixtureFollowsTheContract) {
  CliRun r = run("inf dump --json " + kFixtures + "basic.inf");
  ASSERT_EQ(r.rc, 0);
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["path"], kFixtures + "basic.inf");
  EXPECT_EQ(j["encoding"], "ansi");
  EXPECT_EQ(j["ok"], true);
  EXPECT_TRUE(j["error"].is_null());
  ASSERT_TRUE(j["sections"].is_array());
  std::vector<std::string> names;
  for (const auto& s : j["sections"]) names.push_back(s["name"]);
  // Merged case-insensitively, named as first spelled, in order of first appearance.
  EXPECT_EQ(names, (std::vector<std::string>{"Version", "Install.NTamd64", "Files", "Reg", "Strings"}));
  const auto& version = j["sections"][0];
  EXPECT_EQ(version["line"], 2);
  EXPECT_EQ(version["lines"][0]["line"], 3);
  EXPECT_EQ(version["lines"][0]["key"], "Signature");
  EXPECT_EQ(version["lines"][0]["fields"], nlohmann::json::array({"$Windows NT$"}));
  EXPECT_EQ(version["lines"][2]["fields"][0], "Quokka \"Labs\"");
  const auto& install = j["sections"][1];
  ASSERT_EQ(install["lines"].size(), 3u);
  EXPECT_EQ(install["lines"][1]["line"], 9);  // a continued line starts where it starts
  EXPECT_EQ(install["lines"][1]["fields"], nlohmann::json::array({"Reg", "Reg2"}));
  EXPECT_EQ(install["lines"][2]["key"], "Include");
  // A lone field is its own key (SetupGetStringField(ctx, 0)); several fields without '=' have none.
  EXPECT_EQ(j["sections"][2]["lines"][0]["key"], "quokka.sys");
  const auto& reg = j["sections"][3]["lines"];
  EXPECT_TRUE(reg[0]["key"].is_null());
  std::string path = reg[0]["fields"][4];
  EXPECT_EQ(path.rfind("C:\\Windows\\System32\\DriverStore\\FileRepository\\basic.inf_amd64_", 0), 0u) << path;
  // <inf>_<arch>_<hash16>: the hash itself belongs to the package layer (DESIGN.md §2).
  EXPECT_TRUE(std::regex_match(path, std::regex(R"(.*\\basic\.inf_amd64_[0-9a-f]{16}\\quokka\.sys)"))) << path;
  EXPECT_EQ(reg[1]["fields"][4], "%SystemRoot%\\System32\\IoLogMsg.dll");
  EXPECT_EQ(reg[2]["fields"], nlohmann::json::array({"HKR", "", "Empty", "", "", ""}));
  EXPECT_EQ(j["decode_flags"], nlohmann::json::array());
  EXPECT_EQ(j["notes"], nlohmann::json::array());
  expect_golden("basic.json", r.out);
}

TEST(InfDumpCli, Utf16FixtureGolden) {
  CliRun r = run("inf dump --json " + kFixtures + "utf16.inf");
  ASSERT_EQ(r.rc, 0);
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["encoding"], "utf-16le-bom");
  EXPECT_EQ(j["sections"][1]["lines"][0]["fields"], nlohmann::json::array({"café", "𝄞"}));
  expect_golden("utf16.json", r.out);
}

TEST(InfDumpCli, ErrorsAndExitCodes) {
  // DESIGN.md §3: 1 for a file that is not a valid INF, 3 for one that cannot be read.
  struct Row {
    std::string file;
    int exit_code;
    const char* error;
    int line;
  };
  const Row rows[] = {
      {kFixtures + "nosignature.inf", 1, "ERROR_WRONG_INF_STYLE", 0},
      {kFixtures + "garbage.inf", 1, "ERROR_EXPECTED_SECTION_NAME", 1},
      {kFixtures + "does-not-exist.inf", 3, "ERROR_FILE_NOT_FOUND", 0},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(row.file);
    CliRun r = run("inf dump --json " + row.file);
    EXPECT_EQ(r.rc, row.exit_code);
    auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["path"], row.file);
    EXPECT_EQ(j["ok"], false);
    EXPECT_EQ(j["error"]["name"], row.error);
    EXPECT_EQ(j["error"]["line"], row.line);
    EXPECT_EQ(j["sections"], nlohmann::json::array());
  }
  EXPECT_EQ(run("inf dump --json --arch mips " + kFixtures + "basic.inf").rc, 2);
  EXPECT_EQ(run("inf dump --json --lang xyz " + kFixtures + "basic.inf").rc, 2);
  EXPECT_EQ(run("inf dump " + kFixtures + "basic.inf").rc, 0);
}

TEST(InfDumpCli, FlagsAndNotesAreReported) {
  // The fields we add to the DESIGN.md §4 object: decode_flags and notes.
  const fs::path tmp = fs::temp_directory_path() / ("isodrv-inf-dump-" + std::to_string(::getpid()) + ".inf");
  std::ofstream(tmp, std::ios::binary) << "[Version]\nSignature=$Windows NT$\n[S] x\nk=caf\xC3\xA9,\"open\n\x1A\n";
  CliRun r = run("inf dump --json '" + tmp.string() + "'");
  fs::remove(tmp);
  ASSERT_EQ(r.rc, 0);
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["decode_flags"], nlohmann::json::array({"utf8_without_bom", "non_ascii_ansi", "ctrl_z"}));
  std::vector<std::string> kinds;
  for (const auto& n : j["notes"]) kinds.push_back(n["kind"]);
  EXPECT_EQ(kinds, (std::vector<std::string>{"ctrl_z_end", "text_after_section", "unterminated_quote"}));
  EXPECT_EQ(j["notes"][2]["line"], 4);
  EXPECT_EQ(j["notes"][2]["column"], 9);
}

}  // namespace
