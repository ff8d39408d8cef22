#include "actors/registry.hpp"

#include "actors/aggregates.hpp"
#include "actors/messages.hpp"
#include "events/ids.hpp"

#include <caf/actor_system.hpp>
#include <caf/exit_reason.hpp>
#include <caf/send.hpp>

namespace waitroom::actors {

namespace ev = waitroom::events;

caf::actor registry::get(std::string_view id) {
  auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(mu_);
  auto it = actors_.find(std::string(id));
  if (it != actors_.end()) {
    it->second.last_used = now;
    return it->second.handle;
  }
  caf::actor a;
  if (id.starts_with(ev::checkin_prefix))
    a = spawn_checkin_actor(sys_, &ctx_, std::string(id));
  else if (id.starts_with(ev::room_prefix))
    a = spawn_room_actor(sys_, &ctx_, std::string(id));
  else if (id.starts_with(ev::org_prefix))
    a = spawn_org_actor(sys_, &ctx_, std::string(id));
  else if (id.starts_with(ev::agent_prefix))
    a = spawn_agent_actor(sys_, &ctx_, std::string(id));
  else if (id.starts_with(ev::user_prefix))
    a = spawn_user_actor(sys_, &ctx_, std::string(id));
  else if (id.starts_with(ev::watcher_prefix))
    a = spawn_watcher_actor(sys_, &ctx_, std::string(id));
  else
    return a;
  actors_.emplace(std::string(id), entry{a, now});
  return a;
}

std::size_t registry::sweep(std::chrono::steady_clock::duration idle) {
  auto cutoff = std::chrono::steady_clock::now() - idle;
  std::size_t n = 0;
  std::lock_guard lock(mu_);
  for (auto it = actors_.begin(); it != actors_.end();) {
    if (it->second.last_used < cutoff) {
      caf::anon_send(it->second.handle, passivate_atom::value);
      it = actors_.erase(it);
      ++n;
    } else {
      ++it;
    }
  }
  return n;
}

std::size_t registry::size() const {
  std::lock_guard lock(mu_);
  return actors_.size();
}

void registry::stop_all() {
  std::lock_guard lock(mu_);
  for (auto& [id, e] : actors_)
    caf::anon_send_exit(e.handle, caf::exit_reason::user_shutdown);
  actors_.clear();
}

} // namespace waitroom::actors
