// Names and rendering of the library's error codes.
#include "isodrv/result.h"

namespace isodrv {

std::string_view errc_name(Errc code) {
  switch (code) {
    case Errc::ok: return "ERROR_SUCCESS";
    case Errc::file_not_found: return "ERROR_FILE_NOT_FOUND";
    case Errc::access_denied: return "ERROR_ACCESS_DENIED";
    case Errc::read_fault: return "ERROR_READ_FAULT";
    case Errc::expected_section_name: return "ERROR_EXPECTED_SECTION_NAME";
    case Errc::bad_section_name_line: return "ERROR_BAD_SECTION_NAME_LINE";
    case Errc::section_name_too_long: return "ERROR_SECTION_NAME_TOO_LONG";
    case Errc::general_syntax: return "ERROR_GENERAL_SYNTAX";
    case Errc::wrong_inf_style: return "ERROR_WRONG_INF_STYLE";
    case Errc::not_enough_memory: return "ERROR_NOT_ENOUGH_MEMORY";
    case Errc::invalid_argument: return "ERROR_INVALID_PARAMETER";
    case Errc::unsupported: return "ERROR_NOT_SUPPORTED";
    case Errc::io_error: return "ERROR_IO_DEVICE";
    case Errc::path_escape: return "ERROR_PATH_ESCAPE";
    case Errc::not_found: return "ERROR_NOT_FOUND";
    case Errc::already_exists: return "ERROR_ALREADY_EXISTS";
    case Errc::busy: return "ERROR_BUSY";
    case Errc::corrupt: return "ERROR_FILE_CORRUPT";
    case Errc::internal: return "ERROR_INTERNAL_ERROR";
    case Errc::key_deleted: return "ERROR_KEY_DELETED";
    case Errc::not_isolated: return "ERROR_DRIVER_PACKAGE_NOT_ISOLATED";
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
