// DIRID paths on a default Windows installation on drive C:, from the one DIRID table
// (include/isodrv/dirids.h, spec/dirids.md).
#include "isodrv/dirids.h"

#include "isodrv/inf.h"

namespace isodrv::inf {

std::optional<std::string> dirid_path(long dirid, const DiridContext& ctx) {
  const DiridInfo* d = find_dirid(dirid);
  if (!d) return std::nullopt;
  switch (d->base) {
    case DiridBase::none: return std::nullopt;
    case DiridBase::empty: return std::string();  // DIRID_NULL / absolute
    case DiridBase::source: return ctx.src_path;
    case DiridBase::driver_store:
      if (!ctx.driver_store.empty()) return ctx.driver_store;
      return ctx.windows_dir + "\\System32\\DriverStore\\FileRepository";
    case DiridBase::windows: return ctx.windows_dir + std::string(d->suffix);
    case DiridBase::system_drive: return ctx.system_drive + std::string(d->suffix);
  }
  return std::nullopt;
}

}  // namespace isodrv::inf
