// InputWalk (issue 10: constant memory in the number of files): the files of a run produced one
// at a time must come in exactly expand_inputs' order (sorted full paths per folder input, files
// and missing paths as given), from folders, lists and NUL lists, and again after rewind(); and
// check_stream over it keeps that order with several threads.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

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
