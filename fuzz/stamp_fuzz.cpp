// libFuzzer target for `stamp`: whatever the input, a successful stamp gives a file that parses
// (when the input did) and that a second stamp with the same options leaves byte-identical.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "isodrv/inf.h"
#include "isodrv/stamp.h"

using namespace isodrv;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const std::uint8_t sel = size ? data[size - 1] : 0;
  stamp::StampOptions o;
  o.path = "fuzz.inf";
  if (sel & 1) o.date = stamp::Date{2024, 2, 29};
  if (sel & 2) o.version = "10.0.1.65535";
  if (sel & 4) o.catalog = "fuzz.cat";
  if (sel & 8) o.arch = inf::Arch::arm64;
  if (sel & 16) o.kmdf = stamp::WdfVersion{1, 33, 0, false};
  if (sel & 32) o.umdf = stamp::WdfVersion{2, 33, 1, true};
  if (sel & 64) o.section = "Strings";
  if (!o.date && !o.version && !o.catalog) o.date = stamp::Date{2001, 1, 1};

  auto first = stamp::stamp(bytes, o);
  if (!first.ok()) return 0;
  inf::ParseOptions popts;
  popts.require_signature = false;
  const bool input_parses = inf::Document::parse(bytes, "fuzz.inf", popts).ok();
  if (input_parses && !inf::Document::parse(first->bytes, "fuzz.inf", popts).ok()) __builtin_trap();
  auto second = stamp::stamp(first->bytes, o);
  if (!second.ok()) __builtin_trap();                 // stamped output is stampable again
  if (second->bytes != first->bytes) __builtin_trap();  // stamp(stamp(x)) == stamp(x)
  return 0;
}
