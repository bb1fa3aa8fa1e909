// A scratch folder per test under the system's temporary folder.
#pragma once

#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>

namespace isodrv_test {

// temp/<prefix>-<pid>-<test name>. A parameterized test's name carries its instance after a '/'
// ("Case/param"): taken as is, it would nest the folder one level down, and the test's clean-up,
// which removes only the folder it was given, would leave the empty parent behind after every
// passing run. The '/' becomes '.', so the folder is one level below temp and removed whole.
inline std::filesystem::path scratch_path(const std::string& prefix) {
  std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
  std::replace(name.begin(), name.end(), '/', '.');
  return std::filesystem::temp_directory_path() / (prefix + "-" + std::to_string(::getpid()) + "-" + name);
}

}  // namespace isodrv_test
