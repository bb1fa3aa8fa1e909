// A parsed document and the package built from it, for the package tests. The document lives on
// the heap so that it stays at one address while the fixture moves: the package's views point
// into it (Package::doc, field views).
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string_view>
#include <utility>

#include "isodrv/inf.h"
#include "isodrv/package.h"

namespace isodrv::test {

// The [Version] section the package tests' INFs start with. Five lines, each ending in a newline, so
// a fixture written as kSampleVersion + the rest keeps the line numbers its assertions name.
inline constexpr std::string_view kSampleVersion =
    "[Version]\n"
    "Signature = \"$WINDOWS NT$\"\n"
    "Class     = Sample\n"
    "ClassGuid = {0b9b8a6e-5f8a-4c2e-9d0e-7a1b2c3d4e5f}\n"
    "Provider  = %P%\n";

struct PackageFixture {
  std::unique_ptr<inf::Document> doc_owner;
  const inf::Document& doc;
  package::Package pkg;
};

// Parses `text` as the file `name` (a failed parse is a test failure), sets `dirids` on the
// document when given, and builds the package for the default target.
inline PackageFixture build_package_fixture(std::string_view text, const char* name,
                                            const inf::DiridContext* dirids = nullptr) {
  auto doc = inf::Document::parse(text, name);
  EXPECT_TRUE(doc.ok()) << name << ": " << (doc.ok() ? "" : doc.error().message);
  auto owner = std::make_unique<inf::Document>(std::move(*doc));
  if (dirids) owner->set_dirids(*dirids);
  const inf::Document& d = *owner;
  return PackageFixture{std::move(owner), d, package::build_package(d)};
}

}  // namespace isodrv::test
