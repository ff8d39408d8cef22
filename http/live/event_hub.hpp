#pragma once
/// Live room events for streams (API.md "Real-time events"): every committed room event
/// is rendered once as an SSE frame (one shared immutable payload) and handed, in seq
/// order, to each subscribed stream that may see its room. A stream that resumes is
/// registered first and holds live events while its missed ones are replayed from the
/// log; `go_live` then sends the held ones it has not sent yet, so there is no gap and
/// no duplicate.

#include "events/checkin/state.hpp"
#include "events/event.hpp"
#include "events/room/access.hpp"
#include "events/room/state.hpp"
#include "http/wire/message.hpp"
#include "projections/read_model.hpp"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace waitroom::http {

/// The envelope of a room event (`{seq, type, room_id, org_id, stream, version, at,
/// actor, data}`), what every transport carries. `data` is the check-in after the event
/// (`checkin_after`), the message for `checkin.message`, the signal, or the room after
/// the event (`room_after`).
std::string stream_envelope(const events::recorded_event& e,
                            const projections::projection_set& p,
                            const events::checkin::state* checkin_after,
                            const events::room::state* room_after);

/// The SSE frame of an envelope.
std::string sse_frame(std::uint64_t seq, std::string_view type,
                      std::string_view envelope);

/// The envelope of an event that has just committed: the check-in or room as the read
/// models hold it now.
std::string stream_envelope(const events::recorded_event& e,
                            const projections::projection_set& p);

/// A room event that has just committed, rendered once for every transport.
struct room_event {
  std::uint64_t seq = 0;
  std::string room_id;
  std::string type;
  std::shared_ptr<const std::string> envelope;
};

/// The room events of one append (API.md's streamed types, of a room that exists), in
/// seq order, each rendered as its commit left the read models: what the hub, Redis and
/// Supabase carry.
std::vector<room_event> room_events_of(const std::vector<events::recorded_event>& events,
                                       const projections::read_model& reads);

/// `room:<room_id>:events`: the name of a room's channel on Redis and on Supabase
/// Realtime (which adds `realtime:` to it on the socket).
std::string room_channel(std::string_view room_id);

/// The fan-out runs on the hub's own thread: the committing thread only renders each
/// room event's envelope once (so `data` is the object as that commit left it) and
/// queues it, so no number of subscribers ever delays a write. The thread hands the
/// events, in seq order, to every subscription that may see the room (access as of
/// now), skipping what a subscription already has.
class event_hub {
 public:
  explicit event_hub(const projections::read_model& reads);
  ~event_hub();
  event_hub(const event_hub&) = delete;
  event_hub& operator=(const event_hub&) = delete;

  /// How a subscriber's connection carries an event: an SSE frame, the envelope alone
  /// (one WebSocket text message), or a Supabase Realtime broadcast of it
  /// (realtime_protocol.hpp) for serializer 1.0.0 or 2.0.0.
  enum class wire { sse, envelope, realtime_v1, realtime_v2 };
  static constexpr std::size_t wire_formats = 4;

  /// One room event's bytes in `format`, from its envelope.
  static std::string render(wire format, std::uint64_t seq, std::string_view type,
                            std::string_view room_id, std::string_view envelope);

  struct subscription {
    std::string org_id;
    /// These rooms (ids); none: every room the caller sees, except `except`.
    std::optional<std::set<std::string>> rooms;
    std::set<std::string> except;
    events::room::caller who;
    /// The hash of the credential it was opened with: once that credential no longer
    /// names `who` (rotated, or its holder deactivated), the stream ends. Empty: never.
    std::string credential_hash;
    wire format = wire::sse;
    std::shared_ptr<stream_sink> sink;
    /// Set: when the credential is revoked this is called (once, on the committing
    /// thread, outside the hub's lock) instead of closing the sink, and it unsubscribes
    /// (a Realtime socket closes that channel only).
    std::function<void()> on_revoked;

    /// Whether its room filter takes `room_id` (access aside).
    bool covers(std::string_view room_id) const {
      const std::string room(room_id);
      return rooms ? rooms->contains(room) : !except.contains(room);
    }
  };

  /// Registers a stream; what commits from now on is held until `go_live`.
  std::uint64_t subscribe(subscription s);
  /// Sends the held events after `sent_up_to`, then everything live. False when events
  /// were dropped while holding (more than four times the sink's capacity came in
  /// during a long replay): the hold starts again, and the caller replays from the log
  /// past `sent_up_to` (which has those events) before it tries again.
  bool go_live(std::uint64_t id, std::uint64_t sent_up_to);
  void unsubscribe(std::uint64_t id);
  /// Stops sending `room_id`'s events to subscription `id` (a WebSocket unsubscribe).
  void exclude(std::uint64_t id, const std::string& room_id);
  /// Subscription `id` now acts for `who` with that credential (a Realtime channel's
  /// `access_token` was refreshed); access is checked as before, event by event.
  void rebind(std::uint64_t id, const events::room::caller& who,
              const std::string& credential_hash);
  /// Whether subscription `id` still covers `room_id` (nothing: it is gone).
  std::optional<bool> covers(std::uint64_t id, std::string_view room_id) const;
  /// Stops the fan-out thread (shutdown); later events are not sent. Idempotent.
  void stop();
  std::size_t size() const { return count_.load(); }

  /// Whether `s` may see `room` (its org, its room filter, room access).
  static bool may_see(const subscription& s, const events::room::state& room);

  /// The runtime's subscriber: one append's committed events, in seq order.
  /// Also ends the streams whose credential these events revoked.
  void on_committed(const std::vector<events::recorded_event>& events);

  /// Envelopes queued for the fan-out thread at most; past that every subscription is
  /// closed (its client resumes from the log) and the queue starts again.
  static constexpr std::size_t max_queued_bytes = 64u << 20;

 private:
  void fan_out_loop();
  void fan_out(const std::vector<room_event>& batch);

  struct frame {
    std::uint64_t seq = 0;
    std::shared_ptr<const std::string> bytes; ///< in the subscriber's wire format
  };
  struct entry {
    subscription sub;
    bool live = false;
    std::vector<frame> held;
    std::size_t held_bytes = 0;
    bool dropped = false;         ///< held events were dropped: the log has them
    std::uint64_t sent_up_to = 0; ///< live: the last seq it has (none again)
  };

  const projections::read_model& reads_;
  mutable std::mutex mu_;
  std::map<std::uint64_t, entry> subs_;
  std::uint64_t next_id_ = 1;
  std::atomic<std::size_t> count_{0};

  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::deque<std::vector<room_event>> queue_;
  std::size_t queued_bytes_ = 0;
  bool stopping_ = false;

  void end_revoked_streams(const std::vector<events::recorded_event>& events);
  std::thread thread_;
};

} // namespace waitroom::http
