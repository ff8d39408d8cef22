#pragma once
/// The machinery every aggregate actor shares: hydrate the state from the actor's
/// stream (through the log reader, never blocking the scheduler), run one command at a
/// time against it, append the resulting events with the expected version, and fold
/// them only after the commit. Commands that arrive meanwhile wait in order.
///
/// A stale state (another writer got there first: the log answers ABORTED on the
/// expected version, never a domain CONFLICT) is reloaded and the command decided
/// again, up to three times.
///
/// Used from a single actor's handlers only: not thread-safe, no locks needed.

#include "actors/context.hpp"
#include "actors/messages.hpp"

#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>

#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>

namespace waitroom::actors {

template <class State>
class aggregate_core {
 public:
  using evolve_fn = void (*)(State&, const events::recorded_event&);
  /// A queued command. Called with nullptr to run, or with the error that prevents it
  /// from running (e.g. the stream could not be read), which it must answer.
  using work = std::function<void(const events::error*)>;
  using committed_fn = std::function<void(events::outcome<storage::append_result>)>;

  State state;

  /// Starts the actor: loads `stream` through the log reader unless `load` is false
  /// (the caller fills `state` itself and calls `mark_ready`).
  void init(caf::event_based_actor* self, context* ctx, std::string stream,
            evolve_fn evolve, bool load = true) {
    self_ = self;
    ctx_ = ctx;
    stream_ = std::move(stream);
    evolve_ = evolve;
    if (load) hydrate();
  }

  void mark_ready() {
    ready_ = true;
    drain();
  }

  const std::string& stream() const { return stream_; }

  /// Runs `w` once the state is loaded and no own append is in flight.
  void submit(work w) {
    deferred_.push_back(std::move(w));
    drain();
  }

  /// Appends events of this aggregate's stream, expecting the current version. Call from
  /// a work item; the next work item waits until `then` has run (after the fold).
  void append_own(events::event_list events, committed_fn then) {
    append_exclusive(stream_, expected(), std::move(events), std::move(then));
  }

  /// Like `append_own`, for events this aggregate decides into other streams (an
  /// organization creating a room, or itself with its owner and first room):
  /// serialized, atomic across the streams, and folded into `state` after commit.
  void append_exclusive(std::vector<storage::stream_append> streams, committed_fn then) {
    busy_ = true;
    own_then_ = std::move(then);
    own_token_ = next_token_++;
    storage::append_request req;
    req.streams = std::move(streams);
    send_append(std::move(req), own_token_);
  }

  void append_exclusive(std::string stream, storage::expected_version expected,
                        events::event_list events, committed_fn then) {
    std::vector<storage::stream_append> streams;
    streams.push_back({std::move(stream), expected, std::move(events)});
    append_exclusive(std::move(streams), std::move(then));
  }

  /// Appends events that create another stream (a room creating a check-in). Not
  /// serialized and not folded: several may be in flight.
  void append_new_stream(std::string stream, events::event_list events,
                         committed_fn then) {
    auto token = next_token_++;
    others_.emplace(token, std::move(then));
    storage::append_request req;
    req.streams.push_back(
        {std::move(stream), storage::expected_version::no_stream(), std::move(events)});
    send_append(std::move(req), token);
  }

  void handle(const append_done& d) {
    if (auto it = others_.find(d.token); it != others_.end()) {
      auto then = std::move(it->second);
      others_.erase(it);
      then(d.result);
      drain();
      return;
    }
    if (!busy_ || d.token != own_token_) return;
    busy_ = false;
    auto then = std::move(own_then_);
    own_then_ = nullptr;
    if (!d.result && d.result.error().code == events::errc::aborted && attempts_ < 3) {
      // Our state was stale: reload and decide the same command again.
      ++attempts_;
      deferred_.push_front(std::move(current_));
      hydrate();
      return;
    }
    attempts_ = 0;
    current_ = nullptr;
    if (d.result)
      for (const auto& e : d.result->events)
        evolve_(state, e);
    then(d.result);
    drain();
  }

  void handle(const stream_loaded& l) {
    if (l.token != load_token_) return;
    if (!l.events) {
      failure_ = l.events.error();
    } else {
      state = State{};
      for (const auto& e : *l.events)
        evolve_(state, e);
      failure_.reset();
    }
    ready_ = true;
    drain();
  }

  /// Quits now if idle, otherwise as soon as the queued work is done.
  void passivate() {
    passivating_ = true;
    drain();
  }

  bool idle() const { return ready_ && !busy_ && deferred_.empty() && others_.empty(); }

 private:
  storage::expected_version expected() const {
    return state.version == 0 ? storage::expected_version::no_stream()
                              : storage::expected_version::exact(state.version);
  }

  void send_append(storage::append_request req, std::uint64_t token) {
    auto me = caf::actor_cast<caf::actor>(self_);
    ctx_->log->append_async(std::move(req),
                            [me, token](events::outcome<storage::append_result> r) {
                              caf::anon_send(me, append_done{token, std::move(r)});
                            });
  }

  void hydrate() {
    ready_ = false;
    load_token_ = next_token_++;
    auto me = caf::actor_cast<caf::actor>(self_);
    auto token = load_token_;
    caf::anon_send(
        ctx_->reader,
        load_stream{stream_,
                    [me, token](events::outcome<std::vector<events::recorded_event>> r) {
                      caf::anon_send(me, stream_loaded{token, std::move(r)});
                    }});
  }

  void drain() {
    while (ready_ && !busy_ && !deferred_.empty()) {
      current_ = std::move(deferred_.front());
      deferred_.pop_front();
      if (failure_) {
        current_(&*failure_);
        current_ = nullptr;
        continue;
      }
      run_current();
      if (!busy_) current_ = nullptr;
    }
    if (passivating_ && idle()) self_->quit();
  }

  /// Runs the current work item. Domain code answers errors as values; an exception is
  /// a bug (or memory exhaustion): it becomes an INTERNAL answer instead of killing the
  /// actor and every reply still queued in it.
  void run_current() {
    try {
      current_(nullptr);
    } catch (const std::exception& e) {
      busy_ = false;
      auto failure = events::internal_error(std::string("internal error: ") + e.what());
      current_(&failure);
    }
  }

  caf::event_based_actor* self_ = nullptr;
  context* ctx_ = nullptr;
  std::string stream_;
  evolve_fn evolve_ = nullptr;
  bool ready_ = false;
  bool busy_ = false;
  bool passivating_ = false;
  int attempts_ = 0;
  std::deque<work> deferred_;
  work current_;
  committed_fn own_then_;
  std::uint64_t next_token_ = 1;
  std::uint64_t own_token_ = 0;
  std::uint64_t load_token_ = 0;
  std::unordered_map<std::uint64_t, committed_fn> others_;
  std::optional<events::error> failure_;
};

} // namespace waitroom::actors
