// DelFiles=@file: Windows deletes the named file from the install's default destination folder.
#include "devinst/delfiles.h"

#include "base/text.h"

namespace isodrv::devinst {

std::vector<package::FileChange> single_file_deletes(const inf::Document& doc, const inf::Line& directive) {
  std::vector<package::FileChange> out;
  for (std::size_t i = 0; i < directive.field_count(); ++i) {
    const std::string field = base::trim(directive.field(i));
    if (field.size() < 2 || field[0] != '@') continue;
    package::FileChange c;
    c.kind = package::FileChangeKind::del;
    c.line = directive;
    c.directive = directive;
    c.name = base::trim(field.substr(1));
    c.destination = package::list_destination(doc, "");  // DefaultDestDir
    if (c.destination && !c.destination->from_default) c.destination.reset();
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace isodrv::devinst
