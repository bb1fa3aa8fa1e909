// The meaning of an INF as a driver package: payload files with their source and destination,
// the catalog, and the package hash that names its FileRepository folder (DESIGN.md §2).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "isodrv/inf.h"

namespace isodrv::package {

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

// The 16-hex-digit package hash of DESIGN.md §2 when the INF and every payload file are present
// in `inf_dir`; nullopt when a file is missing.
std::optional<std::string> package_hash(const inf::Document& doc, const std::string& inf_dir, inf::Arch arch);

// "C:\Windows\System32\DriverStore\FileRepository\<inf>_<arch>_<hash16>".
std::string driver_store_folder_name(std::string_view inf_file_name, inf::Arch arch, std::string_view hash16);
std::string driver_store_path(std::string_view inf_file_name, inf::Arch arch, std::string_view hash16);

// A DiridContext for an INF read from a path on this machine: %1% is its folder as given, %13% the
// FileRepository folder it would be staged into (hash of present files, else all zeros).
inf::DiridContext dirids_for_file(const inf::Document& doc, const std::string& path, inf::Arch arch);

}  // namespace isodrv::package
