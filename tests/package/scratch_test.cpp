// The model's walk borrows its tables and buffers from a per-thread scratch that the next package
// on the thread reuses. These tests hold every value a package keeps to what it was when built
// after later packages reused (and grew) that scratch, and packages built on several threads at
// once to one built alone: a value left pointing into the scratch would change or, under ASan, be
// read after it was freed.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "isodrv/inf.h"
#include "isodrv/package.h"
#include "package/package_fixture.h"

using namespace isodrv;

namespace {

// An INF whose model holds substituted fields of every kind the walk reads (Models descriptions
// and IDs, decorations, registry fields and data, service values, copy names, Needs), `n` of each
// list so that a larger `n` makes the walk's tables grow. `tag` makes the texts differ per INF.
std::string scratch_inf(int n, const std::string& tag) {
  std::string models, reg, files, strings;
  for (int i = 0; i < n; ++i) {
    const std::string id = tag + std::to_string(i);
    models += "%Desc_" + id + "% = Dev, ROOT\\" + id + ", %Compat_" + id + "%\n";
    reg += "HKR, %Sub_" + id + "%, Value" + id + ", 0x00010001, %Data_" + id + "%\n";
    files += "%File_" + id + "%.sys\n";
    strings += "Desc_" + id + " = \"Device " + id + "\"\nCompat_" + id + " = \"ROOT\\COMPAT_" + id + "\"\n" +
               "Sub_" + id + " = \"Key_" + id + "\"\nData_" + id + " = \"" + std::to_string(i) + "\"\n" +
               "File_" + id + " = \"file_" + id + "\"\n";
  }
  return std::string(test::kSampleVersion) + "\n[Manufacturer]\n%P% = M, NTamd64, NTamd64.10.0...16299\n\n" +
         "[M.NTamd64]\n" + models + "\n[M.NTamd64.10.0...16299]\n" + models +
         "\n[Dev.NTamd64]\nCopyFiles = Files\nAddReg = Reg\nNeeds = Shared\n\n[Dev.NTamd64.HW]\nAddReg = Reg\n\n" +
         "[Dev.NTamd64.Services]\nAddService = %Svc%, 0x00000002, Svc_Install\n\n" +
         "[Svc_Install]\nDisplayName = %SvcName%\nServiceType = 1\nStartType = 3\nErrorControl = 1\n" +
         "ServiceBinary = %13%\\%Svc%.sys\nDependencies = +%Group%, %Other%\n\n" +
         "[Shared]\nAddReg = Reg\n\n[Files]\n" + files + "\n[Reg]\n" + reg + "\n[DestinationDirs]\nDefaultDestDir = 13\n\n" +
         "[Strings]\nP = \"Provider " + tag + "\"\nSvc = \"svc_" + tag + "\"\nSvcName = \"Service " + tag +
         "\"\nGroup = \"Group_" + tag + "\"\nOther = \"other_" + tag + "\"\n" + strings;
}

void put(std::string& out, std::string_view what, std::string_view v) {
  out.append(what).append("=").append(v).append("\n");
}

// Every text the package keeps, copied out: what the rules and the install engine read of it.
std::string dump(const package::Package& p) {
  std::string out;
  for (const auto& m : p.models) {
    put(out, "model", m.description);
    put(out, "base", m.install_base);
    put(out, "section", m.models_section);
    for (std::string_view id : m.hardware_ids) put(out, "id", id);
    if (m.decoration) put(out, "decoration", m.decoration->text);
  }
  for (const auto& t : p.targets) put(out, "target", t.decoration);
  for (const auto& s : p.sections) {
    put(out, "install", s.name);
    put(out, "install-base", s.base);
    put(out, "install-service", s.service);
  }
  for (const auto& r : p.references) put(out, "reference", std::string(r.directive) + ":" + std::string(r.target));
  for (const auto& r : p.regs) {
    put(out, "reg", std::string(r.root) + "," + std::string(r.subkey) + "," + std::string(r.value_name.value_or("-")) +
                        "," + std::string(r.flags_text) + "," + std::string(r.reg_section));
    for (std::string_view d : r.data) put(out, "data", d);
    for (std::string_view d : r.raw_data) put(out, "raw", d);
  }
  for (const auto& c : p.copies) put(out, "copy", std::string(c.dest_name) + "<-" + std::string(c.source_name));
  for (const auto& s : p.services) {
    put(out, "service", s.name);
    put(out, "display", s.display_name);
    put(out, "binary", s.service_binary);
    put(out, "binary-raw", s.service_binary_raw);
    for (std::string_view d : s.dependencies) put(out, "dependency", d);
    for (const auto& [name, line] : s.values) put(out, "value", name);
  }
  for (const auto& o : p.operations) put(out, "op", std::string(o.directive) + ":" + std::string(o.target));
  for (const auto& l : p.lists) put(out, "list", l.name);
  return out;
}

struct Built {
  std::unique_ptr<inf::Document> doc;
  package::Package pkg;
};

Built build(const std::string& text, const char* name) {
  auto doc = inf::Document::parse(text, name);
  EXPECT_TRUE(doc.ok()) << name;
  auto owner = std::make_unique<inf::Document>(std::move(*doc));
  package::Package pkg = package::build_package(*owner);
  return Built{std::move(owner), std::move(pkg)};
}

}  // namespace

TEST(PackageScratch, LaterPackagesOnTheThreadLeaveAnEarlierPackagesValuesAsBuilt) {
  const Built first = build(scratch_inf(3, "a"), "first.inf");
  const std::string before = dump(first.pkg);
  ASSERT_NE(before.find("model=Device a0"), std::string::npos);
  ASSERT_NE(before.find("display=Service a"), std::string::npos);
  ASSERT_NE(before.find("data=2"), std::string::npos);
  // Larger packages reuse the scratch the first one used and make every table in it grow (and
  // move), then a small one reuses it again.
  for (int n : {40, 400, 2}) {
    const Built later = build(scratch_inf(n, "b" + std::to_string(n)), "later.inf");
    EXPECT_EQ(later.pkg.models.size(), 2u * static_cast<std::size_t>(n));
  }
  EXPECT_EQ(dump(first.pkg), before);
}

TEST(PackageScratch, ALaterPackageIsTheSameAsOneBuiltOnAFreshThread) {
  // Sizes that leave the scratch used, grown, then larger than the largest a thread keeps: a
  // package must not depend on what the thread built before it.
  const std::string text = scratch_inf(25, "same");
  for (int n : {1, 300, 10000}) (void)build(scratch_inf(n, "x"), "warm.inf");
  const Built here = build(text, "same.inf");
  std::string fresh;
  std::thread([&] { fresh = dump(build(text, "same.inf").pkg); }).join();
  EXPECT_EQ(dump(here.pkg), fresh);
}

TEST(PackageScratch, PackagesBuiltOnSeveralThreadsAtOnceEqualOneBuiltAlone) {
  const std::string text = scratch_inf(30, "t");
  const std::string alone = dump(build(text, "alone.inf").pkg);
  constexpr int kThreads = 4, kRounds = 20;
  std::vector<int> equal(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int r = 0; r < kRounds; ++r) {
        // A package of another size in between, so that each thread's scratch grows and shrinks.
        (void)build(scratch_inf(1 + r * 7, "o"), "other.inf");
        if (dump(build(text, "same.inf").pkg) == alone) ++equal[static_cast<std::size_t>(t)];
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(equal[static_cast<std::size_t>(t)], kRounds) << "thread " << t;
}
