// The package model of an included INF (Include= / Needs=, docs/devinst.md "Include / Needs"):
// kept out of package.h so that the install engine's need for it does not touch every consumer.
#pragma once

#include <string>

#include "isodrv/package.h"

namespace isodrv::package {

// A section another INF's Needs names in an INF it includes (an inbox INF), with the role of the
// section that needs it (so HKR keeps that section's meaning; `service` for a service-install role).
struct NeededSection {
  std::string name;
  SectionRole role = SectionRole::ddinstall;
  std::string service;
};

// The model of `doc` holding just `needed`, as a root, and everything it reaches.
Package build_needed_package(const inf::Document& doc, const inf::Target& target, const NeededSection& needed);

}  // namespace isodrv::package
