// libFuzzer target for `.reg` import: any bytes either import or fail cleanly, and what imported
// survives export -> import into an empty registry -> export byte for byte.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "isodrv/registry.h"

using namespace isodrv::registry;

namespace {

// A fixed clock, so last-write times never make two exports differ.
Options fixed_clock() {
  Options o;
  o.clock = [] { return FileTime{0x01D9000000000000ull}; };
  return o;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto a = Registry::open(":memory:", fixed_clock());
  if (!a.ok()) __builtin_trap();
  if (!a->import_reg(bytes, "fuzz.reg").ok()) return 0;
  for (const char* root : {"HKEY_LOCAL_MACHINE", "HKEY_USERS"}) {
    auto key = a->open_key(root);
    if (!key.ok()) __builtin_trap();
    auto first = a->export_reg(*key);
    if (!first.ok()) continue;  // e.g. a key name with a line break, which a .reg file cannot hold
    auto b = Registry::open(":memory:", fixed_clock());
    if (!b.ok()) __builtin_trap();
    if (auto s = b->import_reg(*first, "export.reg"); !s.ok()) __builtin_trap();
    auto key_b = b->open_key(root);
    if (!key_b.ok()) __builtin_trap();
    auto second = b->export_reg(*key_b);
    if (!second.ok() || *second != *first) __builtin_trap();
  }
  return 0;
}
