// Recording and reading an install's facts (pending restart, co-installers): rows of
// devinst_install_facts written inside the install's own transaction.
#include "devinst/install_facts.h"

namespace isodrv::devinst {

Status record_install_fact(Engine::Impl& e, std::int64_t install_id, const char* kind, const std::string& value,
                           const std::string& source) {
  auto& s = e.q("INSERT INTO devinst_install_facts(install_id, kind, value, source) VALUES(?, ?, ?, ?)");
  s.bind(1, install_id).bind(2, kind).bind(3, value).bind(4, source);
  return s.run();
}

void read_install_facts(Engine::Impl& e, std::int64_t install_id, DeviceInfo& info) {
  auto& s = e.q("SELECT kind, value, source FROM devinst_install_facts WHERE install_id = ? ORDER BY rowid");
  s.bind(1, install_id);
  while (s.row()) {
    const std::string kind = s.text(0);
    if (kind == kFactRestart) {
      // A Reboot anywhere asks for more than a Restart does; the first source of the strongest wins.
      if (info.pending_restart.empty() || (info.pending_restart == "Restart" && s.text(1) == "Reboot")) {
        info.pending_restart = s.text(1);
        info.pending_restart_source = s.text(2);
      }
    } else if (kind == kFactCoInstaller) {
      info.coinstallers.push_back(s.text(1));
    }
  }
}

}  // namespace isodrv::devinst
