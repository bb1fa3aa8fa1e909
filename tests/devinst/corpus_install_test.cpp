// Every corpus INF that stages: a device with the first hardware ID of its first Models entry is
// added and installed; the install either succeeds and its uninstall returns the registry to the
// exact bytes it had, or it fails cleanly and leaves the registry as it was. Never a crash.
// No inbox INF folder is given: a package whose install Needs a section of an Include'd inbox INF
// (ks.inf, wudfrd.inf, winusb.inf, mf.inf …) must be refused with the error that says so.
#include <iostream>
#include <map>

#include "devinst_test_util.h"
#include "isodrv/api.h"
#include "isodrv/stamp_tokens.h"
#include "support/staging.h"

using namespace devinst_test;

class CorpusInstall : public DevinstTest {};

TEST_F(CorpusInstall, EveryStagedCorpusPackageInstallsAtomicallyAndUninstallsExactly) {
  const fs::path corpus = ISODRV_CORPUS_DIR;
  if (!fs::exists(corpus / "MANIFEST.tsv")) GTEST_SKIP() << "corpus not found at " << corpus << "; skipped";
  std::ifstream manifest(corpus / "MANIFEST.tsv");
  std::string line;
  std::getline(manifest, line);
  std::size_t installed = 0, failed_cleanly = 0, no_device = 0, n = 0, needs_inbox = 0;
  std::map<std::string, std::size_t> failure_kinds;
  std::ostringstream problems;
  const fs::path all_roots = root_;
  while (std::getline(manifest, line)) {
    const std::string rel = line.substr(0, line.find('\t'));
    const std::string bytes = slurp(corpus / rel);
    if (rel.size() > 3 && rel.compare(rel.size() - 3, 3, ".in") == 0) continue;
    std::string stamped = isodrv::stamp::accept_tokens_for_check(bytes, isodrv::inf::Arch::amd64);
    auto doc = isodrv::inf::Document::parse(stamped, rel);
    if (!doc.ok()) continue;
    auto model = isodrv::package::build_package(*doc);
    std::string hwid;
    for (const auto& m : model.models) {
      if (!m.hardware_ids.empty() && !m.hardware_ids[0].empty()) {
        hwid = m.hardware_ids[0];
        break;
      }
    }
    if (hwid.empty()) {
      ++no_device;
      continue;
    }
    // The bus names the instance after its hardware ID where that makes a valid instance ID
    // (ROOT\X -> ROOT\X\1); otherwise (*PNP0501, IDs with spaces or three parts) it gets its own.
    std::string device = hwid + "\\1";
    if (!isodrv::api::check_instance_id(device).ok()) device = "TEST\\DEV" + std::to_string(n) + "\\1";
    root_ = all_roots / ("r" + std::to_string(n++));
    fs::path inf = package_dir("c" + std::to_string(n), stamped, fs::path(rel).stem().string() + ".inf");
    auto st = isodrv::store::Store::open(root_.string());
    isodrv::store::AddOptions o = isodrv::test::staging();
    o.allow_unisolated = true;
    auto added = st->add(inf.string(), o);
    if (!added.ok()) {
      ++no_device;
      continue;
    }
    auto e = isodrv::devinst::Engine::open(root_.string());
    ASSERT_TRUE(e.ok());
    if (!e->add_device({device, {hwid}, {}}).ok()) {
      ++no_device;
      continue;
    }
    const std::string before = export_hklm();
    auto r = e->install(device);
    if (r.ok()) {
      ++installed;
      auto u = e->uninstall(device);
      if (!u.ok()) problems << rel << ": uninstall failed: " << u.error().to_string() << "\n";
      if (export_hklm() != before) problems << rel << ": uninstall did not restore the registry\n";
      auto v = st->verify();
      if (!v->empty()) problems << rel << ": store verify after uninstall: " << (*v)[0].message << "\n";
    } else {
      ++failed_cleanly;
      if (r.error().message.find("no inbox INF folder was given (--inbox DIR)") != std::string::npos) {
        ++needs_inbox;
        if (model.includes.empty()) problems << rel << ": refused for an inbox INF it does not Include\n";
      }
      std::string kind = r.error().message.substr(0, r.error().message.find(' ', 12));
      ++failure_kinds[std::string(isodrv::errc_name(r.error().code)) + ": " + kind];
      if (std::getenv("ISODRV_VERBOSE")) std::cout << rel << ": " << r.error().to_string() << "\n";
      if (export_hklm() != before) problems << rel << ": failed install changed the registry: " << r.error().to_string() << "\n";
    }
    fs::remove_all(root_);
  }
  root_ = all_roots;
  std::cout << "[ corpus ] installed and uninstalled " << installed << " packages; " << failed_cleanly
            << " refused cleanly; " << no_device << " without a usable device or not stageable\n";
  for (const auto& [k, c] : failure_kinds) std::cout << "[ corpus ]   " << c << " x " << k << "\n";
  std::cout << "[ corpus ] " << needs_inbox << " refused because they Need sections of included inbox INFs\n";
  EXPECT_GT(needs_inbox, 0u);
  // Every package that Needs no inbox INF still installs (219 install, 68 need inbox INFs).
  EXPECT_GT(installed + needs_inbox, 250u);
  EXPECT_EQ(problems.str(), "");
}
