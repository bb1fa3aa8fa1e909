// The ordered list of rule families run by `check`.
#include "rules/families.h"

namespace isodrv::rules {

namespace {
constexpr RuleFamily kFamilies[] = {
    {"syntax", run_syntax_rules},       {"version", run_version_rules},   {"files", run_file_rules},
    {"registry", run_registry_rules},   {"services", run_service_rules},  {"directives", run_directive_rules},
    {"models", run_model_rules},        {"includes", run_include_rules},
    {"extension", run_extension_rules}, {"wdf", run_wdf_rules},         {"primitive", run_primitive_rules},
    {"network", run_network_rules},     {"media", run_media_rules},
    {"values", run_value_rules},
    {"arguments", run_argument_rules},
    {"components", run_component_rules},
    {"sections", run_section_rules},
    {"oslevel", run_oslevel_rules},
    {"shims", run_shim_rules},
};
}  // namespace

std::span<const RuleFamily> families() { return kFamilies; }

}  // namespace isodrv::rules
