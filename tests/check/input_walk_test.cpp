// InputWalk (issue 10: constant memory in the number of files): the files of a run produced one
// at a time must come in exactly expand_inputs' order (sorted full paths per folder input, files
// and missing paths as given), from folders, lists and NUL lists, and again after rewind(); and
// check_stream over it keeps that order with several threads.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>

#include "isodrv/check.h"

namespace fs = std::filesystem;
using isodrv::check::InputWalk;

namespace {

fs::path scratch(const std::string& name) {
  fs::path d = fs::temp_directory_path() / ("isodrv-input-walk-" + name + "-" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

void touch(const fs::path& p) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << "[Version]\nSignature=\"$WINDOWS NT$\"\n";
}

std::vector<std::string> all(InputWalk& w) {
  std::vector<std::string> out;
  for (std::string p; w.next(p);) out.push_back(p);
  return out;
}

// Names whose order differs between "sort each folder's names" and "sort the full paths":
// '-' and '.' sort before '/', so a-c/… and a.d/… come before a/…, and ab.inf before ab/….
fs::path make_tree(const std::string& name) {
  const fs::path d = scratch(name);
  for (const char* f : {"a/x.inf", "a-c/y.INF", "a.d/z.inx", "ab/sub/q.inf", "ab/r.inf", "B/s.inf", "a.inf", "ab.inf",
                        "ab/notes.txt", "dir.inf/in.inf", "target/t.inf"}) {
    touch(d / f);
  }
  fs::create_directory_symlink(d / "target", d / "zlink");  // not followed, as expand_inputs does not
  fs::create_symlink(d / "a/x.inf", d / "B/link.inf");       // a link to a file is a file
  return d;
}

}  // namespace

TEST(InputWalk, FoldersComeInExpandInputsOrder) {
  const fs::path d = make_tree("order");
  const std::vector<std::string> inputs = {d.string(), (d / "a").string() + "/", (d / "missing.inf").string(),
                                           (d / "ab/r.inf").string()};
  std::vector<std::string> missing;
  const auto expected = isodrv::check::expand_inputs(inputs, missing);
  ASSERT_EQ(expected.size(), 14u);
  std::vector<InputWalk::Source> sources;
  for (const auto& in : inputs) sources.push_back({in, false, nullptr});
  InputWalk w(sources, false);
  std::vector<std::string> seen;
  w.on_input = [&](const std::string& in) { seen.push_back(in); };
  EXPECT_EQ(all(w), expected);
  EXPECT_EQ(seen, inputs);
  w.rewind();
  EXPECT_EQ(all(w), expected) << "a second pass gives the same files";
  fs::remove_all(d);
}

// The second pass takes the first pass's listings instead of listing each folder again: a file
// added between the passes is not seen by the second, and is by a third (which lists again). With
// a budget too small for every listing, the folders past it are listed again; a folder that is gone
// is skipped from there on as it would be. Either way the second pass gives the first one's order.
TEST(InputWalk, SecondPassTakesTheFirstPassListingsWithinTheBudget) {
  const fs::path d = make_tree("replay");
  InputWalk w({{d.string(), false, nullptr}}, false);
  const auto first = all(w);
  ASSERT_EQ(first.size(), 11u);
  touch(d / "ab/sub/new.inf");
  w.rewind();
  EXPECT_EQ(all(w), first) << "the second pass replays the listings";
  w.rewind();
  auto third = all(w);
  EXPECT_EQ(third.size(), first.size() + 1) << "a third pass lists the folders again";
  fs::remove(d / "ab/sub/new.inf");

  // ~1,000 bytes hold the listings of the root and B/ (the first two in walk order, ~700 bytes)
  // but not those of all nine folders (~1,800).
  InputWalk small({{d.string(), false, nullptr}}, false);
  small.replay_budget = 1000;
  const auto before = all(small);
  touch(d / "B/early.inf");
  touch(d / "target/late.inf");
  small.rewind();
  const auto after = all(small);
  EXPECT_EQ(after.size(), before.size() + 1) << "target/ is past the budget: listed again";
  EXPECT_NE(std::find(after.begin(), after.end(), (d / "target/late.inf").string()), after.end());
  EXPECT_EQ(std::find(after.begin(), after.end(), (d / "B/early.inf").string()), after.end()) << "B/ was kept";
  fs::remove(d / "B/early.inf");
  fs::remove(d / "target/late.inf");

  InputWalk gone({{d.string(), false, nullptr}}, false);
  const auto full = all(gone);
  fs::remove_all(d / "a-c");
  gone.rewind();
  EXPECT_EQ(all(gone), full) << "replayed listings name the folder; it is not opened again";
  fs::remove_all(d);
}

// watched_in_folder: whether the listing of the last file's folder showed a watched name (of any
// kind of entry); nullopt for a file given as an argument or when nothing is watched.
TEST(InputWalk, WatchedNamesAreNotedPerFolder) {
  const fs::path d = make_tree("watched");
  std::ofstream(d / "ab/isodrv.toml") << "mode = \"u\"\n";
  fs::create_directories(d / "a.d/.isodrv.toml");
  InputWalk w({{d.string(), false, nullptr}}, false);
  w.watched_names = {"isodrv.toml", ".isodrv.toml"};
  std::map<std::string, std::optional<bool>> seen;
  for (int pass = 0; pass < 2; ++pass) {
    for (std::string p; w.next(p);) {
      const auto watched = w.watched_in_folder();
      if (pass == 1) {
        EXPECT_EQ(watched, seen[p]) << p << ": the replayed listing says the same";
      }
      seen[p] = watched;
    }
    w.rewind();
  }
  EXPECT_EQ(seen[(d / "ab/r.inf").string()], std::optional<bool>(true));
  EXPECT_EQ(seen[(d / "ab/sub/q.inf").string()], std::optional<bool>(false)) << "only the file's own folder";
  EXPECT_EQ(seen[(d / "a.d/z.inx").string()], std::optional<bool>(true)) << "a folder of that name counts too";
  EXPECT_EQ(seen[(d / "a/x.inf").string()], std::optional<bool>(false));
  EXPECT_EQ(seen[(d / "a.inf").string()], std::optional<bool>(false)) << "the root listing";
  InputWalk arg({{(d / "a.inf").string(), false, nullptr}}, false);
  arg.watched_names = {"isodrv.toml"};
  std::string p;
  ASSERT_TRUE(arg.next(p));
  EXPECT_EQ(arg.watched_in_folder(), std::nullopt) << "a file given as an argument";
  fs::remove_all(d);
}

TEST(InputWalk, ListsAreReadALineAtATimeWithCheckRules) {
  const fs::path d = make_tree("list");
  const fs::path list = d / "list.txt";
  std::ofstream(list, std::ios::binary) << "# a comment\n\n" << (d / "ab").string() << "  \r\n   \n"
                                        << (d / "a.inf").string() << "\n\t# indented comment\n"
                                        << (d / "missing.inf").string();
  std::vector<std::string> missing;
  const auto expected =
      isodrv::check::expand_inputs({(d / "ab").string(), (d / "a.inf").string(), (d / "missing.inf").string()}, missing);
  InputWalk w({{list.string(), true, nullptr}, {(d / "B").string(), false, nullptr}}, false);
  auto got = all(w);
  auto tail = isodrv::check::expand_inputs({(d / "B").string()}, missing);
  auto want = expected;
  want.insert(want.end(), tail.begin(), tail.end());
  EXPECT_EQ(got, want);

  // NUL-separated names are taken exactly as written, and an already open list is read from its start.
  std::shared_ptr<FILE> spool(std::tmpfile(), [](FILE* f) { std::fclose(f); });
  const std::string nul = (d / " spaced.inf ").string() + std::string(1, '\0') + std::string(1, '\0') + (d / "a.inf").string();
  std::fwrite(nul.data(), 1, nul.size(), spool.get());
  InputWalk z({{"-", true, spool}}, true);
  EXPECT_EQ(all(z), (std::vector<std::string>{(d / " spaced.inf ").string(), (d / "a.inf").string()}));
  z.rewind();
  EXPECT_EQ(all(z).size(), 2u);
  fs::remove_all(d);
}

// A line of a list that names a folder is walked in its place, in every pass. Whether an input
// is a folder is asked once, by the first pass (a stat per input); the next passes take its answer:
// a file that became a folder between the passes is still handed out as the file it was.
TEST(InputWalk, ListedFolderIsWalkedInPlaceAndLaterPassesTakeTheFirstPassAnswer) {
  const fs::path d = scratch("listed-folder");
  touch(d / "a.inf");
  touch(d / "sub/x.inf");
  touch(d / "sub/deeper/y.inf");
  touch(d / "z.inf");
  const fs::path list = d / "list.txt";
  std::ofstream(list, std::ios::binary) << (d / "a.inf").string() << "\n" << (d / "sub").string() << "\n"
                                        << (d / "z.inf").string() << "\n";
  InputWalk w({{list.string(), true, nullptr}}, false);
  const std::vector<std::string> want = {(d / "a.inf").string(), (d / "sub/deeper/y.inf").string(),
                                         (d / "sub/x.inf").string(), (d / "z.inf").string()};
  EXPECT_EQ(all(w), want);
  fs::remove(d / "z.inf");
  touch(d / "z.inf/inner.inf");  // z.inf is a folder now
  w.rewind();
  EXPECT_EQ(all(w), want) << "the second pass asks no stat: z.inf is the file the first pass saw";
  fs::remove_all(d);
}

TEST(InputWalk, CheckStreamKeepsTheWalkOrderWithThreads) {
  const fs::path d = scratch("stream");
  for (int i = 0; i < 700; ++i) touch(d / ("p" + std::to_string(i % 37)) / ("f" + std::to_string(i) + ".inf"));
  std::vector<std::string> missing;
  const auto expected = isodrv::check::expand_inputs({d.string()}, missing);
  for (unsigned jobs : {1u, 2u, 3u}) {
    InputWalk w({{d.string(), false, nullptr}}, false);
    isodrv::check::Options opts;
    opts.jobs = jobs;
    std::size_t progress = 0;
    opts.on_progress = [&](std::size_t n) { progress = n; };
    std::vector<std::string> got;
    isodrv::check::check_stream([&](std::string& p) { return w.next(p); }, opts,
                                [&](isodrv::diag::FileResult&& f) { got.push_back(f.path); });
    EXPECT_EQ(got, expected) << jobs << " threads";
    EXPECT_EQ(progress, expected.size()) << "the last progress call counts every file";
  }
  fs::remove_all(d);
}

TEST(InputWalk, CwdRelativeTakesOnlyWholeComponentsBelowTheWorkingDirectory) {
  using isodrv::check::cwd_relative;
  auto rel = [](const std::string& p, std::string_view cwd) { return std::string(cwd_relative(p, cwd)); };
  EXPECT_EQ(rel("/a/b/c.inf", "/a/b"), "c.inf");
  EXPECT_EQ(rel("/a/b/c/d.inf", "/a/b"), "c/d.inf");
  EXPECT_EQ(rel("/a/b/../x.inf", "/a/b"), "../x.inf") << "the prefix names the working directory: any rest resolves alike";
  EXPECT_EQ(rel("/a/bc/d.inf", "/a/b"), "/a/bc/d.inf") << "a longer component is not below it";
  EXPECT_EQ(rel("/a/b", "/a/b"), "/a/b");
  EXPECT_EQ(rel("/a/b/", "/a/b"), "/a/b/") << "nothing below it";
  EXPECT_EQ(rel("/a/b//c.inf", "/a/b"), "/a/b//c.inf") << "the rest would be absolute";
  EXPECT_EQ(rel("/a/c.inf", "/"), "/a/c.inf") << "the root gains nothing";
  EXPECT_EQ(rel("/a/b/c.inf", "/a/b/"), "/a/b/c.inf") << "not as getcwd spells a folder";
  EXPECT_EQ(rel("/a/b/c.inf", ""), "/a/b/c.inf");
  EXPECT_EQ(rel("c.inf", "/a/b"), "c.inf");
  EXPECT_EQ(rel("/a/b/c.inf", "a/b"), "/a/b/c.inf") << "a working directory that is not absolute is not used";
}

// Inputs given by absolute paths below the working directory are tested, opened and reported by
// their shorter name (cwd_relative); what the run finds and says must be what the full path gives:
// the same files walked, the same findings, the same reasons for a missing path and a folder.
TEST(InputWalk, AbsoluteInputsBelowTheWorkingDirectoryGiveWhatTheirFullPathGives) {
  const fs::path d = scratch("cwd-relative");
  touch(d / "a.inf");
  touch(d / "sub/x.inf");
  fs::create_directories(d / "folder.inf");
  std::ofstream(d / "bad.inf") << "[Version]\nSignature=\"$WINDOWS NT$\"\n[Strings]\nx = \"unterminated\n";
  const fs::path list = d / "list.txt";
  std::ofstream(list) << (d / "a.inf").string() << "\n" << (d / "sub").string() << "\n" << (d / "missing.inf").string()
                      << "\n" << (d / "bad.inf").string() << "\n";
  std::error_code ec;
  const fs::path before = fs::current_path(ec);
  ASSERT_EQ(::chdir(d.c_str()), 0);
  InputWalk w({{list.string(), true, nullptr}}, false);
  w.cwd = fs::current_path(ec).string();
  std::vector<std::string> paths = all(w);
  const std::vector<std::string> want = {(d / "a.inf").string(), (d / "sub/x.inf").string(), (d / "missing.inf").string(),
                                         (d / "bad.inf").string()};
  EXPECT_EQ(paths, want);
  paths.push_back((d / "folder.inf").string());
  isodrv::check::Options opts;
  std::vector<isodrv::diag::FileResult> got;
  isodrv::check::check_stream(paths, opts, [&](isodrv::diag::FileResult&& f) { got.push_back(std::move(f)); });
  ASSERT_EQ(::chdir("/"), 0);
  ASSERT_EQ(got.size(), paths.size());
  for (std::size_t i = 0; i < paths.size(); ++i) {
    const isodrv::diag::FileResult full = isodrv::check::check_file(paths[i], opts);  // from "/": the full path
    EXPECT_EQ(got[i].path, full.path);
    EXPECT_EQ(got[i].unreadable, full.unreadable) << paths[i];
    ASSERT_EQ(got[i].diagnostics.size(), full.diagnostics.size()) << paths[i];
    for (std::size_t j = 0; j < full.diagnostics.size(); ++j) {
      EXPECT_EQ(got[i].diagnostics[j].code, full.diagnostics[j].code) << paths[i];
      EXPECT_EQ(got[i].diagnostics[j].message, full.diagnostics[j].message) << paths[i];
    }
  }
  EXPECT_TRUE(got[2].unreadable);
  EXPECT_TRUE(got[4].unreadable);
  EXPECT_FALSE(got[0].unreadable);
  if (!before.empty()) fs::current_path(before, ec);
  fs::remove_all(d);
}
