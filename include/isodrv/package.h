// The meaning of an INF as a driver package: payload files with their source and destination,
// the catalog, and the package hash that names its FileRepository folder (DESIGN.md §2).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <deque>
#include <optional>
#include <span>
#include <stdexcept>
#include <string_view>
#include <string>
#include <utility>
#include <vector>

#include "isodrv/inf.h"
#include "isodrv/inf_arena.h"
#include "isodrv/reg_types.h"

namespace isodrv::package {

// A vector that keeps its first N elements inline: the model's per-record lists (a Models
// entry's IDs, a list section's users) nearly always hold one or two, and a std::vector per record
// cost an allocation each. Past N every element moves to the heap vector. Reads as a vector does.
template <class T, std::size_t N>
class InlineVector {
 public:
  using value_type = T;
  using const_iterator = const T*;
  void push_back(T v) {
    if (size_ < N && heap_.empty()) {
      inline_[size_++] = std::move(v);
      return;
    }
    if (heap_.empty()) heap_.assign(inline_.begin(), inline_.begin() + static_cast<std::ptrdiff_t>(size_));
    heap_.push_back(std::move(v));
    ++size_;
  }
  void reserve(std::size_t n) {
    if (n > N) heap_.reserve(n);
  }
  void clear() {
    heap_.clear();
    size_ = 0;
  }
  template <class It>
  void assign(It first, It last) {
    clear();
    for (; first != last; ++first) push_back(T(*first));
  }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const_iterator begin() const { return heap_.empty() ? inline_.data() : heap_.data(); }
  const_iterator end() const { return begin() + size_; }
  const T& operator[](std::size_t i) const { return begin()[i]; }
  const T& front() const { return begin()[0]; }
  const T& at(std::size_t i) const {
    if (i >= size_) throw std::out_of_range("InlineVector::at");
    return begin()[i];
  }

 private:
  std::array<T, N> inline_{};
  std::vector<T> heap_;  // every element once there are more than N
  std::size_t size_ = 0;
};

// A file the package carries, resolved through SourceDisksNames/SourceDisksFiles for one arch.
struct PayloadFile {
  std::string name;           // file name as listed in SourceDisksFiles
  std::string relative_path;  // '/'-separated path below the INF's folder (disk path, subdir, name)
  std::string disk_id;
  std::string subdir;         // SourceDisksFiles subdir as written ('\' separators)
  std::string disk_path;      // SourceDisksNames path as written
  inf::Line line;             // the SourceDisksFiles line that lists it
  bool decorated = false;     // came from SourceDisksFiles.<arch>
};

// Files listed for `arch`: SourceDisksFiles.<arch> entries win over undecorated ones of the same name.
std::vector<PayloadFile> payload_files(const inf::Document& doc, inf::Arch arch);

// The catalog the INF names for `arch` (CatalogFile.NT<arch>, then CatalogFile.NT, then CatalogFile).
std::optional<std::string> catalog_file(const inf::Document& doc, inf::Arch arch);

// Normalises a relative package path: '\' to '/', no leading separator, no "." parts. Returns
// nullopt for paths that are absolute, carry a drive letter or climb out with "..".
std::optional<std::string> normalize_relative_path(std::string_view path);

// The 16-hex-digit package hash of DESIGN.md §2 when the INF and every staged file are present
// in `inf_dir`; nullopt when a file is missing.
std::optional<std::string> package_hash(const inf::Document& doc, const std::string& inf_dir, inf::Arch arch);

// A file found below a package folder: its host path, after refusing paths that leave the folder.
struct LocatedFile {
  std::string relative_path;  // lower-case-insensitive match, '/'-separated, as recorded
  std::string host_path;
};
// Finds `relative_path` below `dir` case-insensitively (as Windows would). Refuses, with
// Errc::path_escape, a path whose resolved location (symbolic links followed) leaves `dir`.
Result<LocatedFile> locate_package_file(const std::string& dir, const std::string& relative_path);

// The names in folders, each folder read once and kept while the object lives (one check run).
// Listing the INF's folder once per INF made a flat folder of 14,000 INFs cost the square of
// that; with this, a folder costs one listing whatever the number of INFs in it. Thread-safe.
class FolderNames {
 public:
  // Whether `dir` ("" = ".") has an entry named `name`, ASCII case-insensitively, as Windows
  // would find it. An unreadable folder has no entries.
  bool contains(const std::string& dir, std::string_view name);

 private:
  struct Listing;
  static constexpr std::size_t kKeptFolders = 4096;
  std::shared_ptr<const Listing> listing(const std::string& dir);
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<const Listing>> folders_;
};

// SHA-256 of a file or of bytes, as 64 lower-case hex digits.
std::optional<std::string> sha256_file(const std::string& path);
std::string sha256_hex(std::string_view bytes);

// "C:\Windows\System32\DriverStore\FileRepository\<inf>_<arch>_<hash16>".
std::string driver_store_folder_name(std::string_view inf_file_name, inf::Arch arch, std::string_view hash16);
std::string driver_store_path(std::string_view inf_file_name, inf::Arch arch, std::string_view hash16);

// A DiridContext for an INF read from a path on this machine: %1% is its folder as given, %13% the
// FileRepository folder it would be staged into (hash of present files, else all zeros).
inf::DiridContext dirids_for_file(const inf::Document& doc, const std::string& path, inf::Arch arch);

// ---------------------------------------------------------------------------------------------
// The package model: what every reachable install section does, computed once and read by both
// `check` and the install engine. Every record keeps the INF line it came from.
// ---------------------------------------------------------------------------------------------

// What an install-type section is, which decides what HKR means inside it.
enum class SectionRole : std::uint8_t {
  ddinstall,          // [X] / [X.NTamd64]: HKR = software key
  hw,                 // [X.HW]: HKR = hardware key (Device Parameters; property names go to the devnode)
  services,           // [X.Services]
  interfaces,         // [X.Interfaces]
  coinstallers,       // [X.CoInstallers]: HKR = software key
  events, components, software, filters, wmi, com, wdf, factdef, logconfigoverride,
  service_install,    // AddService's 3rd field: HKR = Services\<name>
  eventlog_install,   // AddService's 4th field: HKR = the EventLog key
  add_interface,      // AddInterface's 3rd field: HKR = the interface's device key
  class_install,      // [ClassInstall32…]: HKR = the class key
  interface_install,  // InterfaceInstall32 install-interface-section: HKR = the interface-class key
  default_install,    // [DefaultInstall…]: HKR not allowed
  default_uninstall,  // [DefaultUninstall…] (legacy: PnP never runs it; LegacyUninstall=1 says so)
  remove,             // [X.Remove] of a network-class DDInstall: run when the component is removed
  other,
};
std::string_view section_role_name(SectionRole r);

// The sub-sections of a DDInstall, declared once: the model walks them in this order (DefaultInstall
// and ClassInstall32 have only .Services), the install engine applies those with an install_step in
// step order (0: reported, not applied), and rules name a role's sub-section by its suffix.
struct Subsection {
  std::string_view suffix;
  SectionRole role;
  std::uint8_t install_step;
};
inline constexpr Subsection kSubsections[] = {
    {".HW", SectionRole::hw, 1},
    {".Services", SectionRole::services, 3},
    {".Interfaces", SectionRole::interfaces, 4},
    {".CoInstallers", SectionRole::coinstallers, 2},
    {".Events", SectionRole::events, 8},
    {".Components", SectionRole::components, 6},
    {".Software", SectionRole::software, 7},
    {".Filters", SectionRole::filters, 9},
    {".WMI", SectionRole::wmi, 0},
    {".COM", SectionRole::com, 0},
    {".Wdf", SectionRole::wdf, 5},
    {".FactDef", SectionRole::factdef, 0},
    {".LogConfigOverride", SectionRole::logconfigoverride, 0},
    // Network-class components: what Windows runs when the component is removed.
    {".Remove", SectionRole::remove, 0},
    {".Remove.Services", SectionRole::services, 0},
};
// The suffix of the first sub-section with role `r` (".Services" for services); "" when none.
constexpr std::string_view subsection_suffix(SectionRole r) {
  for (const auto& s : kSubsections) {
    if (s.role == r) return s.suffix;
  }
  return {};
}

// Where HKR points for a registry section referenced from a section of this role.
enum class HkrBinding : std::uint8_t {
  software_key, device_parameters, service_key, eventlog_key, interface_key, class_key,
  interface_class_key, none,
};
std::string_view hkr_binding_name(HkrBinding b);
HkrBinding hkr_binding_for(SectionRole role);

// Names a .HW section's HKR entries (empty subkey) may write that are device properties: they live
// on the device's Enum instance key itself, not in Device Parameters (registry-layout.md §2).
inline constexpr std::string_view kDevnodePropertyNames[] = {
    "FriendlyName",        "UpperFilters",     "LowerFilters",
    "DeviceCharacteristics", "DeviceType",     "Security",
    "Exclusive",           "EnumPropPages32",  "LocationInformationOverride",
    "ResourcePickerTags",  "ResourcePickerExceptions",
};
bool is_devnode_property(std::string_view value_name);

// A document section index that names no section (InstallSection / SectionReference::doc_section).
inline constexpr std::uint32_t kNoDocSection = static_cast<std::uint32_t>(-1);

// An install-type section reached from the Models sections (or DefaultInstall / ClassInstall32).
struct InstallSection {
  std::string_view name;  // as spelled in the file (the section header; the package arena when absent)
  std::string_view base;  // undecorated DDInstall name ("" for nested sections)
  SectionRole role = SectionRole::other;
  std::optional<inf::Arch> arch;  // from a .NT<arch> decoration
  bool exists = false;
  inf::Line reference;    // the line that references it (Models entry or directive); invalid for roots
  bool has_reference = false;
  // Its document section (doc->section_at), kNoDocSection when it does not exist.
  std::uint32_t doc_section = kNoDocSection;
  std::string_view service;  // for service_install / eventlog_install: the service name
  // The root this section was reached from (a DDInstall variant such as [X.NTamd64], DefaultInstall,
  // ClassInstall32 or an InterfaceInstall32 target): its own index for roots. Sections reached from
  // different roots of the same base are alternatives that never install together.
  std::size_t root = 0;
  // Reached from a removal root ([DefaultUninstall…], [X.Remove], [X.Remove.Services]): what it does
  // undoes an install, so removal directives are its purpose rather than a finding.
  bool removal = false;
  // The target OS of its root (index into Package::targets; npos when none is declared).
  std::size_t target = static_cast<std::size_t>(-1);
  // Its operations: Package::operations[first_op, first_op + op_count), in apply order.
  std::uint32_t first_op = 0, op_count = 0;
};

// A target OS the INF declares: a Models decoration, or the decoration of a DefaultInstall /
// DefaultUninstall variant. "NTamd64.10.0...25952"; "NT" for an undecorated section.
struct TargetOs {
  // A view of the document (a section name's decoration), of a parsed Models decoration the
  // Package owns (Package::model_decorations), or of a literal.
  std::string_view decoration;
  // Used only on systems older than the build where /w is enforced (InfVerif's /wbuild, default
  // 10.0.17763): another decoration of the same line or install section takes over from there.
  bool downlevel = false;
  // The highest build on which this decoration is the one used: a newer alternative of the same
  // Manufacturer line or install section takes over from its build on (InfVerif /h checks each
  // Models section with the rules of this build). UINT32_MAX: no alternative replaces it.
  std::uint32_t last_build = 0;
};

// One directive line (key = value list) inside an install-type section.
struct Directive {
  inf::Line line;
  std::string_view name;       // e.g. "CopyFiles", as written
  std::size_t section = 0;     // index into Package::sections
};

// A section that a directive names (CopyFiles=Foo, AddReg=Bar …).
struct SectionReference {
  inf::Line line;              // the directive line
  std::size_t field = 0;       // which field names it
  std::string_view directive;  // "AddReg"
  std::string_view target;     // the section name referenced (trimmed, substituted)
  bool exists = false;
  std::uint32_t doc_section = kNoDocSection;  // the section it names, when it exists
};

enum class RegOpKind : std::uint8_t { add, del, bit };

// One AddReg/DelReg/BitReg entry with its root bound for the section that referenced it.
struct RegOp {
  RegOpKind kind = RegOpKind::add;
  inf::Line line;              // the entry in the registry section
  std::string_view reg_section;  // the AddReg/DelReg section name (a view into the document)
  std::size_t context = 0;     // index into Package::sections of the install section using it
  HkrBinding binding = HkrBinding::none;
  std::string_view root;       // HKR, HKLM, HKCU, HKCR, HKU (upper case), or as written when unknown
  std::string_view subkey;
  std::optional<std::string_view> value_name;  // nullopt when the field is absent
  std::string_view flags_text;
  std::optional<std::uint32_t> flags;     // nullopt when flags_text is not a number
  std::uint32_t reg_type = 1;             // REG_* value type derived from flags (AddReg)
  // A .HW entry (HKR, empty subkey) naming a device property: written to the device's Enum
  // instance key, not to Device Parameters (kDevnodePropertyNames).
  bool devnode_property = false;
  // Fields after flags, substituted, and the same unsubstituted (views into the document): spans
  // of Package::reg_fields, one vector for every entry instead of two per entry.
  std::span<const std::string_view> data;
  std::span<const std::string_view> raw_data;
};

// Flag bits (registry-layout.md §4.1).
namespace addreg {
inline constexpr std::uint32_t kBinValueType = 0x00000001;
inline constexpr std::uint32_t kNoClobber = 0x00000002;
inline constexpr std::uint32_t kDelVal = 0x00000004;
inline constexpr std::uint32_t kAppend = 0x00000008;
inline constexpr std::uint32_t kKeyOnly = 0x00000010;
inline constexpr std::uint32_t kOverwriteOnly = 0x00000020;
inline constexpr std::uint32_t k64BitKey = 0x00001000;
inline constexpr std::uint32_t kKeyOnlyCommon = 0x00002000;
inline constexpr std::uint32_t k32BitKey = 0x00004000;
inline constexpr std::uint32_t kDelRegBit = 0x00008000;
inline constexpr std::uint32_t kTypeMask = 0xFFFF0001;
inline constexpr std::uint32_t kTypeSz = 0x00000000;
inline constexpr std::uint32_t kTypeMultiSz = 0x00010000;
inline constexpr std::uint32_t kTypeExpandSz = 0x00020000;
inline constexpr std::uint32_t kTypeBinary = 0x00000001;
inline constexpr std::uint32_t kTypeDword = 0x00010001;
inline constexpr std::uint32_t kTypeNone = 0x00020001;
inline constexpr std::uint32_t kTypeQword = 0x000B0001;
inline constexpr std::uint32_t kDelStringMultiSz = 0x00018002;
// REG_* type for AddReg flags.
std::uint32_t value_type(std::uint32_t flags);
}  // namespace addreg

// What an AddReg entry's data fields mean for its value type (registry-layout.md §4.2): strings for
// REG_SZ / REG_EXPAND_SZ / REG_MULTI_SZ, a number for REG_DWORD / REG_QWORD given as one field, raw
// bytes otherwise (REG_BINARY, REG_NONE, custom types, and DWORD/QWORD written as bytes). The
// install engine encodes it; `check` rules may read it too.
struct AddRegData {
  std::uint32_t type = 1;                // REG_* value type
  std::vector<std::string> strings;      // SZ/EXPAND_SZ: one string; MULTI_SZ: each non-empty field
  std::optional<std::uint64_t> number;   // DWORD/QWORD written as one number
  std::vector<std::uint8_t> bytes;       // everything else: one hex byte per field
};
// Decodes op.data for op.reg_type; an error names the malformed field ("invalid number 'x'").
Result<AddRegData> addreg_data(const RegOp& op);

// A file copy: one entry of a copy-files section (or a CopyFiles=@file directive).
struct FileCopy {
  inf::Line line;              // the file-list entry, or the directive for @file
  inf::Line directive;         // the CopyFiles line
  std::string_view list_section;  // "" for @file
  std::size_t context = 0;     // index into Package::sections
  std::string_view dest_name, source_name;
  std::optional<std::uint32_t> flags;
  std::string_view flags_text;
  // Destination from DestinationDirs (the list's own entry, else DefaultDestDir).
  bool has_destination = false;
  bool from_default = false;
  inf::Line destination_line;
  long dirid = -2;             // -2: unknown / not a number
  std::string_view dirid_text;
  std::string_view dest_subdir;
  std::optional<PayloadFile> source;  // SourceDisksFiles entry for source_name
};

// Where the entries of a file list go: the list's own [DestinationDirs] entry, else DefaultDestDir
// (the one home for this resolution; FileCopy records its result, DelFiles/RenFiles rules call it).
struct ListDestination {
  inf::Line line;              // the DestinationDirs line
  bool from_default = false;
  long dirid = -2;             // -2: unknown / not a number
  std::string dirid_text;
  std::string subdir;
};
std::optional<ListDestination> list_destination(const inf::Document& doc, std::string_view list);

// One entry of a DelFiles or RenFiles list (install-semantics.md §4): the file it deletes, or the
// file it renames and the new name, in the list's destination folder.
enum class FileChangeKind : std::uint8_t { del, ren };
struct FileChange {
  FileChangeKind kind = FileChangeKind::del;
  inf::Line line;              // the list entry
  inf::Line directive;         // the DelFiles / RenFiles line
  std::string_view list_section;
  std::size_t context = 0;     // index into Package::sections
  std::string_view name;       // DelFiles: the file deleted; RenFiles: the new name (substituted, trimmed)
  std::string_view old_name;   // RenFiles: the file renamed
  std::optional<std::uint32_t> flags;  // DelFiles' DELFLG_* field
  std::optional<ListDestination> destination;
};

// The directives of a service-install section, the first line of each name: looked up
// case-insensitively and iterated in the order of their lower-case names, as the std::map keyed by
// lower-case copies that it replaces was, without a string per name. Names are views of the document.
class ServiceValues {
 public:
  using Entry = std::pair<std::string_view, inf::Line>;  // the name as written, its first line
  using const_iterator = std::vector<Entry>::const_iterator;
  // Adds `line` under `name` unless that name (in any case) is there already; true when added.
  bool add(std::string_view name, const inf::Line& line);
  // The entry named `name`, ASCII case-insensitively; end() when none.
  const_iterator find(std::string_view name) const;
  // Room for `n` names: the model reserves a section's line count once instead of growing by doubling.
  void reserve(std::size_t n) { entries_.reserve(n); }
  std::size_t count(std::string_view name) const { return find(name) == end() ? 0 : 1; }
  const_iterator begin() const { return entries_.begin(); }
  const_iterator end() const { return entries_.end(); }
  std::size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }

 private:
  std::vector<Entry> entries_;  // sorted by lower-case name
};

struct ServiceInstall {
  inf::Line directive;         // AddService line
  std::size_t context = 0;     // .Services section index
  std::string_view name;       // fields are substituted and trimmed, "" when absent
  std::optional<std::uint32_t> flags;
  std::string_view install_section, eventlog_section;
  bool install_exists = false;
  // service-install-section values (substituted when read), by directive name
  ServiceValues values;
  std::optional<std::uint32_t> service_type, start_type, error_control;
  std::string_view service_binary;  // substituted
  std::string_view service_binary_raw;
  std::string_view eventlog_type, event_name;  // AddService fields 5 and 6, "" when absent
  // The section's first DisplayName, Description, LoadOrderGroup and StartName (substituted,
  // trimmed) and the non-empty fields of its first Dependencies ("+Group" for a group).
  std::string_view display_name, description, load_order_group, start_name;
  std::vector<std::string_view> dependencies;
  // Package::sections indexes of its service-install and event-log-install sections (npos: none).
  std::size_t install_index = static_cast<std::size_t>(-1), eventlog_index = static_cast<std::size_t>(-1);
};

struct InterfaceInstall {
  inf::Line directive;         // AddInterface line
  std::size_t context = 0;
  std::string_view guid, reference, install_section;  // substituted, trimmed
  std::optional<std::uint32_t> flags;
  std::size_t install_index = static_cast<std::size_t>(-1);  // its add-interface section (npos: none)
};

// ---- Device properties: AddProperty / DelProperty (install-semantics.md §8) ----------------------

// DEVPROPTYPE values (devpropdef.h): a base type, optionally with the ARRAY or LIST modifier.
namespace devprop {
inline constexpr std::uint32_t kEmpty = 0x0, kNull = 0x1, kSbyte = 0x2, kByte = 0x3, kInt16 = 0x4, kUint16 = 0x5,
                               kInt32 = 0x6, kUint32 = 0x7, kInt64 = 0x8, kUint64 = 0x9, kFloat = 0xA, kDouble = 0xB,
                               kDecimal = 0xC, kGuid = 0xD, kCurrency = 0xE, kDate = 0xF, kFiletime = 0x10,
                               kBoolean = 0x11, kString = 0x12, kSecurityDescriptor = 0x13,
                               kSecurityDescriptorString = 0x14, kDevPropKey = 0x15, kDevPropType = 0x16,
                               kError = 0x17, kNtStatus = 0x18, kStringIndirect = 0x19;
inline constexpr std::uint32_t kArray = 0x1000, kList = 0x2000, kBinary = kByte | kArray,
                               kStringList = kString | kList;
// The registry value type a property is stored with: 0xFFFF0000 | DEVPROPTYPE, as PnP's own
// property store does under a key's "Properties" subkey.
inline constexpr std::uint32_t kRegTypeBase = 0xFFFF0000;
// AddProperty flags (FLG_ADDPROPERTY_*) and the DelProperty flag.
inline constexpr std::uint32_t kNoClobber = 0x1, kOverwriteOnly = 0x2, kAppend = 0x4, kOr = 0x8, kAnd = 0x10;
inline constexpr std::uint32_t kDelString = 0x4;  // FLG_DELPROPERTY_MULTI_SZ_DELSTRING

// A type written as a number (0x12) or a name (DEVPROP_TYPE_STRING, DEVPROP_TYPE_STRING_LIST …);
// nullopt for anything else.
std::optional<std::uint32_t> parse_type(std::string_view text);
// "DEVPROP_TYPE_STRING_LIST", or "0x…" for a type without a name.
std::string type_name(std::uint32_t type);
// The value bytes for a type from the INF's value fields; an error names the bad field.
Result<std::vector<std::uint8_t>> encode(std::uint32_t type, const std::vector<std::string>& values);
// The value as text for display: strings as they are, lists one element each, numbers in decimal,
// booleans as true/false, GUIDs braced, everything else as hex bytes.
std::vector<std::string> decode(std::uint32_t type, const std::vector<std::uint8_t>& data);

// A property key: fmtid as a braced lower-case GUID, and the property identifier.
struct Key {
  std::string fmtid;
  std::uint32_t pid = 0;
  bool operator==(const Key&) const = default;
};
// The DEVPKEY_* names this project knows (devpkey.h), with the INF property-name for the six
// driver-package names AddProperty accepts without a GUID (DeviceModel, DeviceVendorWebsite …).
struct Known {
  const char* devpkey;    // "DEVPKEY_DrvPkg_VendorWebSite"
  const char* inf_name;   // "DeviceVendorWebsite", or nullptr
  const char* fmtid;
  std::uint32_t pid;
  std::uint32_t type;
};
const Known* known_by_inf_name(std::string_view name);
const Known* known_by_key(const Key& key);
// The braced lower-case GUID; nullopt when `text` is not a GUID (the one parser is in src/inf).
using inf::normalize_guid;
// The registry subkey name of a pid under "Properties\{fmtid}": four hex digits [ND].
std::string pid_key_name(std::uint32_t pid);
// Where a property of a device, interface or class lives below that object's key:
// "Properties\\{fmtid}\\NNNN", its default value of type kRegTypeBase | DEVPROPTYPE [ND].
inline constexpr const char* kPropertiesKey = "Properties";
std::string property_subkey(const Key& key);
}  // namespace devprop

enum class PropertyOpKind : std::uint8_t { add, del };

// One entry of an add-property or del-property section, for the install section that named it.
struct PropertyOp {
  PropertyOpKind kind = PropertyOpKind::add;
  inf::Line line;               // the entry
  std::string_view prop_section;  // the AddProperty/DelProperty section name (a view into the document)
  std::size_t context = 0;      // index into Package::sections
  std::string name;             // the property-name form ("DeviceVendorWebsite"); "" for the GUID form
  devprop::Key key;
  std::uint32_t type = 0;
  std::uint32_t flags = 0;
  std::vector<std::string> values;  // value fields, substituted
  std::string error;            // why the entry cannot be applied ("" when it can)
};

// [DDInstall.Wdf] (install-semantics.md §6): a KmdfService / UmdfService line with the values of
// its wdf-service-install section, and the section's device-level Umdf* directives.
struct WdfService {
  inf::Line directive;         // the KmdfService / UmdfService line
  std::size_t context = 0;     // the .Wdf section's index
  bool umdf = false;
  std::string name, install_section;
  bool install_exists = false;
  std::string library_version; // KmdfLibraryVersion / UmdfLibraryVersion
  std::string service_binary;  // substituted (UMDF)
  std::string service_binary_raw;
  inf::Line service_binary_line;
  // Every entry of the section in order (name as written, substituted fields), including the two above.
  std::vector<std::pair<std::string, std::vector<std::string>>> values;
};
struct WdfSetting {
  inf::Line line;              // e.g. UmdfServiceOrder = A, B
  std::size_t context = 0;
  std::string name;            // as written
  std::vector<std::string> values;  // substituted, trimmed
};

// ---- Operations: what each install section does, in the order the install applies it ----------

// DelService = name[,flags[,EventLogType[,EventName]]] (install-semantics.md §6).
struct ServiceDelete {
  inf::Line directive;
  std::size_t context = 0;
  std::string_view name;       // substituted, trimmed
  std::optional<std::uint32_t> flags;  // nullopt when the field is not a number
  std::string_view flags_text;
  std::string_view eventlog_type, event_name;  // "" when absent
};

// One directive of an install section as the install applies it. A list directive naming several
// sections (AddReg = A, B) gives one operation per section named, in field order; Needs and
// Include one per section or INF named. Everything a handler needs was parsed by the model: the
// records in [first, first + count) of the vector its directive fills (Package::regs for
// AddReg/DelReg/BitReg, copies for CopyFiles, file_changes for DelFiles/RenFiles, properties for
// AddProperty/DelProperty; one record of services, service_deletes, interfaces, wdf_services or
// wdf_settings for AddService, DelService, AddInterface, Kmdf/UmdfService, Umdf* settings).
struct Operation {
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);
  inf::Line line;               // the directive line
  std::string_view directive;   // its key as written (a view into the document)
  std::string_view target;      // the list section, "@file", needed section or included INF; trimmed
  std::size_t section = 0;      // Package::sections index of the install section holding the line
  // The install section it runs: Needs' section of this INF, AddService's service-install section,
  // AddInterface's add-interface section …; npos for none (a Needs of an included INF).
  std::size_t target_section = npos;
  std::size_t event_section = npos;  // AddService: its event-log-install section
  HkrBinding binding = HkrBinding::none;  // what HKR means for the registry entries it writes
  bool target_exists = true;    // the list section it names exists ("@file" targets always do)
  std::uint32_t first = 0, count = 0;
  std::size_t list = npos;      // Package::lists index of the list section it names (npos: none)
};

// ---- List sections: one entry per section, with the directives that name it ---------------------

// Which Package vector holds a list's entries.
enum class ListKind : std::uint8_t { regs, copies, file_changes, properties };

// A directive naming a list section (AddReg = X, CopyFiles = X …) and the records its use produced:
// [first, first + count) of the list kind's vector, bound as the install section holding it says.
struct ListUser {
  inf::Line line;              // the directive line
  std::size_t field = 0;       // the field that names the list
  std::string_view directive;  // its key as written (a view into the document)
  std::string_view target;     // the list as this directive names it (trimmed, substituted)
  std::size_t section = 0;     // Package::sections index of the install section holding it
  HkrBinding binding = HkrBinding::none;
  std::uint32_t first = 0, count = 0;
};

// A list section, one record however many directives name it, with those directives in the order
// the model reached them. Windows applies the list once per user, each time with that user's HKR,
// so the entries stay per user; a consumer that judges each entry line once reads the first
// user's entries (first_use) instead of removing duplicates itself.
struct ListSection {
  std::string_view name;       // as its section header spells it (a view into the document)
  std::size_t doc_section = 0; // index into the document's sections
  ListKind kind = ListKind::regs;
  InlineVector<ListUser, 1> users;  // never empty
};

// The hardware and compatible IDs of a Models entry, as views: nearly every entry lists one or two.
using IdList = InlineVector<std::string_view, 2>;

struct ModelEntry {
  inf::Line line;
  std::string_view models_section;
  std::string_view description;  // substituted key
  std::string_view install_base;  // undecorated DDInstall name
  IdList hardware_ids;  // field 2 (may be empty) and compatible IDs after it
  // The decoration of the Models section (nullptr: undecorated). Owned by the Package
  // (Package::model_decorations), one per Manufacturer line decoration, shared by the entries.
  const inf::OsDecoration* decoration = nullptr;
};

struct Package {
  const inf::Document* doc = nullptr;
  inf::Target target;
  std::vector<ModelEntry> models;
  // The parsed decorations of the [Manufacturer] lines, which ModelEntry::decoration points to
  // (each on the heap, so that the pointers survive this vector growing and the Package moving).
  std::vector<std::unique_ptr<inf::OsDecoration>> model_decorations;
  std::vector<InstallSection> sections;     // reachable install-type sections
  std::vector<Directive> directives;        // every directive in those sections
  std::vector<SectionReference> references; // every section a directive names
  std::vector<RegOp> regs;
  std::vector<FileCopy> copies;
  std::vector<FileChange> file_changes;     // DelFiles / RenFiles entries
  std::vector<ServiceInstall> services;
  std::vector<InterfaceInstall> interfaces;
  std::vector<PropertyOp> properties;       // AddProperty / DelProperty entries
  std::vector<WdfService> wdf_services;     // KmdfService / UmdfService lines of .Wdf sections
  std::vector<WdfSetting> wdf_settings;     // the other Umdf* directives of .Wdf sections
  std::vector<ServiceDelete> service_deletes;  // DelService lines
  // Every list section the walk applied (existing sections named by AddReg, DelReg, BitReg,
  // CopyFiles, DelFiles, RenFiles, AddProperty, DelProperty), once each, in first-use order.
  std::vector<ListSection> lists;
  // What every install section does, section by section (InstallSection::first_op / op_count).
  std::vector<Operation> operations;
  // The text of every substituted field the records hold (one written with a %strkey%); the
  // other fields are views of the document's text. Addresses stay put when the Package moves.
  inf::StringArena arena;
  // RegOp::data and RegOp::raw_data of every entry (the spans point into it).
  std::vector<std::string_view> reg_fields;
  std::vector<PayloadFile> payload;         // for the target architecture
  std::vector<std::string_view> includes;   // Include= INF names
  // Sections reached in any way (install sections, lists, models, well-known); lower-case names.
  std::vector<bool> section_used;           // indexed like doc->section_at(i)
  // Every target OS the package is evaluated for (all declared ones, or the one of an exact target).
  std::vector<TargetOs> targets;
  // Per document section: bit i set when the section is reached from a root of targets[i] (the
  // first 64 targets; a section reached from none of them has 0).
  std::vector<std::uint64_t> section_targets;
};

// The operations of install section `idx`, in apply order; Needs come last and expand through
// Operation::target_section (in the role, so with the HKR, of the section that needs them).
inline std::span<const Operation> operations_of(const Package& pkg, std::size_t idx) {
  const InstallSection& s = pkg.sections[idx];
  return std::span<const Operation>(pkg.operations).subspan(s.first_op, s.op_count);
}

// The entries of list `l` as its first user recorded them: each entry line of the list once.
// `records` is the vector of the list's kind (pkg.regs for ListKind::regs …).
template <class T>
std::span<const T> first_use(const std::vector<T>& records, const ListSection& l) {
  return std::span<const T>(records).subspan(l.users.front().first, l.users.front().count);
}
// The same for the first user that names the list through `directive` (AddReg's entries of a list
// that DelReg names too); empty when no directive of that name uses it (first_user: nullptr).
inline const ListUser* first_user(const ListSection& l, std::string_view directive) {
  for (const ListUser& u : l.users) {
    if (inf::iequals(u.directive, directive)) return &u;
  }
  return nullptr;
}
template <class T>
std::span<const T> first_use(const std::vector<T>& records, const ListSection& l, std::string_view directive) {
  const ListUser* u = first_user(l, directive);
  return u ? std::span<const T>(records).subspan(u->first, u->count) : std::span<const T>();
}

// The install section named `name` (case-insensitively) in role `role`, the first the model
// reached; nullopt when the model did not reach it.
std::optional<std::size_t> find_install_section(const Package& pkg, std::string_view name, SectionRole role);

// The target a finding in document section `section_index` concerns: the one target that reaches
// it when the INF declares several and not all of them reach it; nullptr otherwise.
const TargetOs* finding_target(const Package& pkg, std::size_t section_index);
// Whether every target that reaches the section is downlevel (/w isolation rules not enforced).
bool only_downlevel(const Package& pkg, std::size_t section_index);
// The highest build on which any target that reaches the document section uses it (UINT32_MAX for
// a section no decorated target reaches, or one some target uses on every later build).
std::uint32_t last_build_used(const Package& pkg, std::size_t section_index);
// The same over every target the package declares (UINT32_MAX when it declares none).
std::uint32_t last_build_used(const Package& pkg);
// Whether install section `idx` (index into Package::sections) belongs to a removal.
inline bool is_removal(const Package& pkg, std::size_t idx) { return pkg.sections[idx].removal; }

// Payload files the package stages: SourceDisksFiles entries (for the target arch) that some
// CopyFiles references, in SourceDisksFiles order (driver-store.md §2.3).
std::vector<PayloadFile> staged_payload(const Package& pkg);

// Builds the model of every install section reachable from [Manufacturer] (all decorations),
// DefaultInstall / DefaultUninstall (every platform and OS decoration), ClassInstall32 and
// InterfaceInstall32. With target.exact only what that OS would use: SetupAPI's best Models
// decoration per Manufacturer line and best variant per install section.
Package build_package(const inf::Document& doc, const inf::Target& target = {});

// Whether two install sections (indexes into pkg.sections) can be applied on one machine together:
// false for alternatives — other architectures, other decorations of one DDInstall, DDInstalls named
// only from Models sections of different decorations (OS versions).
bool sections_coinstall(const Package& pkg, std::size_t a, std::size_t b);

}  // namespace isodrv::package
