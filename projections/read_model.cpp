#include "projections/read_model.hpp"

#include <mutex>

namespace waitroom::projections {

namespace ev = waitroom::events;

void projection_set::apply(const ev::recorded_event& e) {
  std::visit(
      [&](const auto& data) {
        using T = std::decay_t<decltype(data)>;
        const auto& stream = e.meta.stream;
        if constexpr (std::is_same_v<T, ev::signal::broadcast>) {
          signals.apply(e);
        } else if (stream.starts_with("ci_")) {
          const auto& after = checkins.apply(e);
          trust.apply(e, after);
          // Only these move a deadline; thread messages (most events) do not.
          if constexpr (std::is_same_v<T, ev::checkin::created> ||
                        std::is_same_v<T, ev::checkin::resolved> ||
                        std::is_same_v<T, ev::checkin::extended> ||
                        std::is_same_v<T, ev::checkin::expiring> ||
                        std::is_same_v<T, ev::checkin::claimed> ||
                        std::is_same_v<T, ev::checkin::released> ||
                        std::is_same_v<T, ev::checkin::submitted> ||
                        std::is_same_v<T, ev::log::quarantined>)
            deadlines.update(after);
        } else if (stream.starts_with("rm_")) {
          rooms.apply(e);
        } else if (stream.starts_with("w_")) {
          watchers.apply(e);
        } else {
          dir.apply(e); // org_, us_, ag_
        }
      },
      e.data);
  dir.note_activity(e);
  applied_seq = e.meta.seq;
  ++applied_events;
}

void read_model::apply(std::span<const ev::recorded_event> events) {
  std::unique_lock lock(mu_);
  for (const auto& e : events)
    set_.apply(e);
}

} // namespace waitroom::projections
