#include "http/outbound/webhook_worker.hpp"

#include "events/codec.hpp"
#include "events/json_writer.hpp"
#include "events/watcher/access.hpp"
#include "events/watcher/decider.hpp"
#include "events/watcher/delivery.hpp"
#include "http/crypto/webhook_signature.hpp"
#include "http/live/subscriptions.hpp"
#include "storage/side_records.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/parse.hpp>

#include <spdlog/spdlog.h>

#include <charconv>
#include <cstdio>
#include <deque>
#include <random>

namespace waitroom::http {

namespace ev = waitroom::events;
namespace asio = boost::asio;
namespace json = boost::json;

namespace webhook_records = storage::webhook_records;

namespace {

/// The `Waitroom-Delivery` of the delivery of event `seq` to a watcher: a UUID
/// (version 8, RFC 9562) from SHA-256 of both, so the same delivery has the same id on
/// every retry, on a redelivery, and when a restart sends it again.
std::string delivery_id_of(std::string_view watcher_id, std::uint64_t seq) {
  const auto name =
      "waitroom-delivery/" + std::string(watcher_id) + "/" + std::to_string(seq);
  auto b = storage::sha256(name);
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x80);
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);
  char out[37];
  std::snprintf(out, sizeof out,
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11],
                b[12], b[13], b[14], b[15]);
  return out;
}

std::atomic<std::uint64_t> row_counter{0};

/// A row position: later rows have larger ones.
std::uint64_t next_position(ev::timestamp now) {
  return static_cast<std::uint64_t>(now.ms) * 1000000 + row_counter++ % 1000000;
}

/// One delivery: an event for a watcher (or a redelivery of one).
struct delivery {
  std::string id;
  std::uint64_t seq = 0;
  std::string type;
  std::shared_ptr<const std::string> body;
  bool redelivery = false;
  int attempt = 0;
};

} // namespace

// --- one watcher ---------------------------------------------------------------------

/// One active watcher. Everything but the sink's counters runs on the outbound
/// client's io thread.
struct webhook_worker::run : std::enable_shared_from_this<run> {
  /// The hub's view of the watcher: queues envelopes for it, bounded in bytes.
  struct sink final : stream_sink {
    std::weak_ptr<run> owner;
    asio::io_context& io;
    std::size_t cap;
    std::atomic<std::size_t> queued{0};
    std::atomic<bool> dead{false};

    sink(const std::shared_ptr<run>& r, std::size_t capacity)
        : owner(r)
        , io(r->io)
        , cap(capacity) {}

    bool write(std::shared_ptr<const std::string> bytes) override {
      if (dead) return false;
      auto r = owner.lock();
      if (!r) return false;
      if (queued.fetch_add(bytes->size()) + bytes->size() > cap) {
        dead = true; // too far behind: dropped, and read from the log again later
        asio::post(io, [r, self = this] { r->sink_ended(self); });
        return false;
      }
      asio::post(io,
                 [r, self = this, bytes = std::move(bytes)] { r->arrived(self, bytes); });
      return true;
    }
    void close() override { // the replay failed: start again later
      dead = true;
      if (auto r = owner.lock())
        asio::post(io, [r, self = this] { r->sink_ended(self); });
    }
    std::size_t capacity() const override { return cap; }
    void when_drained(std::function<void()> fn) override {
      if (auto r = owner.lock())
        asio::post(io, [r, fn = std::move(fn)]() mutable {
          r->drained = std::move(fn);
          r->check_drained();
        });
    }
  };

  struct queued_event {
    std::shared_ptr<sink> from;
    std::uint64_t seq = 0;
    std::string type;
    json::object data;
    std::shared_ptr<const std::string> body;
  };

  webhook_worker& owner;
  asio::io_context& io;
  ev::watcher::state w;
  std::string secret;
  std::mt19937 rng{std::random_device{}()};

  std::deque<queued_event> queue;
  std::deque<delivery> redeliveries;
  std::shared_ptr<sink> current;
  std::uint64_t hub_id = 0;
  std::uint64_t cursor = 0;      ///< every event up to here is finished
  std::uint64_t last_queued = 0; ///< the last seq taken from the hub
  int failures = 0;              ///< failed deliveries in a row
  bool busy = false;             ///< a delivery is in flight
  bool stopped = false;
  bool resubscribe = false; ///< the sink ended: subscribe again once the queue is empty
  bool persisting = false, dirty = false, disable_sent = false;
  std::function<void()> drained;
  std::shared_ptr<asio::steady_timer> retry_timer;

  run(webhook_worker& o, ev::watcher::state watcher, std::string s, std::uint64_t from,
      int failed)
      : owner(o)
      , io(o.client_.context())
      , w(std::move(watcher))
      , secret(std::move(s))
      , cursor(from)
      , last_queued(from)
      , failures(failed) {}

  void subscribe() {
    resubscribe = false;
    current = std::make_shared<sink>(shared_from_this(), owner.options_.buffer);
    event_hub::subscription sub;
    sub.org_id = w.org_id;
    sub.rooms = std::set<std::string>{w.room_id};
    // a watcher delivers every event of its room, whoever created it
    sub.who = {ev::actor_kind::user, {}, ev::user::user_role::owner};
    sub.format = event_hub::wire::envelope;
    sub.sink = current;
    hub_id = start_subscription(owner.hub_, owner.rt_, std::move(sub), last_queued);
  }

  void stop() {
    stopped = true;
    if (hub_id) owner.hub_.unsubscribe(hub_id);
    hub_id = 0;
    if (current) current->dead = true;
    if (retry_timer) retry_timer->cancel();
    queue.clear();
    redeliveries.clear();
    drained = nullptr;
  }

  void sink_ended(sink* s) {
    if (stopped || s != current.get()) return;
    owner.hub_.unsubscribe(hub_id);
    hub_id = 0;
    current.reset();
    drained = nullptr;
    resubscribe = true;
    pump();
  }

  void arrived(sink* s, const std::shared_ptr<const std::string>& bytes) {
    if (stopped || s != current.get()) {
      s->queued -= bytes->size();
      return;
    }
    queued_event e;
    e.from = current;
    e.body = bytes;
    std::error_code ec;
    auto v = json::parse(*bytes, ec);
    if (!ec && v.is_object()) {
      const auto& o = v.get_object();
      if (const auto* seq = o.if_contains("seq"); seq && seq->is_uint64())
        e.seq = seq->get_uint64();
      else if (seq && seq->is_int64())
        e.seq = static_cast<std::uint64_t>(seq->get_int64());
      if (const auto* t = o.if_contains("type"); t && t->is_string())
        e.type = std::string(t->get_string());
      if (const auto* d = o.if_contains("data"); d && d->is_object())
        e.data = d->get_object();
    }
    if (e.seq <= last_queued) { // already had it
      s->queued -= bytes->size();
      return;
    }
    last_queued = e.seq;
    queue.push_back(std::move(e));
    pump();
  }

  void check_drained() {
    if (drained && current && current->queued <= current->cap / 2)
      std::exchange(drained, nullptr)();
  }

  /// Starts the next delivery, if none is in flight.
  void pump() {
    while (!stopped && !busy && !disable_sent) {
      if (!redeliveries.empty()) {
        auto d = std::move(redeliveries.front());
        redeliveries.pop_front();
        return attempt(std::move(d));
      }
      if (queue.empty()) {
        if (resubscribe) subscribe();
        return;
      }
      auto& e = queue.front();
      if (!ev::watcher::wants(w, e.type, e.data)) {
        finish_event(std::nullopt);
        continue;
      }
      delivery d{delivery_id_of(w.id, e.seq), e.seq, e.type, e.body, false, 0};
      store_body(d);
      return attempt(std::move(d));
    }
  }

  void store_body(const delivery& d) {
    std::string v;
    ev::json_writer jw(v);
    jw.begin_object();
    jw.member("watcher_id", w.id);
    jw.member("seq", d.seq);
    jw.member("event_type", d.type);
    jw.member("created_at", owner.rt_.time().now());
    jw.member("body", *d.body);
    jw.end_object();
    owner.rt_.write_records({{webhook_records::body_key(d.id), std::move(v)}},
                            [](ev::outcome<void>) {});
  }

  void attempt(delivery d) {
    busy = true;
    ++d.attempt;
    const auto now = owner.rt_.time().now();
    outbound_request req;
    req.url = w.webhook_url;
    req.body = *d.body;
    req.deny_private = owner.options_.deny_private;
    req.timeout = std::chrono::milliseconds(ev::watcher::attempt_timeout_ms);
    req.headers = {
        {"Content-Type", "application/json"},
        {"Waitroom-Event", d.type},
        {"Waitroom-Delivery", d.id},
        {"Waitroom-Signature", webhook_signature(secret, now.ms / 1000, *d.body)}};
    owner.client_.post(std::move(req), [self = shared_from_this(), d = std::move(d),
                                        now](outbound_result r) mutable {
      self->attempted(std::move(d), now, r);
    });
  }

  void attempted(delivery d, ev::timestamp at, const outbound_result& r) {
    record_row(d, at, r);
    if (stopped) return;
    std::uniform_real_distribution<double> jitter(-0.2, 0.2);
    auto step = ev::watcher::after_attempt(
        d.attempt, {r.status, r.retry_after_ms, r.refused}, jitter(rng));
    if (step.what == ev::watcher::verdict::retry) {
      retry_timer =
          std::make_shared<asio::steady_timer>(io, std::chrono::milliseconds(step.delay));
      retry_timer->async_wait([self = shared_from_this(),
                               d = std::move(d)](boost::system::error_code ec) mutable {
        if (!ec && !self->stopped) self->attempt(std::move(d));
      });
      return;
    }
    busy = false;
    const bool ok = step.what == ev::watcher::verdict::delivered;
    (ok ? owner.delivered_ : owner.failed_)++;
    if (!d.redelivery) finish_event(ok);
    pump();
  }

  void record_row(const delivery& d, ev::timestamp at, const outbound_result& r) {
    std::string v;
    ev::json_writer jw(v);
    jw.begin_object();
    jw.member("delivery_id", d.id);
    jw.member("attempt", d.attempt);
    jw.member("seq", d.seq);
    jw.member("event_type", d.type);
    jw.member("status", r.status);
    jw.member("latency_ms", static_cast<std::int64_t>(r.latency.count()));
    if (r.error.empty()) {
      jw.key("error");
      jw.null();
    } else {
      jw.member("error", r.error);
    }
    jw.member("redelivery", d.redelivery);
    jw.member("at", at);
    jw.member("created_at", at);
    jw.end_object();
    owner.rt_.write_records(
        {{webhook_records::row_key(w.id, next_position(at)), std::move(v)}},
        [](ev::outcome<void>) {});
  }

  /// The front event is finished: delivered (true), failed (false) or not wanted.
  void finish_event(std::optional<bool> delivered) {
    auto& e = queue.front();
    e.from->queued -= e.body->size();
    cursor = e.seq;
    queue.pop_front();
    if (delivered) failures = *delivered ? 0 : failures + 1;
    persist();
    check_drained();
    if (ev::watcher::should_disable(failures) && !disable_sent) {
      disable_sent = true;
      owner.rt_.send(
          w.id, ev::watcher::disable{failures, owner.rt_.time().now()},
          [self = shared_from_this(), id = w.id](ev::outcome<ev::watcher::state> r) {
            if (!r) {
              spdlog::warn("could not disable watcher {}: {}", id, r.error().message);
              asio::post(self->io, [self] { // deliver on; the next failure tries again
                self->disable_sent = false;
                self->pump();
              });
            } else
              spdlog::warn("watcher {} disabled after {} failed deliveries in a "
                           "row",
                           id, ev::watcher::disable_after_failed_deliveries);
          });
    }
  }

  /// Writes the cursor; one write at a time, the latest value wins.
  void persist() {
    if (persisting) {
      dirty = true;
      return;
    }
    persisting = true;
    dirty = false;
    std::string v = "{\"seq\":" + std::to_string(cursor) +
                    ",\"failures\":" + std::to_string(failures) + "}";
    owner.rt_.write_records({{webhook_records::cursor_key(w.id), std::move(v)}},
                            [self = shared_from_this()](ev::outcome<void> r) {
                              if (!r)
                                spdlog::warn(
                                    "could not save the cursor of watcher {}: {}",
                                    self->w.id, r.error().message);
                              asio::post(self->io, [self] {
                                self->persisting = false;
                                if (self->dirty) self->persist();
                              });
                            });
  }
};

// --- the worker ----------------------------------------------------------------------

webhook_worker::webhook_worker(actors::runtime& rt, event_hub& hub,
                               outbound_client& client, secret_box secrets,
                               webhook_options options)
    : rt_(rt)
    , hub_(hub)
    , client_(client)
    , secrets_(std::move(secrets))
    , options_(options) {}

webhook_worker::~webhook_worker() {
  stop();
}

void webhook_worker::start() {
  auto watchers = rt_.reads().read([](const projections::projection_set& p) {
    std::vector<ev::watcher::state> out;
    for (const auto* w : p.watchers.active())
      out.push_back(*w);
    return out;
  });
  if (watchers.empty()) return;
  rt_.read_log(actors::runtime::read_lane::bulk, [this, watchers = std::move(watchers)](
                                                     const storage::event_log& log) {
    for (const auto& w : watchers) {
      std::uint64_t cursor = w.created_seq;
      int failures = 0;
      if (auto rec = log.read_record(webhook_records::cursor_key(w.id)); rec && *rec) {
        std::error_code ec;
        auto v = json::parse(**rec, ec);
        if (!ec && v.is_object()) {
          if (auto* s = v.get_object().if_contains("seq"); s && s->is_number())
            cursor = s->to_number<std::uint64_t>();
          if (auto* f = v.get_object().if_contains("failures"); f && f->is_number())
            failures = f->to_number<int>();
        }
      }
      start_watcher(w, cursor, failures);
    }
  });
}

void webhook_worker::start_watcher(const ev::watcher::state& w, std::uint64_t cursor,
                                   int failures) {
  auto secret = secrets_.open_sealed(w.sealed_secret);
  if (!secret) {
    spdlog::error("watcher {}: cannot open its secret ({}); not delivering", w.id,
                  secret.error().message);
    return;
  }
  std::shared_ptr<run> r;
  {
    std::lock_guard lock(mu_);
    if (stopped_ || runs_.contains(w.id) || ended_.contains(w.id)) return;
    r = std::make_shared<run>(*this, w, std::move(*secret), cursor, failures);
    runs_.emplace(w.id, r);
  }
  asio::post(client_.context(), [r] {
    if (!r->stopped) r->subscribe();
  });
}

void webhook_worker::stop_watcher(const std::string& id) {
  std::shared_ptr<run> r;
  {
    std::lock_guard lock(mu_);
    ended_.insert(id); // also when it is not started yet (start-up reads a snapshot)
    auto it = runs_.find(id);
    if (it == runs_.end()) return;
    r = std::move(it->second);
    runs_.erase(it);
  }
  asio::post(client_.context(), [r] { r->stop(); });
}

void webhook_worker::on_committed(const std::vector<ev::recorded_event>& events) {
  for (const auto& e : events) {
    if (std::holds_alternative<ev::watcher::created>(e.data)) {
      auto w = rt_.reads().read([&](const projections::projection_set& p) {
        const auto* s = p.watchers.find(e.meta.stream);
        return s ? std::optional<ev::watcher::state>(*s) : std::nullopt;
      });
      if (w && w->active()) start_watcher(*w, e.meta.seq, 0);
    } else if (std::holds_alternative<ev::watcher::disabled>(e.data)) {
      stop_watcher(e.meta.stream);
    } else if (std::holds_alternative<ev::watcher::deleted>(e.data)) {
      stop_watcher(e.meta.stream);
      rt_.write_records({{webhook_records::cursor_key(e.meta.stream), std::nullopt}},
                        [](ev::outcome<void>) {});
    }
  }
}

void webhook_worker::redeliver(const std::string& watcher_id,
                               const std::string& delivery_id,
                               std::function<void(ev::outcome<void>)> done) {
  rt_.read_log(actors::runtime::read_lane::quick, [this, watcher_id, delivery_id,
                                                   done = std::move(done)](
                                                      const storage::event_log& log) {
    auto rec = log.read_record(webhook_records::body_key(delivery_id));
    if (!rec) return done(rec.error());
    std::error_code ec;
    auto v = *rec ? json::parse(**rec, ec) : json::value();
    const auto* o = v.if_object();
    const auto* wid = o ? o->if_contains("watcher_id") : nullptr;
    if (!o || !wid || !wid->is_string() || wid->get_string() != watcher_id ||
        !o->contains("body") || !o->at("body").is_string())
      return done(ev::not_found("delivery not found"));
    delivery d;
    d.id = delivery_id;
    d.redelivery = true;
    if (const auto* s = o->if_contains("seq"); s && s->is_number())
      d.seq = s->to_number<std::uint64_t>();
    if (const auto* t = o->if_contains("event_type"); t && t->is_string())
      d.type = std::string(t->get_string());
    d.body = std::make_shared<const std::string>(o->at("body").get_string());
    std::shared_ptr<run> r;
    {
      std::lock_guard lock(mu_);
      if (auto it = runs_.find(watcher_id); it != runs_.end()) r = it->second;
    }
    if (!r) return done(ev::watcher::not_delivering());
    asio::post(client_.context(), [r, d = std::move(d), done] {
      if (r->stopped) return done(ev::watcher::not_delivering());
      r->redeliveries.push_back(d);
      r->pump();
      done({});
    });
  });
}

void webhook_worker::purge(std::function<void(ev::outcome<std::size_t>)> done) {
  const auto now = rt_.time().now();
  rt_.read_log(actors::runtime::read_lane::bulk,
               [this, now, done = std::move(done)](const storage::event_log& log) {
                 auto keys = storage::expired_webhook_records(log, now);
                 if (!keys) return done(keys.error());
                 rt_.delete_records(std::move(*keys), done);
               });
}

void webhook_worker::stop() {
  std::map<std::string, std::shared_ptr<run>> runs;
  {
    std::lock_guard lock(mu_);
    if (stopped_) return;
    stopped_ = true;
    runs.swap(runs_);
  }
  for (auto& [id, r] : runs)
    asio::post(client_.context(), [r] { r->stop(); });
}

} // namespace waitroom::http
