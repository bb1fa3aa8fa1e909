// Helpers shared by the registry tests.
#pragma once

#include <gtest/gtest.h>

#include "isodrv/result.h"

// The value of a Result, failing the test (and returning T{}) when it holds an error.
template <typename T>
T V(isodrv::Result<T> r) {
  EXPECT_TRUE(r.ok()) << r.error().to_string();
  if (!r.ok()) return T{};
  return std::move(r).value();
}
