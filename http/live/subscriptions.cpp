#include "http/live/subscriptions.hpp"

#include "events/checkin/decider.hpp"
#include "events/codec.hpp"
#include "events/room/decider.hpp"
#include "events/watcher/decider.hpp"

#include <limits>
#include <unordered_map>

namespace waitroom::http {

namespace ev = waitroom::events;

namespace {

/// The state of each aggregate after a given event, folded while replaying in seq
/// order (a stream first seen mid-way is read from the log up to that point).
class replay_folds {
 public:
  explicit replay_folds(const storage::event_log& log)
      : log_(log) {}

  template <class State>
  const State* after(std::unordered_map<std::string, State>& states,
                     const ev::recorded_event& e) {
    auto& s = states[e.meta.stream];
    if (s.version + 1 < e.meta.version) { // first seen mid-way: catch up from the log
      auto history = log_.read_stream(e.meta.stream);
      if (!history) return nullptr;
      for (const auto& h : *history)
        if (h.meta.version > s.version && h.meta.version < e.meta.version) evolve(s, h);
    }
    if (s.version + 1 == e.meta.version) evolve(s, e);
    return s.version == e.meta.version ? &s : nullptr;
  }

  std::unordered_map<std::string, ev::checkin::state> checkins;
  std::unordered_map<std::string, ev::room::state> rooms;

 private:
  const storage::event_log& log_;
};

/// A subscription catching up from the log: its position and the states folded so far.
/// The log is read in parts no bigger than a quarter of the client's buffer; the next
/// part is read once the client has taken half of what is queued, so a long replay
/// never overflows a client that reads, and never holds a reader lane while it waits.
struct replay_job {
  replay_job(event_hub& h, actors::runtime& r, event_hub::subscription s,
             std::uint64_t id, std::uint64_t since)
      : hub(h)
      , rt(r)
      , sub(std::move(s))
      , sid(id)
      , sent_up_to(since) {}

  event_hub& hub;
  actors::runtime& rt;
  const event_hub::subscription sub;
  const std::uint64_t sid;
  std::uint64_t sent_up_to; ///< the last seq looked at
  std::optional<replay_folds> folds;
};

enum class replay_step { done, more, failed, gone };

/// Writes the stream's next events after `job.sent_up_to` from the log (blocking: a
/// reader lane), each with the check-in or room as it was right after it, until about
/// `budget` bytes are written or the log ends.
replay_step replay_part(const storage::event_log& log, replay_job& job,
                        std::size_t budget) {
  if (!job.folds) job.folds.emplace(log);
  auto& folds = *job.folds;
  const auto& sub = job.sub;
  std::size_t written = 0;
  bool open = true;
  bool gone = false; // unsubscribed meanwhile
  auto scanned = log.scan(
      job.sent_up_to + 1, std::numeric_limits<std::uint64_t>::max(),
      [&](const storage::stored_event& s) {
        if (written >= budget) return false; // this one is for the next part
        job.sent_up_to = s.seq;
        auto e = storage::decode(s);
        if (!e || e->meta.org_id != sub.org_id || !ev::watcher::is_room_event(*e))
          return true;
        const bool checkin = e->meta.stream.starts_with("ci_");
        const auto* c_after = checkin ? folds.after(folds.checkins, *e) : nullptr;
        const auto* r_after = !checkin && e->meta.stream.starts_with("rm_")
                                  ? folds.after(folds.rooms, *e)
                                  : nullptr;
        // the subscription as it is now (a WebSocket may have dropped rooms or all)
        const auto covered = job.hub.covers(job.sid, e->meta.room_id);
        if (!covered) {
          gone = !covered.has_value();
          return !gone;
        }
        std::optional<std::string> frame;
        job.rt.reads().read([&](const projections::projection_set& p) {
          const auto* room = p.rooms.by_id(e->meta.room_id);
          if (room != nullptr && event_hub::may_see(sub, *room))
            frame = event_hub::render(sub.format, e->meta.seq, ev::event_type(e->data),
                                      e->meta.room_id,
                                      stream_envelope(*e, p, c_after, r_after));
        });
        if (frame) {
          written += frame->size();
          open = sub.sink->write(std::make_shared<const std::string>(std::move(*frame)));
        }
        return open;
      });
  if (gone) return replay_step::gone;
  if (!scanned || !open) return replay_step::failed;
  return written >= budget ? replay_step::more : replay_step::done;
}

/// Replays the next part on the bulk lane; then waits for the client, or goes live.
void continue_replay(std::shared_ptr<replay_job> job) {
  job->rt.read_log(actors::runtime::read_lane::bulk,
                   [job](const storage::event_log& log) {
                     switch (replay_part(log, *job, job->sub.sink->capacity() / 4)) {
                     case replay_step::gone:
                       return;
                     case replay_step::failed:
                       return job->sub.sink->close();
                     case replay_step::done:
                       if (job->hub.go_live(job->sid, job->sent_up_to)) {
                         job->folds.reset();
                         return;
                       }
                       [[fallthrough]]; // live events were dropped meanwhile: read on
                     case replay_step::more:
                       job->sub.sink->when_drained([job] { continue_replay(job); });
                     }
                   });
}

} // namespace

registered_subscription register_subscription(event_hub& hub, actors::runtime& rt,
                                              event_hub::subscription sub) {
  registered_subscription r;
  r.id = hub.subscribe(sub);
  // what is applied now was committed before the subscription: "live" starts after it
  r.head =
      rt.reads().read([](const projections::projection_set& p) { return p.applied_seq; });
  return r;
}

void start_subscription(event_hub& hub, actors::runtime& rt, registered_subscription reg,
                        event_hub::subscription sub, std::optional<std::uint64_t> since) {
  // live at once, unless live events were dropped while it waited (a slow start while
  // the hub was busy): then it reads them from the log like a resume from its head
  if (!since && hub.go_live(reg.id, reg.head)) return;
  continue_replay(std::make_shared<replay_job>(hub, rt, std::move(sub), reg.id,
                                               since.value_or(reg.head)));
}

std::uint64_t start_subscription(event_hub& hub, actors::runtime& rt,
                                 event_hub::subscription sub,
                                 std::optional<std::uint64_t> since) {
  auto reg = register_subscription(hub, rt, sub);
  start_subscription(hub, rt, reg, std::move(sub), since);
  return reg.id;
}

} // namespace waitroom::http
