// Entry points of the rule families; each lives in its own file under src/rules/.
#pragma once

#include "isodrv/rules.h"
#include "rules/rule.h"
#include "rules/text.h"

namespace isodrv::rules {

void run_syntax_rules(Context& ctx);     // syntax.cpp: encoding, structure, sections, strings
void run_version_rules(Context& ctx);    // version.cpp: [Version], DriverVer, Provider, class
void run_file_rules(Context& ctx);       // files.cpp: copies, DIRIDs, DIRID 13, source disks
void run_registry_rules(Context& ctx);   // registry.cpp: AddReg/DelReg/BitReg roots, flags, values
void run_service_rules(Context& ctx);    // services.cpp: AddService and service-install sections
void run_directive_rules(Context& ctx);  // directives.cpp: legacy and non-declarative directives
void run_model_rules(Context& ctx);      // models.cpp: Manufacturer/Models, decorations
void run_include_rules(Context& ctx);    // includes.cpp: Include / Needs
void run_extension_rules(Context& ctx);  // extension.cpp: extension INFs
void run_wdf_rules(Context& ctx);        // wdf.cpp: DDInstall.Wdf, UMDF versions
void run_primitive_rules(Context& ctx);  // primitive.cpp: [DefaultInstall] primitive drivers
void run_network_rules(Context& ctx);    // network.cpp: NetDriver components, Ndi service
void run_media_rules(Context& ctx);      // media.cpp: display, camera/KS, audio APO
void run_value_rules(Context& ctx);      // values.cpp: system-defined values, COM kinds, service refs
void run_argument_rules(Context& ctx);   // arguments*.cpp: directive arguments, named sections, paths
void run_component_rules(Context& ctx);  // components.cpp: software, components, COM, event channels, WMI
void run_oslevel_rules(Context& ctx);    // oslevel.cpp: directives newer than the target, run-time file DIRIDs
void run_shim_rules(Context& ctx);       // shims.cpp: legacy forms Windows rewrites (INF shims), 1207
void run_section_rules(Context& ctx);    // sections.cpp: section misuse and combinations, Models coverage

// lines.cpp: the one walk over every line behind Context::lines().
LineWalk walk_lines(const inf::Document& doc);

}  // namespace isodrv::rules
