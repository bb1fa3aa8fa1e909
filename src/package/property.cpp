// Device properties as an INF sets them (AddProperty / DelProperty, install-semantics.md §8):
// the DEVPROPTYPE vocabulary, the DEVPKEYs we know by name, and the value encoding. One home for
// this meaning; the install engine applies it and `device show` / the API decode it.
#include <array>
#include <cctype>
#include <cstdio>
#include <cstring>

#include "isodrv/package.h"
#include "base/text.h"
#include "isodrv/registry.h"

namespace isodrv::package::devprop {
namespace {

using base::trim_view;

struct TypeName {
  std::uint32_t type;
  const char* name;  // without the DEVPROP_TYPE_ prefix
};
constexpr TypeName kTypeNames[] = {
    {kEmpty, "EMPTY"},       {kNull, "NULL"},         {kSbyte, "SBYTE"},       {kByte, "BYTE"},
    {kInt16, "INT16"},       {kUint16, "UINT16"},     {kInt32, "INT32"},       {kUint32, "UINT32"},
    {kInt64, "INT64"},       {kUint64, "UINT64"},     {kFloat, "FLOAT"},       {kDouble, "DOUBLE"},
    {kDecimal, "DECIMAL"},   {kGuid, "GUID"},         {kCurrency, "CURRENCY"}, {kDate, "DATE"},
    {kFiletime, "FILETIME"}, {kBoolean, "BOOLEAN"},   {kString, "STRING"},
    {kSecurityDescriptor, "SECURITY_DESCRIPTOR"},     {kSecurityDescriptorString, "SECURITY_DESCRIPTOR_STRING"},
    {kDevPropKey, "DEVPROPKEY"},                      {kDevPropType, "DEVPROPTYPE"},
    {kError, "ERROR"},       {kNtStatus, "NTSTATUS"}, {kStringIndirect, "STRING_INDIRECT"},
    {kBinary, "BINARY"},     {kStringList, "STRING_LIST"},
};

constexpr const char* kDrvPkg = "{cf73bb51-3abf-44a2-85e0-9a3dc7a12132}";
constexpr const char* kDevice = "{a45c254e-df1c-4efd-8020-67d146a850e0}";
constexpr const char* kDevice2 = "{78c34fc8-104a-4aca-9ea4-524d52996e57}";
constexpr const char* kInterface = "{026e516e-b814-414b-83cd-856d6fef4822}";
constexpr const char* kInterfaceClass = "{14c83a99-0b3f-44b7-be4c-a178d3990564}";
constexpr const char* kDeviceClass = "{259abffc-50a7-47ce-af08-68c9a7d73366}";

// devpkey.h. The six DrvPkg keys are the property names AddProperty accepts without a GUID.
constexpr Known kKnown[] = {
    {"DEVPKEY_DrvPkg_Model", "DeviceModel", kDrvPkg, 2, kString},
    {"DEVPKEY_DrvPkg_VendorWebSite", "DeviceVendorWebsite", kDrvPkg, 3, kString},
    {"DEVPKEY_DrvPkg_DetailedDescription", "DeviceDetailedDescription", kDrvPkg, 4, kString},
    {"DEVPKEY_DrvPkg_DocumentationLink", "DeviceDocumentationLink", kDrvPkg, 5, kString},
    {"DEVPKEY_DrvPkg_Icon", "DeviceIcon", kDrvPkg, 6, kStringList},
    {"DEVPKEY_DrvPkg_BrandingIcon", "DeviceBrandingIcon", kDrvPkg, 7, kStringList},
    {"DEVPKEY_NAME", nullptr, "{b725f130-47ef-101a-a5f1-02608c9eebac}", 10, kString},
    {"DEVPKEY_Device_DeviceDesc", nullptr, kDevice, 2, kString},
    {"DEVPKEY_Device_HardwareIds", nullptr, kDevice, 3, kStringList},
    {"DEVPKEY_Device_CompatibleIds", nullptr, kDevice, 4, kStringList},
    {"DEVPKEY_Device_Service", nullptr, kDevice, 6, kString},
    {"DEVPKEY_Device_Class", nullptr, kDevice, 9, kString},
    {"DEVPKEY_Device_ClassGuid", nullptr, kDevice, 10, kGuid},
    {"DEVPKEY_Device_Driver", nullptr, kDevice, 11, kString},
    {"DEVPKEY_Device_Manufacturer", nullptr, kDevice, 13, kString},
    {"DEVPKEY_Device_FriendlyName", nullptr, kDevice, 14, kString},
    {"DEVPKEY_Device_LocationInfo", nullptr, kDevice, 15, kString},
    {"DEVPKEY_Device_UpperFilters", nullptr, kDevice, 20, kStringList},
    {"DEVPKEY_Device_LowerFilters", nullptr, kDevice, 21, kStringList},
    {"DEVPKEY_Device_Model", nullptr, kDevice2, 39, kString},
    {"DEVPKEY_DeviceInterface_FriendlyName", nullptr, kInterface, 2, kString},
    {"DEVPKEY_DeviceInterface_Enabled", nullptr, kInterface, 3, kBoolean},
    {"DEVPKEY_DeviceInterface_ClassGuid", nullptr, kInterface, 4, kGuid},
    {"DEVPKEY_DeviceInterface_ReferenceString", nullptr, kInterface, 5, kString},
    {"DEVPKEY_DeviceInterface_Restricted", nullptr, kInterface, 6, kBoolean},
    {"DEVPKEY_DeviceInterface_UnrestrictedAppCapabilities", nullptr, kInterface, 8, kStringList},
    {"DEVPKEY_DeviceInterface_SchematicName", nullptr, kInterface, 9, kString},
    {"DEVPKEY_DeviceInterfaceClass_DefaultInterface", nullptr, kInterfaceClass, 2, kString},
    {"DEVPKEY_DeviceInterfaceClass_Name", nullptr, kInterfaceClass, 3, kString},
    {"DEVPKEY_DeviceClass_Name", nullptr, kDeviceClass, 2, kString},
    {"DEVPKEY_DeviceClass_ClassName", nullptr, kDeviceClass, 3, kString},
    {"DEVPKEY_DeviceClass_Icon", nullptr, kDeviceClass, 4, kString},
};

// Signed or unsigned, decimal or 0x-hexadecimal, within `bits`, read by the one INF number scanner.
std::optional<std::uint64_t> parse_int(std::string_view s, unsigned bits, bool is_signed) {
  auto n = inf::scan_number(s);
  if (!n || (n->has_sign && !is_signed)) return std::nullopt;
  const std::uint64_t mask = bits == 64 ? ~0ULL : ((1ULL << bits) - 1);
  if (n->negative) {
    if (n->magnitude > (1ULL << (bits - 1))) return std::nullopt;
    return (~n->magnitude + 1) & mask;
  }
  // Hexadecimal may spell the bit pattern of a negative value; decimal must fit the type.
  const std::uint64_t v = n->magnitude;
  if (v > mask || (is_signed && !n->hex && bits < 64 && v >= (1ULL << (bits - 1)))) return std::nullopt;
  return v;
}

unsigned int_bits(std::uint32_t base_type) {
  switch (base_type) {
    case kSbyte: case kByte: return 8;
    case kInt16: case kUint16: return 16;
    case kInt32: case kUint32: case kDevPropType: case kError: case kNtStatus: return 32;
    case kInt64: case kUint64: case kFiletime: case kCurrency: return 64;
    default: return 0;
  }
}

bool is_signed(std::uint32_t t) { return t == kSbyte || t == kInt16 || t == kInt32 || t == kInt64 || t == kCurrency || t == kNtStatus; }

void put_le(std::vector<std::uint8_t>& out, std::uint64_t v, unsigned bits) {
  for (unsigned i = 0; i < bits / 8; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

std::optional<std::array<std::uint8_t, 16>> guid_bytes(std::string_view text) {
  auto g = normalize_guid(text);
  if (!g) return std::nullopt;
  // {xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}: Data1..3 little-endian, Data4 in order.
  std::string hex;
  for (char c : *g) {
    if (c != '{' && c != '}' && c != '-') hex += c;
  }
  std::array<std::uint8_t, 16> b{};
  auto byte_at = [&](std::size_t i) { return static_cast<std::uint8_t>(std::stoul(hex.substr(2 * i, 2), nullptr, 16)); };
  const std::size_t order[16] = {3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15};
  for (std::size_t i = 0; i < 16; ++i) b[i] = byte_at(order[i]);
  return b;
}

std::string guid_text(const std::uint8_t* b) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "{%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x}", b[3], b[2], b[1],
                b[0], b[5], b[4], b[7], b[6], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
  return buf;
}

Error bad(const std::string& what) { return Error(Errc::invalid_argument, what); }

}  // namespace

std::optional<std::uint32_t> parse_type(std::string_view text) {
  text = trim_view(text);
  if (text.empty()) return std::nullopt;
  if (text[0] >= '0' && text[0] <= '9') return inf::parse_u32(text);
  constexpr std::string_view prefix = "DEVPROP_TYPE_";
  if (text.size() <= prefix.size() || !inf::iequals(text.substr(0, prefix.size()), prefix)) return std::nullopt;
  std::string_view rest = text.substr(prefix.size());
  for (const auto& t : kTypeNames) {
    if (inf::iequals(rest, t.name)) return t.type;
  }
  return std::nullopt;
}

std::string type_name(std::uint32_t type) {
  for (const auto& t : kTypeNames) {
    if (t.type == type) return std::string("DEVPROP_TYPE_") + t.name;
  }
  const std::uint32_t base = type & 0xFFF;
  for (const auto& t : kTypeNames) {
    if (t.type == base && (type & ~0xFFFu) == kArray) return std::string("DEVPROP_TYPE_") + t.name + "|DEVPROP_TYPEMOD_ARRAY";
  }
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%x", type);
  return buf;
}

std::string pid_key_name(std::uint32_t pid) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04X", pid);
  return buf;
}

std::string property_subkey(const Key& key) {
  return std::string(kPropertiesKey) + "\\" + key.fmtid + "\\" + pid_key_name(key.pid);
}

const Known* known_by_inf_name(std::string_view name) {
  name = trim_view(name);
  for (const auto& k : kKnown) {
    if (k.inf_name && inf::iequals(name, k.inf_name)) return &k;
  }
  return nullptr;
}

const Known* known_by_key(const Key& key) {
  for (const auto& k : kKnown) {
    if (k.pid == key.pid && key.fmtid == k.fmtid) return &k;
  }
  return nullptr;
}

Result<std::vector<std::uint8_t>> encode(std::uint32_t type, const std::vector<std::string>& values) {
  std::vector<std::uint8_t> out;
  const std::string first = values.empty() ? std::string() : std::string(trim_view(values[0]));
  switch (type) {
    case kString:
    case kStringIndirect:
    case kSecurityDescriptorString: {
      auto b = registry::encode_sz(values.empty() ? std::string() : values[0]);
      if (!b) return b.error();
      return std::move(*b);
    }
    case kStringList: {
      std::vector<std::string> items;
      for (const auto& v : values) {
        if (!v.empty()) items.push_back(v);
      }
      auto b = registry::encode_multi_sz(items);
      if (!b) return b.error();
      return std::move(*b);
    }
    case kBoolean: {
      // DEVPROP_TRUE is 0xFF, DEVPROP_FALSE 0; any other number counts as true.
      auto n = parse_int(first, 64, true);
      if (!n) {
        if (inf::iequals(first, "true")) n = 1;
        else if (inf::iequals(first, "false")) n = 0;
        else return bad("invalid boolean '" + first + "'");
      }
      out.push_back(*n ? 0xFF : 0x00);
      return out;
    }
    case kGuid: {
      auto g = guid_bytes(first);
      if (!g) return bad("invalid GUID '" + first + "'");
      return std::vector<std::uint8_t>(g->begin(), g->end());
    }
    case kBinary: {
      for (const auto& v : values) {
        auto b = inf::parse_hex_byte(v);
        if (!b) return bad("invalid byte '" + v + "'");
        out.push_back(*b);
      }
      return out;
    }
    default: break;
  }
  const std::uint32_t base = type & 0xFFF;
  const bool array = (type & ~0xFFFu) == kArray;
  const unsigned bits = int_bits(base);
  if (bits && ((type & ~0xFFFu) == 0 || array)) {
    if (!array && values.size() > 1) return bad("a " + type_name(type) + " property takes one value");
    for (const auto& v : values) {
      auto n = parse_int(v, bits, is_signed(base));
      if (!n) return bad("invalid number '" + std::string(trim_view(v)) + "' for " + type_name(type));
      put_le(out, *n, bits);
    }
    if (values.empty()) return bad("a " + type_name(type) + " property needs a value");
    return out;
  }
  return Error(Errc::unsupported, "property type " + type_name(type) + " cannot be set from an INF by isodrv");
}

std::vector<std::string> decode(std::uint32_t type, const std::vector<std::uint8_t>& data) {
  switch (type) {
    case kString:
    case kStringIndirect:
    case kSecurityDescriptorString:
      if (auto s = registry::decode_sz(data)) return {*s};
      break;
    case kStringList:
      if (auto s = registry::decode_multi_sz(data)) return *s;
      break;
    case kBoolean:
      if (data.size() == 1) return {data[0] ? "true" : "false"};
      break;
    case kGuid:
      if (data.size() == 16) return {guid_text(data.data())};
      break;
    default: {
      const std::uint32_t base = type & 0xFFF;
      const unsigned bits = int_bits(base);
      if (bits && type == base && data.size() == bits / 8) {
        std::uint64_t v = 0;
        for (std::size_t i = 0; i < data.size(); ++i) v |= static_cast<std::uint64_t>(data[i]) << (8 * i);
        if (is_signed(base) && bits < 64 && (v >> (bits - 1)) & 1) return {std::to_string(static_cast<std::int64_t>(v | (~0ULL << bits)))};
        if (is_signed(base) && bits == 64) return {std::to_string(static_cast<std::int64_t>(v))};
        return {std::to_string(v)};
      }
    }
  }
  std::string hex;
  char buf[4];
  for (auto b : data) {
    std::snprintf(buf, sizeof buf, "%02x", b);
    if (!hex.empty()) hex += ',';
    hex += buf;
  }
  return {hex};
}

}  // namespace isodrv::package::devprop
