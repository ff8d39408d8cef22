#pragma once
/// The actor runtime: owns the CAF actor system, the read models, the registry and the
/// service actors, and is the one door through which the HTTP layer sends commands.
///
/// Commands are asynchronous: each `reply` runs exactly once on an actor thread, after
/// the events are durable and folded into the read models; it must not block (post the
/// answer to the connection's executor). Thread-safe.

#include "actors/clock.hpp"
#include "actors/context.hpp"
#include "actors/id_source.hpp"
#include "actors/messages.hpp"
#include "actors/registry.hpp"
#include "actors/replay.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>

#include <chrono>
#include <functional>
#include <memory>

namespace waitroom::actors {

struct runtime_options {
  /// CAF scheduler threads. The default 1 leaves the other core to Beast and the log
  /// writer on a 2-core machine.
  int scheduler_threads = 1;
  std::chrono::milliseconds sweep_every{10'000};
  std::chrono::milliseconds passivate_after{60'000};
  /// Whether this runtime acts on its own: fires deadlines (the timer service). A
  /// cluster's replica starts without (it folds what its writer appends, whose timers
  /// fire) and gains them with `start_effects` when it becomes the writer.
  bool effects = true;
  /// Tests only (unset in production): adjusts the actor system's configuration after
  /// the defaults above, before the system is created, e.g. to load CAF's test
  /// coordinator as the scheduler (tests/actors/runtime_fixture.hpp).
  std::function<void(caf::actor_system_config&)> configure_system;
};

class runtime {
 public:
  runtime(storage::event_log& log, const clock& time, runtime_options options = {});
  ~runtime();
  runtime(const runtime&) = delete;
  runtime& operator=(const runtime&) = delete;

  /// Adds a subscriber to committed events. Call before `start`.
  void add_subscriber(subscriber s);

  /// Folds the whole log into the read models, starts the dispatcher and arms the
  /// timers (overdue deadlines fire at once). Blocking: start-up only.
  events::outcome<replay_stats> start();

  /// Read access to every projection.
  const projections::read_model& reads() const { return reads_; }
  id_source& ids() { return ids_; }
  const clock& time() const { return time_; }

  /// A command on an existing check-in.
  void send(std::string_view checkin_id, events::checkin::command cmd,
            reply_fn<events::checkin::state> reply);
  /// A new agent check-in in `cmd.room_id` (through the room actor).
  void create_checkin(events::checkin::create cmd,
                      reply_fn<events::checkin::state> reply);
  /// A command on a room.
  void send(std::string_view room_id, events::room::command cmd,
            reply_fn<events::room::state> reply);
  /// A new task in `cmd.room_id` (through the room actor).
  void create_task(events::checkin::create_task cmd,
                   reply_fn<events::checkin::state> reply);
  /// A signal to `room_id` (through the room actor); answers the committed events.
  void signal(std::string_view room_id, events::signal::broadcast_signal cmd,
              reply_fn<events::event_list> reply);
  /// A command on an organization: room creation, or organization creation on a new id.
  /// Answers the committed events.
  void send(std::string_view org_id, events::org::command cmd,
            reply_fn<events::event_list> reply);
  /// A command on an agent.
  void send(std::string_view agent_id, events::agent::command cmd,
            reply_fn<events::agent::state> reply);
  /// A command on a user.
  void send(std::string_view user_id, events::user::command cmd,
            reply_fn<events::user::state> reply);
  /// A command on a watcher.
  void send(std::string_view watcher_id, events::watcher::command cmd,
            reply_fn<events::watcher::state> reply);

  /// The random id fixed when the log was created (`Waitroom-Log-Id`).
  std::string log_id() const { return log_.head().log_id; }
  /// Why the log refuses writes, if it does (see `event_log::write_failure`).
  std::optional<std::string> write_failure() const { return log_.write_failure(); }

  /// Which reader thread runs a log job: `quick` shares the thread that hydrates actors
  /// (short point reads), `bulk` has its own (scans that may take a while).
  enum class read_lane { quick, bulk };

  /// Runs `job` with the log on a reader thread, where blocking reads are allowed; the
  /// job must answer its caller itself (e.g. by posting to an io executor).
  void read_log(read_lane lane, std::function<void(const storage::event_log&)> job);

  /// Appends without an aggregate: side records only (idempotency). `done` runs after
  /// the commit, on an actor thread.
  void write_records(std::vector<storage::record_write> records,
                     std::function<void(events::outcome<void>)> done);
  /// Deletes side records (a purge); `done` gets how many went.
  void delete_records(std::vector<std::string> keys,
                      std::function<void(events::outcome<std::size_t>)> done);

  /// Makes the timer service look at the deadline index now (tests with a manual clock).
  void wake_timers();
  /// A replica that became its cluster's writer: drops every aggregate actor (their
  /// state may predate what it followed), then fires deadlines from now on, overdue
  /// ones at once. Idempotent.
  void start_effects();
  bool effects() const { return ctx_.effects.load(); }
  /// Number of live aggregate actors.
  std::size_t live_actors() const { return registry_.size(); }
  /// Passivates every actor idle for `idle` (tests).
  std::size_t passivate_idle(std::chrono::milliseconds idle) {
    return registry_.sweep(idle);
  }

  /// Stops every actor after the log was closed; waits for them. Idempotent.
  void shutdown();

 private:
  template <class Request, class Reply>
  void route(std::string_view id, Request req, const Reply& reply);

  storage::event_log& log_;
  const clock& time_;
  runtime_options options_;
  id_source ids_;
  projections::read_model reads_;
  caf::actor_system_config config_;
  std::unique_ptr<caf::actor_system> system_;
  context ctx_;
  registry registry_;
  caf::actor dispatcher_;
  bool started_ = false;
  bool stopped_ = false;
};

} // namespace waitroom::actors
