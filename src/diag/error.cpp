// Names and rendering of the library's error codes.
#include "isodrv/result.h"

namespace isodrv {

std::string_view errc_name(Errc code) {
  switch (code) {
#define ISODRV_ERRC(id, name, exit, status) \
  case Errc::id: return name;
#include "isodrv/errc.def"
#undef ISODRV_ERRC
  }
  return "ERROR_INTERNAL_ERROR";
}

std::string Error::to_string() const {
  std::string out;
  if (!file.empty()) {
    out += file;
    if (line) out += ":" + std::to_string(line);
    out += ": ";
  }
  out += message;
  return out;
}

}  // namespace isodrv
