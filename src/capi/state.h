// The state-location opens behind IoOpenDriverRegistryKey / IoOpenDeviceRegistryKey and their WDF
// and user-mode twins, shared so each rule (Parameters read-only, flag checks) lives once.
#pragma once

#include "capi/runtime.h"

namespace isodrv::capi {

// Parameters: the most any handle gets is KEY_READ; asking for more is STATUS_ACCESS_DENIED.
NTSTATUS open_service_key(const std::shared_ptr<Store>& store, const std::string& service, const std::string& subject,
                          int type, ACCESS_MASK desired, CallerMode mode, api::Disposition disposition, HANDLE* out);
// PLUGPLAY_REGKEY_DEVICE or _DRIVER (exactly one), optionally with CURRENT_HWPROFILE.
NTSTATUS open_devnode_key(const std::shared_ptr<Store>& store, const std::string& instance_id,
                          const std::string& subject, ULONG type, ACCESS_MASK desired, CallerMode mode,
                          api::Disposition disposition, HANDLE* out);
NTSTATUS open_interface_key(const std::shared_ptr<Store>& store, const std::string& link, const std::string& subject,
                            ACCESS_MASK desired, CallerMode mode, api::Disposition disposition, HANDLE* out);
// A directory handle for a state directory (writable unless it is the image directory).
NTSTATUS hand_out_directory(Result<api::Location> location, Origin origin, bool writable, HANDLE* out);

std::string driver_subject(const DriverImpl& d);
std::string device_subject(const DeviceImpl& d);

}  // namespace isodrv::capi
