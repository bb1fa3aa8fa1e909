// DIRID paths on a default Windows installation on drive C:, from the one DIRID table
// (include/isodrv/dirids.h, spec/dirids.md).
#include "isodrv/dirids.h"

#include "isodrv/inf.h"

namespace isodrv::inf {

bool append_dirid_path(long dirid, const DiridContext& ctx, std::string& out) {
  const DiridInfo* d = find_dirid(dirid);
  if (!d) return false;
  switch (d->base) {
    case DiridBase::none: return false;
    case DiridBase::empty: return true;  // DIRID_NULL / absolute
    case DiridBase::source: out.append(ctx.src_path); return true;
    case DiridBase::driver_store:
      if (!ctx.driver_store.empty()) {
        out.append(ctx.driver_store);
      } else {
        out.append(ctx.windows_dir).append("\\System32\\DriverStore\\FileRepository");
      }
      return true;
    case DiridBase::windows: out.append(ctx.windows_dir).append(d->suffix); return true;
    case DiridBase::system_drive: out.append(ctx.system_drive).append(d->suffix); return true;
  }
  return false;
}

std::optional<std::string> dirid_path(long dirid, const DiridContext& ctx) {
  std::string out;
  if (!append_dirid_path(dirid, ctx, out)) return std::nullopt;
  return out;
}

}  // namespace isodrv::inf
