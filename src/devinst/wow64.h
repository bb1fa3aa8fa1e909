// The 32-bit registry view of a 64-bit Windows: where an AddReg/DelReg/BitReg entry flagged
// FLG_ADDREG_32BITKEY (0x4000) lands when a 64-bit install writes it.
#pragma once

#include <string>
#include <string_view>

namespace isodrv::devinst {

// `root` is HKLM, HKCU, HKCR or HKU (upper case) and `subkey` the path below it without leading or
// trailing backslashes. Returns the subkey of the 32-bit view: HKLM\SOFTWARE\X goes to
// SOFTWARE\WOW6432Node\X unless X is one of the keys WOW64 shares between the views, and the
// redirected COM keys of Classes (CLSID, Interface, DirectShow, Media Type, MediaFoundation) go to
// Classes\WOW6432Node. Keys WOW64 does not redirect (SYSTEM, a shared key) come back unchanged.
std::string wow64_32bit_subkey(std::string_view root, std::string_view subkey);

}  // namespace isodrv::devinst
