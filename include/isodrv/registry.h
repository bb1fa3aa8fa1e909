// The emulated Windows registry: a hierarchical key/value store in one SQLite database, with
// handles confined to a subtree, transactions, and .reg (REGEDIT5 / REGEDIT4) import and export.
#pragma once

#include <cstdint>
#include <optional>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "isodrv/reg_types.h"
#include "isodrv/result.h"

struct sqlite3;  // the connection type, for Registry::connection()

namespace isodrv::registry {

// Value types (ValueType, kRegSz …) are declared in isodrv/reg_types.h.

// "REG_SZ" …, or an empty view for a type without a name.
std::string_view type_name(std::uint32_t type);
// The type for "REG_SZ" … (case-insensitive); false when unknown.
bool parse_type_name(std::string_view name, std::uint32_t& type);

// Limits Windows applies.
inline constexpr std::size_t kMaxKeyNameChars = 255;     // one key name component, UTF-16 units
inline constexpr std::size_t kMaxKeyPathChars = 32767;   // a whole relative path, UTF-16 units
inline constexpr std::size_t kMaxValueNameChars = 16383; // a value name, UTF-16 units

// A value's type and its bytes exactly as Windows stores them (strings UTF-16LE with their NUL).
struct Value {
  std::uint32_t type = kRegNone;
  std::vector<std::uint8_t> data;
  bool operator==(const Value&) const = default;
};

struct NamedValue {
  std::string name;  // UTF-8; empty for the default value
  Value value;
};

// Byte encoders and decoders for the typed helpers. Strings are UTF-8 on our side.
Result<std::vector<std::uint8_t>> encode_sz(std::string_view utf8);  // UTF-16LE + NUL
Result<std::vector<std::uint8_t>> encode_multi_sz(const std::vector<std::string>& strings);
std::vector<std::uint8_t> encode_dword(std::uint32_t v);             // little-endian
std::vector<std::uint8_t> encode_dword_big_endian(std::uint32_t v);
std::vector<std::uint8_t> encode_qword(std::uint64_t v);
// Decoding tolerates a missing terminating NUL, as RegGetValue does.
Result<std::string> decode_sz(const std::vector<std::uint8_t>& data);
Result<std::vector<std::string>> decode_multi_sz(const std::vector<std::uint8_t>& data);
// A REG_DWORD (little-endian) or REG_DWORD_BIG_ENDIAN value of exactly four bytes; nullopt otherwise.
std::optional<std::uint32_t> decode_dword(const Value& v);

// Relative key paths ("a\b\c") are checked by this one function everywhere: no empty path, no
// leading, trailing or doubled '\', no "." or ".." component, no NUL, valid UTF-8, each component
// at most kMaxKeyNameChars and the whole at most kMaxKeyPathChars UTF-16 units. Returns the
// components.
Result<std::vector<std::string>> split_relative_path(std::string_view rel);

// The case-folded form used to compare key and value names (see docs/registry.md).
std::string fold_name(std::string_view utf8);

// What opening a key does when the key (or one on its path) is missing: open_always creates it,
// open_existing fails with Errc::not_found. The values are cfgmgr32's RegDisposition_OpenAlways /
// _OpenExisting, which the state API (api::Disposition) takes as they are.
enum class Disposition { open_always = 0, open_existing = 1 };

namespace detail {
struct Impl;
}

// 100-ns intervals since 1601-01-01 UTC, like FILETIME.
using FileTime = std::uint64_t;

struct Options {
  // Clock for last-write times; the system clock when empty. Tests inject a fixed one.
  std::function<FileTime()> clock;
};

class Registry;

// An open key. It reaches only its own subtree; after the key is deleted (by any handle) every
// operation returns Errc::key_deleted. Copyable; copies refer to the same key.
class KeyHandle {
 public:
  KeyHandle() = default;

  // Full path with the root's long name and each name as stored: "HKEY_LOCAL_MACHINE\SYSTEM\…".
  const std::string& path() const { return path_; }
  // The last component of path().
  std::string name() const;
  bool valid() const { return impl_ != nullptr; }

  // A read-only handle refuses every change through it with Errc::access_denied: setting or
  // deleting values, creating subkeys (open_subkey with create, even of an existing key) and
  // deleting keys. Subkeys opened below it are read-only too. Reading is unaffected, and other
  // handles to the same key keep their own access (the way a KEY_READ handle behaves on Windows).
  bool read_only() const { return read_only_; }
  // A read-only copy of this handle.
  KeyHandle as_read_only() const {
    KeyHandle h = *this;
    h.read_only_ = true;
    return h;
  }

  // `rel` is checked by split_relative_path. Disposition::open_always creates missing keys (and
  // updates the parents' last-write times).
  Result<KeyHandle> open_subkey(std::string_view rel, Disposition disposition = Disposition::open_existing) const;
  // Whether the key this handle names still exists.
  bool exists() const;

  // Values. `name` "" is the default value. Setting an existing value keeps its spelling and position.
  Status set_value(std::string_view name, const Value& value) const;
  Status set_value(std::string_view name, std::uint32_t type, std::vector<std::uint8_t> data) const;
  Status set_string(std::string_view name, std::string_view utf8, std::uint32_t type = kRegSz) const;
  Status set_dword(std::string_view name, std::uint32_t v) const;
  Status set_qword(std::string_view name, std::uint64_t v) const;
  Status set_multi_sz(std::string_view name, const std::vector<std::string>& strings) const;
  Status set_binary(std::string_view name, std::vector<std::uint8_t> bytes) const;
  // Errc::not_found when the value does not exist.
  Result<Value> query_value(std::string_view name) const;
  Result<std::string> get_string(std::string_view name) const;    // SZ or EXPAND_SZ
  Result<std::uint32_t> get_dword(std::string_view name) const;   // DWORD (LE or BE)
  Result<std::uint64_t> get_qword(std::string_view name) const;
  Result<std::vector<std::string>> get_multi_sz(std::string_view name) const;
  Status delete_value(std::string_view name) const;  // Errc::not_found when absent

  // Subkey names as stored, in case-insensitive order (the order Windows enumerates them).
  Result<std::vector<std::string>> enum_subkeys() const;
  // Values in the order they were first created (the order Windows enumerates them).
  Result<std::vector<NamedValue>> enum_values() const;
  Result<FileTime> last_write_time() const;

  // Deletes this key with all its subkeys and values. Predefined keys (hive roots and the keys
  // listed in docs/registry.md) cannot be deleted: Errc::access_denied.
  Status delete_tree() const;
  // Deletes the subkey `rel` (recursively); Errc::not_found when absent.
  Status delete_subkey(std::string_view rel) const;

 private:
  friend class Registry;
  friend struct detail::Impl;
  std::shared_ptr<detail::Impl> impl_;
  std::int64_t id_ = 0;
  std::int64_t gen_ = 0;
  std::string path_;
  bool read_only_ = false;
};

// A group of changes that commits whole or not at all. Nestable: an inner transaction is a
// savepoint of the outer one. Destroyed while active → rolled back. Inner transactions must end
// before outer ones.
class Transaction {
 public:
  Transaction() = default;
  Transaction(Transaction&& o) noexcept;
  Transaction& operator=(Transaction&& o) noexcept;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();

  Status commit();
  Status rollback();
  bool active() const { return impl_ != nullptr; }

 private:
  friend class Registry;
  std::shared_ptr<detail::Impl> impl_;
  int depth_ = 0;
};

enum class RegFormat { regedit5, regedit4 };

class Registry {
 public:
  // Opens (creating if needed) the database at `db_path` in WAL mode and creates the predefined keys.
  static Result<Registry> open(const std::string& db_path, Options options = {});
  // The database of a store root: <root>/registry.db (directories created as needed).
  static Result<Registry> open_root(const std::string& root, Options options = {});

  // `path` starts with a root: HKEY_LOCAL_MACHINE / HKLM, HKEY_USERS / HKU, and the aliases
  // HKEY_CLASSES_ROOT / HKCR, HKEY_CURRENT_USER / HKCU, HKEY_CURRENT_CONFIG / HKCC (case-insensitive).
  // The rest is checked by split_relative_path.
  // Disposition::open_always creates the missing keys below the root.
  Result<KeyHandle> open_key(std::string_view path, Disposition disposition = Disposition::open_existing) const;
  // Deletes the key at `path` recursively; Errc::not_found when absent.
  Status delete_key(std::string_view path) const;

  Result<Transaction> begin() const;

  // .reg export of the key and its whole subtree, as file bytes (REGEDIT5: UTF-16LE with BOM;
  // REGEDIT4: Windows-1252). CRLF line ends.
  Result<std::string> export_reg(const KeyHandle& key, RegFormat format = RegFormat::regedit5) const;
  // Imports a .reg file's bytes in one transaction; `file_name` names it in errors ("file:line: …").
  Status import_reg(std::string_view bytes, std::string_view file_name = "<input>") const;

  // The SQLite connection behind this registry, for an engine that keeps its own tables in the same
  // database and must commit them together with registry changes (devinst's install records).
  // Statements run on it join the open Transaction. The registry owns it: never close it, and
  // finalize every statement prepared on it before the Registry goes away.
  ::sqlite3* connection() const;

 private:
  std::shared_ptr<detail::Impl> impl_;
};

}  // namespace isodrv::registry
