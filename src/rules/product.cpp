// Lookups in a /product platform definition. The rules call them, so they live here; the loader
// that reads the definition from disk is check's (src/check/product.cpp), above the rules.
#include <algorithm>

#include "isodrv/rules.h"

namespace isodrv::rules {

const Product::Inf* Product::find(std::string_view inf_name) const {
  const std::string key = inf::to_lower_ascii(inf_name);
  auto it = std::lower_bound(infs.begin(), infs.end(), key,
                             [](const std::pair<std::string, Inf>& e, const std::string& k) { return e.first < k; });
  return it != infs.end() && it->first == key ? &it->second : nullptr;
}

}  // namespace isodrv::rules
