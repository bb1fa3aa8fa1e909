// Registry redirection for 32-bit entries of a 64-bit install (FLG_ADDREG_32BITKEY): the subset of
// "Registry Keys Affected by WOW64" (winprog64 docs) that an INF can reach.
#include "devinst/wow64.h"

#include "isodrv/inf.h"

namespace isodrv::devinst {
namespace {

constexpr const char* kNode = "WOW6432Node";

// Keys below HKLM\SOFTWARE that both views share (Windows 7 and later).
constexpr const char* kSharedSoftware[] = {
    "Classes",  // handled separately: only some of its subkeys are redirected
    "Microsoft\\COM3",
    "Microsoft\\EventSystem",
    "Microsoft\\Notepad\\DefaultFonts",
    "Microsoft\\OLE",
    "Microsoft\\RPC",
    "Microsoft\\Windows\\CurrentVersion\\Telephony\\Locations",
    "Microsoft\\Windows NT\\CurrentVersion\\Console",
    "Microsoft\\Windows NT\\CurrentVersion\\FontDpi",
    "Microsoft\\Windows NT\\CurrentVersion\\FontLink",
    "Microsoft\\Windows NT\\CurrentVersion\\FontMapper",
    "Microsoft\\Windows NT\\CurrentVersion\\Fonts",
    "Microsoft\\Windows NT\\CurrentVersion\\FontSubstitutes",
    "Microsoft\\Windows NT\\CurrentVersion\\Gre_Initialize",
    "Microsoft\\Windows NT\\CurrentVersion\\Image File Execution Options",
    "Microsoft\\Windows NT\\CurrentVersion\\LanguagePack",
    "Microsoft\\Windows NT\\CurrentVersion\\NetworkCards",
    "Microsoft\\Windows NT\\CurrentVersion\\Perflib",
    "Microsoft\\Windows NT\\CurrentVersion\\Ports",
    "Microsoft\\Windows NT\\CurrentVersion\\Print",
    "Microsoft\\Windows NT\\CurrentVersion\\ProfileList",
    "Microsoft\\Windows NT\\CurrentVersion\\Time Zones",
    "Policies",
    "RegisteredApplications",
};

// Subkeys of a Classes root that have a 32-bit copy (the COM registrations).
constexpr const char* kRedirectedClasses[] = {"CLSID", "DirectShow", "Interface", "Media Type", "MediaFoundation"};

// Whether `path` is `prefix` or lies below it (case-insensitive, whole components).
bool under(std::string_view path, std::string_view prefix) {
  if (path.size() < prefix.size() || !inf::iequals(path.substr(0, prefix.size()), prefix)) return false;
  return path.size() == prefix.size() || path[prefix.size()] == '\\';
}

// `rest` is the path below a Classes root: the COM keys get the 32-bit copy.
std::string classes_view(std::string_view classes, std::string_view rest) {
  std::string head = std::string(classes) + (classes.empty() ? "" : "\\");
  if (under(rest, kNode)) return head + std::string(rest);
  for (const char* k : kRedirectedClasses) {
    if (under(rest, k)) return head + kNode + "\\" + std::string(rest);
  }
  return head + std::string(rest);
}

}  // namespace

std::string wow64_32bit_subkey(std::string_view root, std::string_view subkey) {
  if (root == "HKCR") return classes_view("", subkey);
  const bool machine = root == "HKLM";
  if (!machine && root != "HKCU" && root != "HKU") return std::string(subkey);
  if (!under(subkey, "SOFTWARE")) return std::string(subkey);
  std::string_view below = subkey.size() > 8 ? subkey.substr(9) : std::string_view();
  if (under(below, "Classes")) {
    std::string_view rest = below.size() > 7 ? below.substr(8) : std::string_view();
    return classes_view(std::string(subkey.substr(0, 8)) + "\\" + std::string(below.substr(0, 7)), rest);
  }
  // Only the machine's SOFTWARE key has a WOW6432Node; a user's Software is shared but for Classes.
  if (!machine || below.empty() || under(below, kNode)) return std::string(subkey);
  for (const char* k : kSharedSoftware) {
    if (under(below, k)) return std::string(subkey);
  }
  return std::string(subkey.substr(0, 8)) + "\\" + kNode + "\\" + std::string(below);
}

}  // namespace isodrv::devinst
