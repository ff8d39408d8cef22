#include "actors/runtime.hpp"

#include "actors/services.hpp"
#include "events/checkin/decider.hpp"

#include <caf/atom.hpp>
#include <caf/exit_reason.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

namespace waitroom::actors {

namespace ev = waitroom::events;

namespace {

caf::actor_system_config& configure(caf::actor_system_config& cfg,
                                    const runtime_options& options) {
  // DEPENDENCIES.md: the default is max(cores, 4), which oversubscribes 2 cores.
  cfg.set("scheduler.max-threads", options.scheduler_threads);
  // Work sharing: idle workers block on a condition variable and are woken by the next
  // message. The default work stealing polls (spins, then sleeps 50 us at a time, then
  // 10 ms), which on 2 cores cost ~10 us of CPU per create and put 10 ms stalls into
  // the latency tail (bench/RESULTS.md, "scheduler policy").
  cfg.set("scheduler.policy", caf::atom("sharing"));
  if (options.configure_system) options.configure_system(cfg);
  return cfg;
}

} // namespace

runtime::runtime(storage::event_log& log, const clock& time, runtime_options options)
    : log_(log)
    , time_(time)
    , options_(options)
    , system_(std::make_unique<caf::actor_system>(configure(config_, options)))
    , registry_(*system_, ctx_) {
  ctx_.log = &log_;
  ctx_.reads = &reads_;
  ctx_.time = &time_;
  ctx_.ids = &ids_;
  ctx_.registry = &registry_;
  ctx_.effects = options_.effects;
}

runtime::~runtime() {
  shutdown();
}

void runtime::add_subscriber(subscriber s) {
  ctx_.subscribers.push_back(std::move(s));
}

ev::outcome<replay_stats> runtime::start() {
  auto stats = replay(log_, reads_.unsynchronized());
  if (!stats) return stats;
  ctx_.reader = spawn_log_reader(*system_, &ctx_);
  ctx_.bulk_reader = spawn_log_reader(*system_, &ctx_);
  ctx_.timer = spawn_timer_service(*system_, &ctx_, options_.sweep_every,
                                   options_.passivate_after);
  dispatcher_ = spawn_dispatcher(*system_, &ctx_);
  auto dispatcher = dispatcher_;
  log_.set_commit_handler([dispatcher](std::vector<storage::committed_append>&& group) {
    caf::anon_send(dispatcher, committed_group{std::move(group)});
  });
  started_ = true;
  wake_timers();
  return stats;
}

template <class Request, class Reply>
void runtime::route(std::string_view id, Request req, const Reply& reply) {
  auto target = registry_.get(id);
  if (!target) return reply(ev::not_found("no such aggregate: " + std::string(id)));
  caf::anon_send(target, std::move(req));
}

void runtime::send(std::string_view checkin_id, ev::checkin::command cmd,
                   reply_fn<ev::checkin::state> reply) {
  ids_.supply_message_ids(cmd);
  route(checkin_id, checkin_request{std::move(cmd), reply}, reply);
}

void runtime::create_checkin(ev::checkin::create cmd,
                             reply_fn<ev::checkin::state> reply) {
  auto room = cmd.room_id;
  ids_.supply_message_ids(cmd);
  route(room, create_checkin_request{std::move(cmd), reply}, reply);
}

void runtime::send(std::string_view room_id, ev::room::command cmd,
                   reply_fn<ev::room::state> reply) {
  route(room_id, room_request{std::move(cmd), reply}, reply);
}

void runtime::create_task(ev::checkin::create_task cmd,
                          reply_fn<ev::checkin::state> reply) {
  auto room = cmd.room_id;
  ids_.supply_message_ids(cmd);
  route(room, create_task_request{std::move(cmd), reply}, reply);
}

void runtime::signal(std::string_view room_id, ev::signal::broadcast_signal cmd,
                     reply_fn<ev::event_list> reply) {
  route(room_id, signal_request{std::move(cmd), reply}, reply);
}

void runtime::send(std::string_view org_id, ev::org::command cmd,
                   reply_fn<ev::event_list> reply) {
  route(org_id, org_request{std::move(cmd), reply}, reply);
}

void runtime::send(std::string_view user_id, ev::user::command cmd,
                   reply_fn<ev::user::state> reply) {
  route(user_id, user_request{std::move(cmd), reply}, reply);
}

void runtime::send(std::string_view watcher_id, ev::watcher::command cmd,
                   reply_fn<ev::watcher::state> reply) {
  route(watcher_id, watcher_request{std::move(cmd), reply}, reply);
}

void runtime::send(std::string_view agent_id, ev::agent::command cmd,
                   reply_fn<ev::agent::state> reply) {
  route(agent_id, agent_request{std::move(cmd), reply}, reply);
}

void runtime::read_log(read_lane lane,
                       std::function<void(const storage::event_log&)> job) {
  auto target = lane == read_lane::quick ? ctx_.reader : ctx_.bulk_reader;
  if (!target) return job(log_); // not started: start-up code may read directly
  caf::anon_send(target, log_job{std::move(job)});
}

void runtime::write_records(std::vector<storage::record_write> records,
                            std::function<void(ev::outcome<void>)> done) {
  storage::append_request req;
  req.records = std::move(records);
  log_.append_async(std::move(req),
                    [done = std::move(done)](ev::outcome<storage::append_result> r) {
                      if (!r) return done(std::move(r).error());
                      done({});
                    });
}

void runtime::delete_records(std::vector<std::string> keys,
                             std::function<void(ev::outcome<std::size_t>)> done) {
  const auto count = keys.size();
  if (count == 0) return done(std::size_t{0});
  std::vector<storage::record_write> deletions;
  deletions.reserve(count);
  for (auto& k : keys)
    deletions.push_back({std::move(k), std::nullopt});
  write_records(std::move(deletions),
                [done = std::move(done), count](ev::outcome<void> r) {
                  if (!r) return done(std::move(r).error());
                  done(count);
                });
}

void runtime::wake_timers() {
  if (ctx_.timer) caf::anon_send(ctx_.timer, wake_atom::value);
}

void runtime::start_effects() {
  if (ctx_.effects.exchange(true)) return;
  registry_.sweep(std::chrono::steady_clock::duration::zero());
  wake_timers();
}

void runtime::shutdown() {
  if (stopped_) return;
  stopped_ = true;
  if (started_) {
    // The log is closed by its owner first (pending appends drain through the
    // dispatcher); then every actor stops.
    registry_.stop_all();
    for (auto& a : {ctx_.timer, dispatcher_, ctx_.reader, ctx_.bulk_reader})
      if (a) caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  }
  system_->await_all_actors_done();
  // Detached actors (the log reader) end only when the last handle is gone.
  log_.set_commit_handler(nullptr);
  ctx_.reader = caf::actor{};
  ctx_.bulk_reader = caf::actor{};
  ctx_.timer = caf::actor{};
  dispatcher_ = caf::actor{};
  system_.reset();
}

} // namespace waitroom::actors
