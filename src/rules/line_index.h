// Per-document line facts several rule families read: which logical lines hold a character
// (the '%' of a token), found with one search of the text instead of one walk per family.
#pragma once

#include <vector>

#include "isodrv/inf.h"

namespace isodrv::rules {

// For every logical line (by Line::index()), whether the text of one of its physical lines
// (comments included) holds `c`: the answer util::line_text_has gives for each line, from one
// memchr pass over the document's text.
std::vector<bool> lines_holding(const inf::Document& doc, char c);

}  // namespace isodrv::rules
