// DelFiles=@file: Windows deletes the named file from the install's default destination folder.
#include "devinst/delfiles.h"

#include "base/text.h"

namespace isodrv::devinst {

std::optional<package::FileChange> single_file_delete(const inf::Document& doc, const inf::Line& directive,
                                                      std::string_view target) {
  // Views of `target` (the operation's, which lives as long as the package): FileChange holds views.
  const std::string_view field = base::trim_view(target);
  if (field.size() < 2 || field[0] != '@') return std::nullopt;
  package::FileChange c;
  c.kind = package::FileChangeKind::del;
  c.line = directive;
  c.directive = directive;
  c.name = base::trim_view(field.substr(1));
  c.destination = package::list_destination(doc, "");  // DefaultDestDir
  if (c.destination && !c.destination->from_default) c.destination.reset();
  return c;
}

}  // namespace isodrv::devinst
