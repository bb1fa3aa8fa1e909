// Registry operations shared by the kernel (Zw*, Io*, WDF) and user-mode (Reg*, CM_*) entry
// points: every one checks the handle's granted access and confinement and reports isolation
// violations. Internal to src/capi.
#pragma once

#include <string_view>

#include "capi/runtime.h"

namespace isodrv::capi {

// A handle for `key` (the result of a state API) with `desired` checked against `ceiling`.
NTSTATUS hand_out_key(Result<registry::KeyHandle> key, Origin origin, ACCESS_MASK desired, ACCESS_MASK ceiling,
                      HANDLE* out);
// Opens or creates `rel` below `parent` (never leaving its subtree: no '..', no absolute name,
// no registry symbolic link on the way).
NTSTATUS open_relative(const KeyObj& parent, std::string_view rel, ACCESS_MASK desired,
                       registry::Disposition disposition, ULONG options,
                       ULONG* disposition_out, std::string_view call, const void* ret, HANDLE* out);
// Opens or creates a key by absolute name ("HKLM\…" spelled by the caller as `shown`): an
// isolation violation, recorded; refused in enforce mode.
NTSTATUS open_absolute(std::string_view hk_path, std::string_view shown, ACCESS_MASK desired,
                       registry::Disposition disposition, CallerMode mode, std::string_view call, const void* ret,
                       HANDLE* out);
// Reads a value (KEY_QUERY_VALUE). STATUS_OBJECT_NAME_NOT_FOUND when absent.
NTSTATUS read_value(const KeyObj& key, std::string_view name, registry::Value& out);
// Writes a value (KEY_SET_VALUE); a write through a handle outside the driver's state is a violation.
NTSTATUS write_value(const KeyObj& key, std::string_view name, ULONG type, const void* data, ULONG size,
                     std::string_view call, const void* ret);

}  // namespace isodrv::capi
