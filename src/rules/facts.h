// Small per-document facts that several rule families of the package-kind checks read (extension,
// primitive, WDF, network, media): [Version] values, the class, GUID and identifier forms.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "isodrv/inf.h"
#include "rules/text.h"
#include "base/text.h"
#include "rules/util.h"

namespace isodrv::rules::facts {

using base::trim;

// A [Version] entry: its line and substituted, trimmed first field.
struct Value {
  inf::Line line;
  std::string text;
};
inline std::optional<Value> version_value(const inf::Document& doc, std::string_view key) {
  auto v = doc.section("Version");
  if (!v) return std::nullopt;
  auto l = v->find(key);
  if (!l) return std::nullopt;
  return Value{*l, util::trimmed_field(*l, 0)};
}

inline std::string version_class(const inf::Document& doc) {
  auto c = version_value(doc, "Class");
  return c ? c->text : std::string();
}

// The one GUID-form check (isodrv/inf_values.h).
using inf::is_braced_guid;

inline constexpr std::string_view kExtensionClassGuid = "{e2f84ce7-8efa-411c-aa69-97454ca4cb57}";

// The Extension setup class, by name or by its GUID (the rules read it once, from
// Context::facts().extension_inf).
inline bool is_extension_inf(const inf::Document& doc) {
  if (rules::iequals(version_class(doc), "Extension")) return true;
  auto g = version_value(doc, "ClassGuid");
  return g && rules::iequals(g->text, kExtensionClassGuid);
}

inline bool starts_with_ci(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && rules::iequals(s.substr(0, prefix.size()), prefix);
}
inline bool ends_with_ci(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && rules::iequals(s.substr(s.size() - suffix.size()), suffix);
}

// The last '\'-separated part of a path.
inline std::string_view file_part(std::string_view path) {
  auto p = path.find_last_of("\\/");
  return p == std::string_view::npos ? path : path.substr(p + 1);
}

// A stampinf token such as $ARCH$ or $UMDFVERSION$ (accepted as any value in .inx input).
inline bool has_stamp_token(std::string_view s) {
  auto a = s.find('$');
  return a != std::string_view::npos && s.find('$', a + 1) != std::string_view::npos;
}

}  // namespace isodrv::rules::facts
