// Staging options for tests that put packages into a store: the store takes its /w validator from
// its caller (it sits below check), and the tests stage with the same one the CLI passes.
#pragma once

#include "isodrv/check.h"
#include "isodrv/store.h"

namespace isodrv::test {

inline store::AddOptions staging(bool allow_unisolated = false) {
  store::AddOptions o;
  o.allow_unisolated = allow_unisolated;
  o.validate = check::isolation_errors;
  return o;
}

}  // namespace isodrv::test
