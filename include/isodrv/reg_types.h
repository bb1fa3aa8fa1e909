// Registry value types, declared once: the number Windows uses (winnt.h) and the REG_* name. The
// enum and the name table are derived from the one list; the INF model, rules, the emulated
// registry and install all use them.
#pragma once

#include <cstdint>
#include <string_view>

// X(enumerator, number, name); numbers are contiguous from 0, so the name table is indexed by them.
#define ISODRV_REG_TYPES(X)                                                   \
  X(kRegNone, 0, "REG_NONE")                                                  \
  X(kRegSz, 1, "REG_SZ")                                                      \
  X(kRegExpandSz, 2, "REG_EXPAND_SZ")                                         \
  X(kRegBinary, 3, "REG_BINARY")                                              \
  X(kRegDword, 4, "REG_DWORD")                                                \
  X(kRegDwordBigEndian, 5, "REG_DWORD_BIG_ENDIAN")                            \
  X(kRegLink, 6, "REG_LINK")                                                  \
  X(kRegMultiSz, 7, "REG_MULTI_SZ")                                           \
  X(kRegResourceList, 8, "REG_RESOURCE_LIST")                                 \
  X(kRegFullResourceDescriptor, 9, "REG_FULL_RESOURCE_DESCRIPTOR")            \
  X(kRegResourceRequirementsList, 10, "REG_RESOURCE_REQUIREMENTS_LIST")       \
  X(kRegQword, 11, "REG_QWORD")

namespace isodrv::registry {

enum ValueType : std::uint32_t {
#define ISODRV_REG_TYPE_ENUM(id, number, name) id = number,
  ISODRV_REG_TYPES(ISODRV_REG_TYPE_ENUM)
#undef ISODRV_REG_TYPE_ENUM
};

// "REG_SZ" … by type number.
inline constexpr std::string_view kRegTypeNames[] = {
#define ISODRV_REG_TYPE_NAME(id, number, name) name,
    ISODRV_REG_TYPES(ISODRV_REG_TYPE_NAME)
#undef ISODRV_REG_TYPE_NAME
};

}  // namespace isodrv::registry
