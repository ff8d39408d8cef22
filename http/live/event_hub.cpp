#include "http/live/event_hub.hpp"

#include "events/checkin/events.hpp"
#include "events/ids.hpp"
#include "events/json_writer.hpp"
#include "events/signal/events.hpp"
#include "events/watcher/decider.hpp"
#include "http/live/realtime_protocol.hpp"
#include "http/wire/render.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace waitroom::http {

namespace ev = waitroom::events;

std::string sse_frame(std::uint64_t seq, std::string_view type,
                      std::string_view envelope) {
  std::string out = "id: " + std::to_string(seq) + "\nevent: ";
  out += type;
  out += "\ndata: ";
  out += envelope;
  out += "\n\n";
  return out;
}

std::vector<room_event> room_events_of(const std::vector<ev::recorded_event>& events,
                                       const projections::read_model& reads) {
  std::vector<room_event> out;
  reads.read([&](const projections::projection_set& p) {
    for (const auto& e : events) {
      if (!ev::watcher::is_room_event(e)) continue;
      if (p.rooms.by_id(e.meta.room_id) == nullptr) continue;
      out.push_back({e.meta.seq, e.meta.room_id, std::string(ev::event_type(e.data)),
                     std::make_shared<const std::string>(stream_envelope(e, p))});
    }
  });
  return out;
}

std::string room_channel(std::string_view room_id) {
  std::string out = "room:";
  out += room_id;
  out += ":events";
  return out;
}

std::string event_hub::render(wire format, std::uint64_t seq, std::string_view type,
                              std::string_view room_id, std::string_view envelope) {
  switch (format) {
  case wire::sse:
    return sse_frame(seq, type, envelope);
  case wire::envelope:
    break;
  case wire::realtime_v1:
    return realtime::broadcast(realtime::vsn::v1, room_id, type, envelope);
  case wire::realtime_v2:
    return realtime::broadcast(realtime::vsn::v2, room_id, type, envelope);
  }
  return std::string(envelope);
}

std::string stream_envelope(const ev::recorded_event& e,
                            const projections::projection_set& p,
                            const ev::checkin::state* checkin_after,
                            const ev::room::state* room_after) {
  const auto type = ev::event_type(e.data);
  std::string out;
  json_writer w(out);
  w.begin_object();
  w.member("seq", e.meta.seq);
  w.member("type", type);
  w.member("room_id", e.meta.room_id);
  w.member("org_id", e.meta.org_id);
  w.member("stream", e.meta.stream);
  w.member("version", e.meta.version);
  w.member("at", e.meta.at);
  w.key("actor");
  write_actor(w, e.meta.actor);
  w.key("data");
  if (const auto* m = std::get_if<ev::checkin::message_posted>(&e.data)) {
    write_message(w, {m->id, e.meta.stream, m->type, m->author, m->content, m->metadata,
                      m->attachments, e.meta.at});
  } else if (const auto* s = std::get_if<ev::signal::broadcast>(&e.data)) {
    write_signal(w, {s->id, s->room_id, s->type, s->payload, e.meta.actor, e.meta.at});
  } else if (checkin_after != nullptr) {
    write_checkin(w, *checkin_after, p);
  } else if (room_after != nullptr) {
    write_room(w, *room_after, p.checkins.queue_size(room_after->id));
  } else {
    w.null();
  }
  w.end_object();
  return out;
}

namespace {

/// The check-in or the room after a just-committed event, as the read models hold them.
std::pair<const ev::checkin::state*, const ev::room::state*>
live_objects(const ev::recorded_event& e, const projections::projection_set& p) {
  if (e.meta.stream.starts_with("ci_")) return {p.checkins.find(e.meta.stream), nullptr};
  return {nullptr, p.rooms.by_id(e.meta.room_id)};
}

} // namespace

std::string stream_envelope(const ev::recorded_event& e,
                            const projections::projection_set& p) {
  auto [checkin, room] = live_objects(e, p);
  return stream_envelope(e, p, checkin, room);
}

bool event_hub::may_see(const subscription& s, const ev::room::state& room) {
  if (room.org_id != s.org_id) return false;
  if (!s.covers(room.id)) return false;
  return ev::room::can_see(room, s.who);
}

std::uint64_t event_hub::subscribe(subscription s) {
  std::lock_guard lock(mu_);
  const auto id = next_id_++;
  subs_.emplace(id, entry{std::move(s), false, {}});
  ++count_;
  return id;
}

bool event_hub::go_live(std::uint64_t id, std::uint64_t sent_up_to) {
  std::lock_guard lock(mu_);
  auto it = subs_.find(id);
  if (it == subs_.end()) return true; // gone: nothing more to send
  auto& en = it->second;
  if (en.dropped) {
    en.dropped = false;
    return false;
  }
  en.sent_up_to = sent_up_to;
  for (const auto& f : en.held) {
    if (f.seq <= en.sent_up_to) continue;
    if (!en.sub.sink->write(f.bytes)) break;
    en.sent_up_to = f.seq;
  }
  en.held.clear();
  en.held.shrink_to_fit();
  en.held_bytes = 0;
  en.live = true;
  return true;
}

void event_hub::unsubscribe(std::uint64_t id) {
  std::lock_guard lock(mu_);
  if (subs_.erase(id) > 0) --count_;
}

void event_hub::exclude(std::uint64_t id, const std::string& room_id) {
  std::lock_guard lock(mu_);
  auto it = subs_.find(id);
  if (it == subs_.end()) return;
  auto& sub = it->second.sub;
  if (sub.rooms)
    sub.rooms->erase(room_id);
  else
    sub.except.insert(room_id);
}

void event_hub::rebind(std::uint64_t id, const ev::room::caller& who,
                       const std::string& credential_hash) {
  std::lock_guard lock(mu_);
  auto it = subs_.find(id);
  if (it == subs_.end()) return;
  it->second.sub.who = who;
  it->second.sub.credential_hash = credential_hash;
}

std::optional<bool> event_hub::covers(std::uint64_t id, std::string_view room_id) const {
  std::lock_guard lock(mu_);
  auto it = subs_.find(id);
  if (it == subs_.end()) return std::nullopt;
  return it->second.sub.covers(room_id);
}

void event_hub::on_committed(const std::vector<ev::recorded_event>& events) {
  if (count_ == 0) return;
  end_revoked_streams(events);
  {
    std::lock_guard lock(queue_mu_);
    if (stopping_) return;
  }
  auto batch = room_events_of(events, reads_);
  std::size_t bytes = 0;
  for (const auto& r : batch)
    bytes += r.envelope->size();
  if (batch.empty()) return;
  {
    std::lock_guard lock(queue_mu_);
    queue_.push_back(std::move(batch));
    queued_bytes_ += bytes;
  }
  queue_cv_.notify_one();
}

void event_hub::end_revoked_streams(const std::vector<ev::recorded_event>& events) {
  // Credentials change only by events of users and agents (rare): look only then.
  const bool credentials_changed =
      std::any_of(events.begin(), events.end(), [](const auto& e) {
        return e.meta.stream.starts_with(ev::user_prefix) ||
               e.meta.stream.starts_with(ev::agent_prefix);
      });
  if (!credentials_changed) return;
  std::vector<std::shared_ptr<stream_sink>> ending;
  std::vector<std::function<void()>> told;
  reads_.read([&](const projections::projection_set& p) {
    std::lock_guard lock(mu_);
    for (const auto& [id, en] : subs_) {
      const auto& sub = en.sub;
      if (sub.credential_hash.empty()) continue;
      auto holder = p.dir.by_credential_hash(sub.credential_hash);
      if (holder && holder->id == sub.who.id) continue;
      if (sub.on_revoked)
        told.push_back(sub.on_revoked);
      else
        ending.push_back(sub.sink);
    }
  });
  // outside the lock: closing calls back into unsubscribe
  for (const auto& sink : ending)
    sink->close();
  for (const auto& fn : told)
    fn();
}

event_hub::event_hub(const projections::read_model& reads)
    : reads_(reads)
    , thread_([this] { fan_out_loop(); }) {}

event_hub::~event_hub() {
  stop();
}

void event_hub::stop() {
  {
    std::lock_guard lock(queue_mu_);
    stopping_ = true;
    queue_.clear();
    queued_bytes_ = 0;
  }
  queue_cv_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void event_hub::fan_out_loop() {
  for (;;) {
    std::vector<room_event> batch;
    bool overflow = false;
    {
      std::unique_lock lock(queue_mu_);
      queue_cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      if (queued_bytes_ > max_queued_bytes) {
        // far behind: everyone resumes from the log instead
        overflow = true;
        queue_.clear();
        queued_bytes_ = 0;
      } else {
        batch = std::move(queue_.front());
        queue_.pop_front();
        for (const auto& r : batch)
          queued_bytes_ -= r.envelope->size();
      }
    }
    if (overflow) {
      std::vector<std::shared_ptr<stream_sink>> sinks;
      {
        std::lock_guard lock(mu_);
        for (auto& [id, en] : subs_)
          sinks.push_back(en.sub.sink);
      }
      for (const auto& sink : sinks) // outside the lock, like every write
        sink->close();
      continue;
    }
    fan_out(batch);
  }
}

void event_hub::fan_out(const std::vector<room_event>& batch) {
  // The rooms as they are now (access as of now), copied so that the read models are
  // not held while thousands of streams are written to: a commit must never wait.
  std::map<std::string, std::shared_ptr<const ev::room::state>, std::less<>> rooms;
  reads_.read([&](const projections::projection_set& p) {
    for (const auto& r : batch)
      if (!rooms.contains(r.room_id))
        if (const auto* room = p.rooms.by_id(r.room_id))
          rooms.emplace(r.room_id, std::make_shared<const ev::room::state>(*room));
  });
  // Who gets what is settled under the lock; the writes happen after it, so a slow
  // sink never holds up a subscribe, an unsubscribe or a resume. Only this thread
  // writes to live subscriptions, so each sink still gets its frames in seq order.
  std::vector<std::pair<std::shared_ptr<stream_sink>, std::shared_ptr<const std::string>>>
      sends;
  {
    std::lock_guard lock(mu_);
    for (const auto& r : batch) {
      auto found = rooms.find(r.room_id);
      if (found == rooms.end()) continue;
      const auto* room = found->second.get();
      // each format rendered once, for its first taker
      std::array<std::shared_ptr<const std::string>, wire_formats> framed{};
      framed[static_cast<std::size_t>(wire::envelope)] = r.envelope;
      for (auto& [id, en] : subs_) {
        if (!may_see(en.sub, *room)) continue;
        auto& bytes = framed[static_cast<std::size_t>(en.sub.format)];
        if (!bytes)
          bytes = std::make_shared<const std::string>(
              render(en.sub.format, r.seq, r.type, r.room_id, *r.envelope));
        if (en.live) {
          if (r.seq <= en.sent_up_to) continue;   // replayed, or before it began
          sends.emplace_back(en.sub.sink, bytes); // a full or closed stream closes itself
          en.sent_up_to = r.seq;
        } else if (!en.dropped) {
          en.held.push_back({r.seq, bytes});
          en.held_bytes += bytes->size();
          if (en.held_bytes > 4 * en.sub.sink->capacity()) { // the log keeps them
            en.held.clear();
            en.held.shrink_to_fit();
            en.held_bytes = 0;
            en.dropped = true;
          }
        }
      }
    }
  }
  for (const auto& [sink, bytes] : sends)
    sink->write(bytes);
}

} // namespace waitroom::http
