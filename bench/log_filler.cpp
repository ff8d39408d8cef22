// waitroom_log_filler: writes a realistic event log for the replay benchmark.
//
// It simulates a busy organization in time order: agents create check-ins through
// `checkin::decide_create` (the room's policy and the agent's trust decide, as in the
// server), and people approve, reject or modify them, agents withdraw them, and the timer
// announces and expires them, each through `checkin::decide` on the folded state. Every
// command becomes one append request with its expected stream version, as the server
// writes it; requests are queued asynchronously, so the log's writer group-commits
// thousands of them (many streams) per RocksDB WriteBatch. Durability is `none` and the
// log is synced once at the end.
//
// The data directory is then usable by `waitroom serve`, `waitroom replay` and
// `waitroom audit verify`. Ids are random (seeded, so a seed gives the same ids) with the
// real shapes. Times end about now, so the last check-ins are still pending.
#include "actors/bootstrap.hpp"
#include "events/agent/decider.hpp"
#include "events/checkin/decider.hpp"
#include "events/ids.hpp"
#include "events/org/decider.hpp"
#include "events/room/decider.hpp"
#include "events/trust/score_card.hpp"
#include "storage/event_log.hpp"

#include <CLI/CLI.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <queue>
#include <random>
#include <sys/stat.h>

namespace {

namespace ev = waitroom::events;
namespace ci = waitroom::events::checkin;
namespace storage = waitroom::storage;
namespace json = boost::json;
namespace fs = std::filesystem;

/// Appends asynchronously with bounded queueing; the first failure ends the program.
class appender {
 public:
  explicit appender(storage::event_log& log)
      : log_(log) {}
  appender(const appender&) = delete;
  appender& operator=(const appender&) = delete;
  /// Waits for the completions, which refer to this object.
  ~appender() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return outstanding_ == 0; });
  }

  /// Queues `events` for `stream`, which must be at `version` (0 = new stream).
  void append(const std::string& stream, std::uint32_t version, ev::event_list events) {
    events_ += events.size();
    for (const auto& e : events)
      ++by_type_[std::string(ev::event_type(e.data))];
    storage::append_request req;
    req.streams.push_back({stream,
                           version == 0 ? storage::expected_version::no_stream()
                                        : storage::expected_version::exact(version),
                           std::move(events)});
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return outstanding_ < max_outstanding; });
      ++outstanding_;
    }
    log_.append_async(std::move(req), [this](ev::outcome<storage::append_result> r) {
      std::lock_guard lock(mu_);
      if (!r && !failure_) failure_ = r.error().message;
      --outstanding_;
      cv_.notify_all();
    });
    check();
  }

  /// Waits until every queued append was committed.
  void drain() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return outstanding_ == 0; });
    lock.unlock();
    check();
  }

  std::uint64_t events() const { return events_; }
  /// Events written per wire type.
  const std::map<std::string, std::uint64_t>& by_type() const { return by_type_; }

 private:
  static constexpr std::size_t max_outstanding = 20000;

  void check() {
    std::lock_guard lock(mu_);
    if (failure_) throw std::runtime_error("append failed: " + *failure_);
  }

  storage::event_log& log_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::size_t outstanding_ = 0;
  std::optional<std::string> failure_;
  std::uint64_t events_ = 0;
  std::map<std::string, std::uint64_t> by_type_;
};

/// A room of the simulated organization and what its agents ask there.
struct room_profile {
  ev::room::state state;
  std::vector<std::string> actions; ///< `%v` is replaced by a version number
  double weight = 1;
};

/// What will happen to a pending check-in, decided when it is created.
enum class fate { approve, reject, modify, withdraw, expire };

/// A command due at a time, for one check-in.
struct scheduled {
  ev::timestamp at;
  std::uint64_t order = 0; ///< tie-break: scheduling order
  std::string checkin_id;
  enum class kind { approve, reject, modify, withdraw, announce, expire } what;
  bool operator>(const scheduled& o) const {
    return at != o.at ? at > o.at : order > o.order;
  }
};

class simulation {
 public:
  simulation(storage::event_log& log, std::uint64_t seed, ev::timestamp start)
      : out_(log)
      , rng_(seed)
      , now_(start) {}

  void run(std::uint64_t target_events, std::size_t agent_count, double mean_gap_ms) {
    setup_org(agent_count);
    std::exponential_distribution<double> gap(1.0 / mean_gap_ms);
    auto next_create = now_ + 1000;
    while (out_.events() < target_events) {
      if (!due_.empty() && due_.top().at <= next_create) {
        auto cmd = due_.top();
        due_.pop();
        now_ = cmd.at;
        execute(cmd);
      } else {
        now_ = next_create;
        create_checkin();
        next_create = now_ + 1 + static_cast<ev::duration_ms>(gap(rng_));
      }
    }
    out_.drain();
  }

  std::uint64_t events() const { return out_.events(); }
  const std::map<std::string, std::uint64_t>& by_type() const { return out_.by_type(); }
  std::uint64_t checkins() const { return checkins_created_; }
  std::size_t pending() const { return live_.size(); }
  std::size_t agents() const { return agents_.size(); }
  std::size_t rooms() const { return rooms_.size(); }
  ev::timestamp now() const { return now_; }
  const std::string& owner_token() const { return owner_token_; }

  void set_owner_token(std::string token) { owner_token_ = std::move(token); }

 private:
  // --- ids and randomness ---------------------------------------------------

  std::string random_chars(std::size_t n, std::string_view alphabet) {
    std::uniform_int_distribution<std::size_t> index(0, alphabet.size() - 1);
    std::string s;
    s.reserve(n);
    for (std::size_t i = 0; i < n; ++i)
      s += alphabet[index(rng_)];
    return s;
  }
  std::string make_id(std::string_view prefix) {
    return std::string(prefix) +
           random_chars(ev::id_random_length, "abcdefghijklmnopqrstuvwxyz0123456789");
  }
  std::string make_secret(std::string_view prefix, std::size_t n) {
    return std::string(prefix) +
           random_chars(n,
                        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789");
  }
  ci::fresh_ids message_ids() {
    return {make_id(ev::message_prefix), make_id(ev::message_prefix),
            make_id(ev::message_prefix)};
  }
  double uniform() { return std::uniform_real_distribution<double>(0, 1)(rng_); }
  template <class T>
  const T& pick(const std::vector<T>& xs) {
    return xs[std::uniform_int_distribution<std::size_t>(0, xs.size() - 1)(rng_)];
  }
  /// Log-uniform duration in [lo, hi] ms: people answer in seconds to an hour.
  ev::duration_ms think_time(double lo, double hi) {
    return static_cast<ev::duration_ms>(
        std::exp(std::log(lo) + uniform() * std::log(hi / lo)));
  }

  // --- the organization -----------------------------------------------------

  void setup_org(std::size_t agent_count) {
    if (owner_token_.empty()) owner_token_ = make_secret("wrh_", 32);
    ev::org::bootstrap boot{
        make_id(ev::org_prefix),  "Default organization",
        make_id(ev::user_prefix), "Owner",
        "owner@localhost",        storage::to_hex(storage::sha256(owner_token_)),
        make_id(ev::room_prefix), now_};
    org_id_ = boot.org_id;
    users_.push_back(ev::actor_ref::user(boot.owner_id));
    for (auto& e : ev::org::decide_bootstrap(boot)) {
      e.meta.version = 1;
      ev::org::evolve(org_, e);
      if (std::holds_alternative<ev::room::created>(e.data)) {
        room_profile p;
        ev::room::evolve(p.state, e);
        p.actions = {"deploy v%v to production", "restart the api service",
                     "rotate the database credentials", "scale workers to %v replicas"};
        p.weight = 4;
        rooms_.push_back(std::move(p));
      }
      auto stream = e.meta.stream;
      out_.append(stream, 0, {std::move(e)});
    }

    // People who decide: the owner and a few members. No decider exists for users yet
    // (they are only created at bootstrap), so the event is built as bootstrap does.
    for (int i = 1; i <= 4; ++i) {
      auto id = make_id(ev::user_prefix);
      auto name = "Reviewer " + std::to_string(i);
      auto token_hash = storage::to_hex(storage::sha256(make_secret("wrh_", 32)));
      out_.append(id, 0,
                  {ev::make_event(id, org_id_, {}, users_.front(), now_,
                                  ev::user::created{
                                      id, org_id_, name,
                                      "reviewer" + std::to_string(i) + "@localhost",
                                      ev::user::user_role::member, token_hash, false})});
      users_.push_back(ev::actor_ref::user(id));
    }

    add_room("deployments", "Deployments", R"({"rules":[{"id":"no-critical-prod",
      "effect":"forbid","when":{"action":"deploy * production","risk_level":["critical"]}}],
      "default_action":"require_approval"})",
             {}, {}, 2,
             {"deploy v%v to production", "deploy v%v to staging", "roll back to v%v",
              "run database migration %v"},
             2);
    add_room("docs", "Documentation", R"({"rules":[{"id":"docs-staging",
      "effect":"auto_approve","when":{"action_regex":"^update docs",
      "metadata":{"env":"staging"}}}],"trust_thresholds":{"low":25,"medium":50,
      "high":null,"critical":null},"default_action":"require_approval"})",
             {}, {}, {},
             {"update docs for release %v", "publish changelog %v", "fix broken links"},
             2);
    add_room("data", "Data", R"({"rules":[],"default_action":"require_approval"})",
             1'800'000, ci::timeout_behavior::auto_approve, {},
             {"backfill table events_%v", "delete stale exports", "run report %v"}, 2);

    for (std::size_t i = 0; i < agent_count; ++i) {
      auto key = make_secret("wr_", 32);
      ev::agent::register_agent cmd{make_id(ev::agent_prefix),
                                    org_id_,
                                    "agent-" + std::to_string(i + 1),
                                    "benchmark agent",
                                    "waitroom_log_filler",
                                    storage::to_hex(storage::sha256(key)),
                                    key.substr(0, 12),
                                    users_.front(),
                                    now_};
      auto events = ev::agent::decide(ev::agent::state{}, cmd);
      if (!events) throw std::runtime_error("register agent: " + events.error().message);
      out_.append(cmd.id, 0, std::move(*events));
      agents_.push_back(cmd.id);
    }
  }

  void add_room(std::string slug, std::string name, std::string_view policy_json,
                std::optional<ev::duration_ms> timeout,
                std::optional<ci::timeout_behavior> timeout_action,
                std::optional<int> required_approvals, std::vector<std::string> actions,
                double weight) {
    auto policy = ev::room::parse_policy(json::parse(policy_json));
    if (!policy)
      throw std::runtime_error("policy of " + slug + ": " + policy.error().message);
    ev::org::create_room cmd{make_id(ev::room_prefix),
                             slug,
                             name,
                             "",
                             timeout,
                             timeout_action,
                             required_approvals,
                             {},
                             *policy,
                             users_.front(),
                             now_};
    auto events = ev::org::decide(org_, cmd);
    if (!events)
      throw std::runtime_error("create room " + slug + ": " + events.error().message);
    room_profile p;
    for (auto& e : *events) {
      e.meta.version = 1;
      ev::org::evolve(org_, e);
      ev::room::evolve(p.state, e);
    }
    p.actions = std::move(actions);
    p.weight = weight;
    rooms_.push_back(std::move(p));
    out_.append(cmd.room_id, 0, std::move(*events));
  }

  // --- check-ins ------------------------------------------------------------

  struct live_checkin {
    ci::state state;
    fate planned = fate::approve;
  };

  const room_profile& pick_room() {
    double total = 0;
    for (const auto& r : rooms_)
      total += r.weight;
    double x = uniform() * total;
    for (const auto& r : rooms_)
      if ((x -= r.weight) < 0) return r;
    return rooms_.back();
  }

  ev::trust::score_card& card(const std::string& agent, const std::string& room) {
    return trust_[agent + '\0' + room];
  }

  void create_checkin() {
    const auto& room = pick_room();
    const auto& agent = pick(agents_);
    auto version = std::to_string(1 + (checkins_created_ / 97) % 9) + "." +
                   std::to_string(checkins_created_ % 31) + "." +
                   std::to_string(checkins_created_ % 7);
    auto action = pick(room.actions);
    if (auto at = action.find("%v"); at != std::string::npos)
      action.replace(at, 2, version);
    double r = uniform();
    auto risk = r < 0.35   ? ci::risk::low
                : r < 0.75 ? ci::risk::medium
                : r < 0.95 ? ci::risk::high
                           : ci::risk::critical;
    ci::create cmd;
    cmd.id = make_id(ev::checkin_prefix);
    cmd.room_id = room.state.id;
    cmd.org_id = org_id_;
    cmd.agent_id = agent;
    cmd.action = action;
    if (uniform() < 0.5)
      cmd.reason = "Requested by the release pipeline for " + version + ".";
    cmd.risk_level = risk;
    cmd.urgency = uniform() < 0.8 ? ci::urgency_level::normal : ci::urgency_level::high;
    cmd.metadata = {{"version", version},
                    {"env", uniform() < 0.5 ? "staging" : "production"},
                    {"ticket", "OPS-" + std::to_string(1000 + checkins_created_ % 9000)}};
    cmd.now = now_;
    cmd.message_ids = message_ids();
    auto& trust = card(agent, room.state.id);
    auto events = ci::decide_create(cmd, room.state, trust.score());
    if (!events) throw std::runtime_error("create check-in: " + events.error().message);
    ev::trust::count_created(trust, now_);
    ++checkins_created_;

    live_checkin c;
    fold(c.state, *events);
    out_.append(cmd.id, 0, std::move(*events));
    if (c.state.status != ci::checkin_status::pending) {
      settle(c.state);
      return;
    }
    plan(c);
    live_.emplace(cmd.id, std::move(c));
  }

  /// Chooses what happens to a pending check-in and schedules it.
  void plan(live_checkin& c) {
    double r = uniform();
    c.planned = r < 0.62   ? fate::approve
                : r < 0.72 ? fate::reject
                : r < 0.80 ? fate::modify
                : r < 0.87 ? fate::withdraw
                           : fate::expire;
    const auto& s = c.state;
    auto answer =
        s.created_at + think_time(20'000, 0.8 * static_cast<double>(s.timeout_ms));
    switch (c.planned) {
    case fate::approve:
    case fate::modify:
      for (int i = 0; i < s.required_approvals; ++i)
        schedule(answer + i * think_time(5'000, 300'000), s.id,
                 c.planned == fate::approve ? scheduled::kind::approve
                                            : scheduled::kind::modify);
      break;
    case fate::reject:
      schedule(answer, s.id, scheduled::kind::reject);
      break;
    case fate::withdraw:
      schedule(answer, s.id, scheduled::kind::withdraw);
      break;
    case fate::expire:
      if (auto warn = s.warn_at())
        schedule(*warn + 1000, s.id, scheduled::kind::announce);
      schedule(*s.expires_at + 1000, s.id, scheduled::kind::expire);
      break;
    }
  }

  void schedule(ev::timestamp at, const std::string& id, scheduled::kind what) {
    due_.push({at, next_order_++, id, what});
  }

  void execute(const scheduled& cmd) {
    auto it = live_.find(cmd.checkin_id);
    if (it == live_.end())
      return; // already final (e.g. the second approval of a rejected one)
    auto& s = it->second.state;
    auto by = users_[next_user_++ % users_.size()];
    ci::command c = [&]() -> ci::command {
      switch (cmd.what) {
      case scheduled::kind::approve:
        return ci::approve{by, std::nullopt, now_, message_ids()};
      case scheduled::kind::reject:
        return ci::reject{by, "Not now: wait for the change freeze to end.", now_,
                          message_ids()};
      case scheduled::kind::modify:
        return ci::modify{by, json::object{{"env", "staging"}}, "Try staging first.",
                          now_, message_ids()};
      case scheduled::kind::withdraw:
        return ci::withdraw{ev::actor_ref::agent(s.agent_id), "No longer needed.", now_,
                            message_ids()};
      case scheduled::kind::announce:
        return ci::announce_expiry{now_};
      case scheduled::kind::expire:
        return ci::expire{now_, message_ids()};
      }
      throw std::logic_error("unknown command");
    }();
    auto events = ci::decide(s, c);
    if (!events) {
      // A person who already approved cannot approve again: pick the next one later.
      if (events.error().code == ev::errc::conflict &&
          s.status == ci::checkin_status::pending)
        return schedule(now_ + 60'000, s.id, cmd.what);
      throw std::runtime_error("decide on " + s.id + ": " + events.error().message);
    }
    if (events->empty()) return;
    auto version = s.version;
    fold(s, *events);
    out_.append(s.id, version, std::move(*events));
    if (ci::is_terminal(s.status)) {
      settle(s);
      live_.erase(it);
    }
  }

  /// Folds freshly decided events (the log assigns the same versions on commit).
  static void fold(ci::state& s, ev::event_list& events) {
    for (auto& e : events) {
      e.meta.version = s.version + 1;
      ci::evolve(s, e);
    }
  }

  void settle(const ci::state& s) {
    if (s.decision) ev::trust::apply_outcome(card(s.agent_id, s.room_id), *s.decision);
  }

  appender out_;
  std::mt19937_64 rng_;
  ev::timestamp now_;
  std::string owner_token_;
  std::string org_id_;
  ev::org::state org_;
  std::vector<ev::actor_ref> users_;
  std::size_t next_user_ = 0;
  std::vector<room_profile> rooms_;
  std::vector<std::string> agents_;
  std::map<std::string, ev::trust::score_card> trust_;
  std::map<std::string, live_checkin> live_;
  std::priority_queue<scheduled, std::vector<scheduled>, std::greater<>> due_;
  std::uint64_t next_order_ = 0;
  std::uint64_t checkins_created_ = 0;
};


} // namespace

int main(int argc, char** argv) {
  CLI::App cli{"Write a realistic Waitroom event log (for the replay benchmark)"};
  std::uint64_t target = 1'000'000;
  std::string data;
  std::uint64_t seed = 42;
  std::size_t agents = 100;
  std::string owner_token;
  cli.add_option("--events", target, "Write at least this many events")
      ->capture_default_str();
  cli.add_option("--data", data, "Data directory (the log goes to DATA/log; must be new)")
      ->required();
  cli.add_option("--agents", agents, "Registered agents")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  cli.add_option("--seed", seed, "Random seed (same seed, same ids and mix)")
      ->capture_default_str();
  cli.add_option(
         "--owner-token", owner_token,
         "Owner token (wrh_...); generated and written to DATA/owner-token if absent")
      ->envname("WAITROOM_BOOTSTRAP_TOKEN");
  CLI11_PARSE(cli, argc, argv);

  try {
    fs::path dir(data);
    if (fs::exists(dir / "log"))
      throw std::runtime_error(data + "/log exists: the filler only writes a new log");
    fs::create_directories(dir);
    auto opened = storage::open_rocksdb_log(dir / "log", {storage::durability::none});
    if (!opened)
      throw std::runtime_error("cannot open the log: " + opened.error().message);
    auto& log = **opened;

    // About 5.1 events per check-in and one check-in every 2 s on average; the
    // simulated period ends about now.
    const double mean_gap_ms = 2000;
    auto span_ms =
        static_cast<std::int64_t>(static_cast<double>(target) / 5.1 * mean_gap_ms);
    auto wall_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
    simulation sim(log, seed, ev::timestamp{wall_ms - span_ms});
    if (!owner_token.empty()) sim.set_owner_token(owner_token);

    auto start = std::chrono::steady_clock::now();
    sim.run(target, agents, mean_gap_ms);
    auto head = log.head().seq;
    log.close();
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (head != sim.events())
      throw std::runtime_error("head seq " + std::to_string(head) +
                               " != events written " + std::to_string(sim.events()));
    if (owner_token.empty()) waitroom::actors::write_owner_token(dir, sim.owner_token());

    json::object types;
    for (const auto& [type, n] : sim.by_type())
      types[type] = n;
    json::object out{{"events", sim.events()},
                     {"check_ins", sim.checkins()},
                     {"pending", sim.pending()},
                     {"agents", sim.agents()},
                     {"rooms", sim.rooms()},
                     {"last_at", ev::format_rfc3339(sim.now())},
                     {"seconds", seconds},
                     {"events_per_second", static_cast<double>(sim.events()) / seconds},
                     {"events_by_type", std::move(types)},
                     {"data", data}};
    std::printf("%s\n", json::serialize(out).c_str());
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "waitroom_log_filler: %s\n", e.what());
    return 1;
  }
}
