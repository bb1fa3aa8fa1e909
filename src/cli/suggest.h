// "Did you mean": the closest of a set of names to what was typed, by edit distance.
#pragma once

#include <string>
#include <vector>

namespace isodrv::cli {

// The candidate closest to `typed` (case-insensitive Damerau-Levenshtein distance), or "" when
// none is close enough to be a plausible typo (distance at most a third of the length, and 2 or less for short names).
std::string closest(const std::string& typed, const std::vector<std::string>& candidates);

}  // namespace isodrv::cli
