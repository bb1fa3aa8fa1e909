// Facts an install records about itself that are neither registry nor files: a pending restart
// (Reboot / Restart), co-installers registered but not executed, software queued by AddSoftware.
// They live in devinst_install_facts and go with the install (a trigger deletes them).
#pragma once

#include <cstdint>
#include <string>

#include "devinst/engine_impl.h"

namespace isodrv::devinst {

// Fact kinds, as stored.
inline constexpr const char* kFactRestart = "restart";          // value: "Reboot" or "Restart"
inline constexpr const char* kFactCoInstaller = "coinstaller";  // value: "dll[,entry point]"

Status record_install_fact(Engine::Impl& e, std::int64_t install_id, const char* kind, const std::string& value,
                           const std::string& source);
// Fills the fact fields of `info` from the install's records.
void read_install_facts(Engine::Impl& e, std::int64_t install_id, DeviceInfo& info);

}  // namespace isodrv::devinst
