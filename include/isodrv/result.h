// The library's error type and Result<T>: a value or an error with a message and a source position.
// The library never prints or exits; callers render errors and choose exit codes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace isodrv {

// Library errors (not rule codes). Each has a stable name; the SetupAPI-derived ones use the
// names SetupAPI reports so that `inf dump` can show them verbatim.
// The rows are in isodrv/errc.def, with each code's exit code and NTSTATUS.
enum class Errc : std::uint8_t {
#define ISODRV_ERRC(id, name, exit, status) id,
#include "isodrv/errc.def"
#undef ISODRV_ERRC
};

// The SetupAPI-style name of an error (e.g. "ERROR_WRONG_INF_STYLE").
std::string_view errc_name(Errc code);

struct Error {
  Errc code = Errc::internal;
  std::string message;  // a full sentence without the file name
  std::string file;     // the file it concerns, if any
  std::uint32_t line = 0;  // 1-based, 0 when the error has no line

  Error() = default;
  Error(Errc c, std::string msg, std::string f = {}, std::uint32_t l = 0)
      : code(c), message(std::move(msg)), file(std::move(f)), line(l) {}
  // "file:line: message", omitting what is unknown.
  std::string to_string() const;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}
  Result(Error error) : v_(std::move(error)) {}

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &std::get<0>(v_); }
  const T* operator->() const { return &std::get<0>(v_); }
  T& operator*() & { return std::get<0>(v_); }
  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

// Result<void>.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : err_(std::move(error)), ok_(false) {}
  static Status success() { return Status(); }
  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { return err_; }

 private:
  Error err_;
  bool ok_ = true;
};

}  // namespace isodrv
