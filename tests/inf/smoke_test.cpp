// First checks of the INF engine on the shipped example.
#include <gtest/gtest.h>

#include "isodrv/inf.h"

using namespace isodrv::inf;

TEST(InfSmoke, ExampleOpensAndResolvesStrings) {
  auto doc = Document::load(std::string(ISODRV_SOURCE_DIR) + "/examples/quokka/quokka.inf");
  ASSERT_TRUE(doc.ok()) << doc.error().to_string();
  auto version = doc->section("version");
  ASSERT_TRUE(version);
  auto provider = version->find("Provider");
  ASSERT_TRUE(provider);
  EXPECT_EQ(provider->field(0), "Quokka Labs");
  EXPECT_EQ(provider->raw_field(0), "%ProviderName%");
}
