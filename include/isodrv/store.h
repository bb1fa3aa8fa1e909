// The emulated driver store under a store root (DESIGN.md §2): staging packages into
// FileRepository folders, publishing oemN.inf, listing, safe removal, recovery and verification.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "isodrv/inf.h"
#include "isodrv/registry.h"
#include "isodrv/result.h"

namespace isodrv::store {

struct StagedPackage {
  std::int64_t id = 0;
  std::string published_name;  // oemN.inf
  std::string original_name;   // the INF's own file name
  std::string provider, class_name, class_guid;
  std::string version, date;   // from DriverVer
  std::string arch;            // amd64 …
  std::string folder;          // FileRepository folder name
  std::string hash16;
  bool isolated = true;        // false when staged with --allow-unisolated despite /w errors
  bool signed_ = false;        // catalogs are recorded, not verified (DESIGN.md §2)
  bool run_from_store = false; // some CopyFiles destination is DIRID 13
  std::int64_t devices = 0;    // devices installed from it
};

struct StagedFile {
  std::string relative_path;   // below the package folder, '/'-separated
  std::uint64_t size = 0;
  std::string sha256;          // lower-case hex
};

// Validates an INF as a Windows Driver (/w) for `arch`: its errors, each "file:line: message [code]".
// The store sits below the rules and never runs them; whoever stages supplies the validator
// (the CLI and the tests pass check::isolation_errors).
using Validator =
    std::function<std::vector<std::string>(std::string_view inf_bytes, const std::string& inf_path, inf::Arch arch)>;

struct AddOptions {
  inf::Arch arch = inf::Arch::amd64;
  bool allow_unisolated = false;
  Validator validate;  // required: add() refuses to stage without one
};

struct AddResult {
  StagedPackage package;
  bool already_staged = false;       // an identical package was already in the store
  std::vector<std::string> isolation_errors;  // /w errors found while validating (file:line: message [code])
};

struct VerifyProblem {
  std::string path;     // host path below the root, or a package name
  std::string message;
};

// The interface through which the store learns who uses a package: a view with one row
// (package_id) per user — a device running it, or a primitive driver's install. The install engine
// defines it over its own tables; without it no package has users.
inline constexpr const char* kPackageUsersView = "store_package_users";

// Points in a store operation where tests may simulate a crash (ISODRV_TEST_CRASH_POINT=name).
// "<op>:before-commit" and "<op>:committed" are the write funnel's (docs/store.md).
inline constexpr const char* kCrashPoints[] = {
    "stage:journal",  "stage:copied",   "stage:renamed", "stage:published", "stage:before-commit", "stage:committed",
    "delete:before-commit", "delete:committed", "delete:journal", "delete:removed-folder", "delete:removed-inf",
};

// Simulated crash for the kill-at-every-step tests: when $ISODRV_TEST_CRASH_POINT names this point
// the process is killed exactly as `kill -9` would, so nothing after it runs. Every write
// transaction (the store's and the device-install engine's, "devinst:…") has the write funnel's
// points: <op>:file-changed (after its first file change), <op>:before-commit, <op>:committed.
void crash_point(const char* name);

// Finishes whatever a dead process left below `root` — the store's journal and the write funnel's
// file journal — when the root has a database; creates nothing otherwise. Store::open runs it, and
// so does every other way into a store (open_registry, the API's sessions).
Status recover(const std::string& root);

// The registry of the store at `root`, opened after recover(root): what `reg`, `state`, `audit`
// and the API use, so that no command ever reads a half-finished operation.
Result<registry::Registry> open_registry(const std::string& root);

class Store {
 public:
  // Opens (creating if needed) the store at `root`, then recovers any half-finished operation.
  static Result<Store> open(const std::string& root);
  Store(Store&&) noexcept;
  Store& operator=(Store&&) noexcept;
  ~Store();

  const std::string& root() const;

  Result<AddResult> add(const std::string& inf_path, const AddOptions& opts);
  Result<std::vector<StagedPackage>> list() const;
  Result<StagedPackage> find(const std::string& published_name) const;
  Result<std::vector<StagedFile>> files(const std::string& published_name) const;
  // Removes a package. `unused_only`: refused while devices use it (unless the caller moved them
  // first); `force` removes it anyway, except a package with run-from-store files, as Windows does.
  enum class RemoveMode { unused_only, force };
  Status remove(const std::string& published_name, RemoveMode mode);
  // Every mismatch between database and files.
  Result<std::vector<VerifyProblem>> verify() const;

  // Host path of a package folder / the published INF.
  std::string folder_path(const StagedPackage& p) const;
  std::string published_inf_path(const StagedPackage& p) const;

  struct Impl;
  Impl& impl() { return *impl_; }

 private:
  explicit Store(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Host paths below a root (DESIGN.md §2).
std::string file_repository_dir(const std::string& root);
std::string inf_dir(const std::string& root);
std::string staging_dir(const std::string& root);
std::string database_path(const std::string& root);

}  // namespace isodrv::store
