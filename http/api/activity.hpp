#pragma once
/// When each principal last used its credential, kept in memory (reads do not write to
/// the log). After a restart the last event a principal wrote stands in for it.
/// Thread-safe.

#include "events/time.hpp"

#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace waitroom::http {

class activity_log {
 public:
  void seen(const std::string& id, events::timestamp at) {
    std::lock_guard lock(mu_);
    last_[id] = at;
  }
  std::optional<events::timestamp> last(const std::string& id) const {
    std::lock_guard lock(mu_);
    auto it = last_.find(id);
    if (it == last_.end()) return std::nullopt;
    return it->second;
  }

 private:
  mutable std::mutex mu_;
  std::unordered_map<std::string, events::timestamp> last_;
};

} // namespace waitroom::http
