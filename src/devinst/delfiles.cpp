// DelFiles=@file: Windows deletes the named file from the install's default destination folder.
#include "devinst/delfiles.h"

#include "base/text.h"

namespace isodrv::devinst {

std::optional<package::FileChange> single_file_delete(const inf::Document& doc, const inf::Line& directive,
                                                      std::string_view target) {
  const std::string field = base::trim(target);
  if (field.size() < 2 || field[0] != '@') return std::nullopt;
  package::FileChange c;
  c.kind = package::FileChangeKind::del;
  c.line = directive;
  c.directive = directive;
  c.name = base::trim(field.substr(1));
  c.destination = package::list_destination(doc, "");  // DefaultDestDir
  if (c.destination && !c.destination->from_default) c.destination.reset();
  return c;
}

}  // namespace isodrv::devinst
