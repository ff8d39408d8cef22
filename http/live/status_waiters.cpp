#include "http/live/status_waiters.hpp"

#include <algorithm>
#include <atomic>

namespace waitroom::http {

status_waiters::handle status_waiters::wait(const std::string& checkin_id, waiter w) {
  auto h = std::make_shared<waiter>(std::move(w));
  bool released;
  {
    std::lock_guard lock(mu_);
    released = released_;
    if (!released) waiting_[checkin_id].push_back(h);
  }
  if (released) (*h)(true);
  return h;
}

void status_waiters::long_poll(const std::string& checkin_id,
                               std::chrono::milliseconds wait, deferrer& later,
                               answer_of current, responder respond) {
  auto answered = std::make_shared<std::atomic<bool>>(false);
  auto finish = [answered, respond = std::move(respond)](response r) {
    if (!answered->exchange(true)) respond(std::move(r));
  };
  auto h = this->wait(checkin_id, [current, finish, answered](bool releasing) {
    if (*answered) return true;
    auto r = current(!releasing);
    if (!r) return false;
    finish(std::move(*r));
    return true;
  });
  if (auto r = current(true)) {
    cancel(checkin_id, h);
    return finish(std::move(*r));
  }
  later.after(wait, [this, checkin_id, h, current, finish] {
    cancel(checkin_id, h);
    finish(*current(false));
  });
}

void status_waiters::cancel(const std::string& checkin_id, const handle& h) {
  std::lock_guard lock(mu_);
  auto it = waiting_.find(checkin_id);
  if (it == waiting_.end()) return;
  auto& v = it->second;
  v.erase(std::remove(v.begin(), v.end(), h), v.end());
  if (v.empty()) waiting_.erase(it);
}

void status_waiters::wake(const std::string& checkin_id) {
  std::vector<handle> woken;
  {
    std::lock_guard lock(mu_);
    auto it = waiting_.find(checkin_id);
    if (it == waiting_.end()) return;
    woken.swap(it->second);
    waiting_.erase(it);
  }
  std::vector<handle> keep;
  for (auto& h : woken)
    if (!(*h)(false)) keep.push_back(h);
  if (keep.empty()) return;
  std::lock_guard lock(mu_);
  auto& v = waiting_[checkin_id];
  v.insert(v.end(), keep.begin(), keep.end());
}

void status_waiters::on_committed(const std::vector<events::recorded_event>& events) {
  const std::string* last = nullptr;
  for (const auto& e : events) {
    if (!std::holds_alternative<events::checkin::resolved>(e.data)) continue;
    if (last != nullptr && *last == e.meta.stream) continue;
    last = &e.meta.stream;
    wake(e.meta.stream);
  }
}

void status_waiters::release_all() {
  std::unordered_map<std::string, std::vector<handle>> all;
  {
    std::lock_guard lock(mu_);
    released_ = true;
    all.swap(waiting_);
  }
  for (auto& [id, hs] : all)
    for (auto& h : hs)
      (*h)(true);
}

std::size_t status_waiters::size() const {
  std::lock_guard lock(mu_);
  std::size_t n = 0;
  for (const auto& [id, hs] : waiting_)
    n += hs.size();
  return n;
}

} // namespace waitroom::http
