// `waitroom replay`: fold the log (read-only) and report, optionally as of a point.
#include "actors/replay.hpp"
#include "app/commands.hpp"
#include "app/read_only_log.hpp"
#include "events/ids.hpp"
#include "http/wire/render.hpp"

#include <boost/json/serialize.hpp>

#include <cstdio>
#include <unistd.h>

namespace waitroom::app {

namespace json = boost::json;
namespace ev = waitroom::events;

int replay(const replay_options& o) {
  auto log = open_read_only(o.from, "replay");
  if (!log) return 1;
  actors::replay_limits limits;
  if (o.until) {
    auto point = actors::replay_limits_from(*o.until);
    if (!point) {
      std::fprintf(stderr,
                   "waitroom replay: --until must be a seq or an RFC 3339 time\n");
      return 2;
    }
    limits = *point;
  }
  projections::projection_set p;
  auto stats = actors::replay(*log, p, limits, [](std::uint64_t seq, std::uint64_t head) {
    show_progress("replaying", seq, head);
  });
  if (!stats) {
    std::fprintf(stderr, "waitroom replay: %s\n", stats.error().message.c_str());
    std::fputs(unreadable_event_advice(stats.error(), o.from).c_str(), stderr);
    return 1;
  }
  if (o.room) {
    // A slug may exist in several organizations: ids are unambiguous.
    const ev::room::state* room = nullptr;
    int matches = 0;
    if (ev::is_id(*o.room, ev::room_prefix)) {
      room = p.rooms.by_id(*o.room);
      matches = room ? 1 : 0;
    } else {
      for (const auto* candidate : p.rooms.all())
        if (candidate->slug == *o.room) {
          room = candidate;
          ++matches;
        }
    }
    if (matches == 0) {
      std::fprintf(stderr, "waitroom replay: no room '%s' at that point\n",
                   o.room->c_str());
      return 1;
    }
    if (matches > 1) {
      std::fprintf(
          stderr,
          "waitroom replay: slug '%s' exists in %d organizations; use the rm_ id\n",
          o.room->c_str(), matches);
      return 2;
    }
    std::string out;
    http::json_writer w(out);
    http::write_room_as_of(w, p, *room, stats->last_seq);
    std::printf("%s\n", out.c_str());
    return 0;
  }
  const auto& counts = p.checkins.status_counts();
  json::object by_status;
  for (std::size_t i = 0; i < counts.size(); ++i)
    by_status[ev::wire_name(static_cast<ev::checkin::checkin_status>(i))] = counts[i];
  double rate =
      stats->seconds > 0 ? static_cast<double>(stats->events) / stats->seconds : 0;
  json::object out{
      {"events", stats->events},        {"last_seq", stats->last_seq},
      {"seconds", stats->seconds},      {"events_per_second", rate},
      {"orgs", p.dir.org_count()},      {"users", p.dir.user_count()},
      {"agents", p.dir.agent_count()},  {"rooms", p.rooms.size()},
      {"check_ins", p.checkins.size()}, {"check_ins_by_status", std::move(by_status)},
      {"trust_scores", p.trust.size()}, {"open_deadlines", p.deadlines.size()}};
  std::printf("%s\n", json::serialize(out).c_str());
  return 0;
}

} // namespace waitroom::app
