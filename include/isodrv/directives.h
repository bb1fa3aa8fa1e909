// The install directives that name other sections, declared once: which fields name sections, the
// role those sections play, and what kind of section they expect. The package model walks
// references with it; the argument and section rules derive their directive lists from it.
#pragma once

#include <cstdint>
#include <string_view>

#include "isodrv/package.h"

namespace isodrv::package {

// What a directive's named sections hold.
enum class NamedKind : std::uint8_t {
  file_list,  // CopyFiles, DelFiles, RenFiles
  registry,   // AddReg, DelReg, BitReg
  property,   // AddProperty, DelProperty
  list,       // the other list directives (UpdateInis, LogConfig, RegisterDlls …)
  install,    // install-type sections (AddService's service-install-section …)
  data,       // a data section that is read, not installed (still-image DeviceData, Events)
};

struct DirectiveSpec {
  const char* name;
  int first_field;  // -1: every field
  int only_field;   // >= 0: only this field
  SectionRole target_role;
  NamedKind kind;
  // A file, registry, property or other list rather than an install-type section.
  constexpr bool is_list() const { return kind != NamedKind::install && kind != NamedKind::data; }
};

inline constexpr DirectiveSpec kDirectives[] = {
    {"CopyFiles", -1, -1, SectionRole::other, NamedKind::file_list},
    {"DelFiles", -1, -1, SectionRole::other, NamedKind::file_list},
    {"RenFiles", -1, -1, SectionRole::other, NamedKind::file_list},
    {"AddReg", -1, -1, SectionRole::other, NamedKind::registry},
    {"DelReg", -1, -1, SectionRole::other, NamedKind::registry},
    {"BitReg", -1, -1, SectionRole::other, NamedKind::registry},
    {"AddProperty", -1, -1, SectionRole::other, NamedKind::property},
    {"DelProperty", -1, -1, SectionRole::other, NamedKind::property},
    {"UpdateInis", -1, -1, SectionRole::other, NamedKind::list},
    {"UpdateIniFields", -1, -1, SectionRole::other, NamedKind::list},
    {"Ini2Reg", -1, -1, SectionRole::other, NamedKind::list},
    {"ProfileItems", -1, -1, SectionRole::other, NamedKind::list},
    {"LogConfig", -1, -1, SectionRole::other, NamedKind::list},
    {"RegisterDlls", -1, -1, SectionRole::other, NamedKind::list},
    {"UnregisterDlls", -1, -1, SectionRole::other, NamedKind::list},
    {"AddPowerSetting", -1, -1, SectionRole::other, NamedKind::list},
    {"AddService", 0, 2, SectionRole::service_install, NamedKind::install},
    {"AddInterface", 0, 2, SectionRole::add_interface, NamedKind::install},
    {"AddComponent", 0, 2, SectionRole::other, NamedKind::install},
    {"AddSoftware", 0, 2, SectionRole::other, NamedKind::install},
    {"AddFilter", 0, 2, SectionRole::other, NamedKind::install},
    {"AddComServer", 0, 2, SectionRole::other, NamedKind::install},
    {"AddEventProvider", 0, 1, SectionRole::other, NamedKind::install},
    {"KmdfService", 0, 1, SectionRole::other, NamedKind::install},
    {"UmdfService", 0, 1, SectionRole::other, NamedKind::install},
    // Still-image (WIA) DDInstall sections name their device data and event sections.
    {"DeviceData", 0, 0, SectionRole::other, NamedKind::data},
    {"Events", 0, 0, SectionRole::other, NamedKind::data},
    // An event provider's AddChannel names the channel's settings section.
    {"AddChannel", 2, 2, SectionRole::other, NamedKind::data},
};

// The row of directive `name` (case-insensitive); nullptr for a directive that names no section.
const DirectiveSpec* find_directive(std::string_view name);

}  // namespace isodrv::package
