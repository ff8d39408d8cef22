#include "projections/read_model.hpp"

#include <mutex>

namespace waitroom::projections {

namespace ev = waitroom::events;

void projection_set::apply(const ev::recorded_event& e) {
  std::visit(
      [&](const auto& data) {
        using T = std::decay_t<decltype(data)>;
        if constexpr (std::is_same_v<T, ev::org::created> ||
                      std::is_same_v<T, ev::user::created> ||
                      std::is_same_v<T, ev::agent::registered>) {
          dir.apply(e);
        } else if constexpr (std::is_same_v<T, ev::room::created> ||
                             std::is_same_v<T, ev::room::policy_updated>) {
          rooms.apply(e);
        } else {
          const auto& after = checkins.apply(e);
          trust.apply(e, after);
          // Only these move a deadline; thread messages (most events) do not.
          if constexpr (std::is_same_v<T, ev::checkin::created> ||
                        std::is_same_v<T, ev::checkin::resolved> ||
                        std::is_same_v<T, ev::checkin::extended> ||
                        std::is_same_v<T, ev::checkin::expiring>)
            deadlines.update(after);
        }
      },
      e.data);
  applied_seq = e.meta.seq;
  ++applied_events;
}

void read_model::apply(std::span<const ev::recorded_event> events) {
  std::unique_lock lock(mu_);
  for (const auto& e : events)
    set_.apply(e);
}

} // namespace waitroom::projections
