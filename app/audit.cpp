// `waitroom audit verify` and `waitroom audit export` (read-only: beside a live server).
#include "actors/clock.hpp"
#include "app/commands.hpp"
#include "app/read_only_log.hpp"
#include "events/codec.hpp"
#include "events/ids.hpp"
#include "events/log/quarantine.hpp"

#include <boost/json/serialize.hpp>

#include <cstdio>
#include <filesystem>
#include <set>

namespace waitroom::app {

namespace ev = waitroom::events;

namespace {

/// `text` as one shell word (copied from the advice into a shell as it is).
std::string shell_word(const std::string& text) {
  if (!text.empty() && text.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP"
                                              "QRSTUVWXYZ0123456789_-./:=@%+,") ==
                           std::string::npos)
    return text;
  std::string out = "'";
  for (char c : text)
    out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

} // namespace

std::string unreadable_event_advice(const ev::error& e, const log_source& from) {
  const auto* seq = e.details.if_contains("seq");
  if (seq == nullptr || !seq->is_number()) return {};
  return unreadable_event_advice(seq->to_number<std::uint64_t>(), from);
}

std::string unreadable_event_advice(std::uint64_t seq, const log_source& from) {
  const auto n = std::to_string(seq);
  if (!from.nats.empty())
    return "An unreadable event stops every start: the server cannot know what it did.\n"
           "A cluster's log cannot be quarantined yet: restore the stream from a backup\n"
           "(docs/cluster.md).\n";
  const auto& data = from.data;
  return "An unreadable event stops every start: the server cannot know what it did.\n"
         "To set it aside (its bytes stay in the log and the chain still verifies),\n"
         "stop the server and run:\n"
         "  waitroom audit quarantine --data " +
         shell_word(data) + " --seq " + n +
         " --reason \"...\"\n"
         "It says what is lost with it first. Then start again. See docs/operations.md,\n"
         "\"An unreadable event\".\n";
}

int audit_verify(const log_source& from) {
  auto log = open_read_only(from, "audit verify");
  if (!log) return 1;
  auto report = log->verify();
  auto out = storage::to_json(report);
  std::printf("%s\n", boost::json::serialize(out).c_str());
  if (!report.ok) {
    std::fprintf(stderr, "waitroom audit verify: %s at seq %llu: %s\n",
                 report.undecodable ? "unreadable event" : "chain broken",
                 static_cast<unsigned long long>(report.first_bad_seq.value_or(0)),
                 report.problem.c_str());
    if (report.undecodable && report.first_bad_seq)
      std::fputs(unreadable_event_advice(*report.first_bad_seq, from).c_str(), stderr);
    return 1;
  }
  return 0;
}

int audit_quarantine(const quarantine_options& o) {
  storage::rocksdb_options lo;
  lo.create_if_missing = false;
  auto opened = storage::open_rocksdb_log(std::filesystem::path(o.data) / "log", lo);
  if (!opened) {
    std::fprintf(stderr,
                 "waitroom audit quarantine: cannot open the log in %s for writing: %s\n"
                 "(stop the server first: quarantine needs the log to itself)\n",
                 o.data.c_str(), opened.error().message.c_str());
    return 1;
  }
  auto& log = **opened;
  auto stand_in = log.quarantine(o.seq, o.reason, actors::system_clock().now(), o.force);
  log.close();
  if (!stand_in) {
    std::fprintf(stderr, "waitroom audit quarantine: %s\n",
                 stand_in.error().message.c_str());
    return 1;
  }
  const auto& fact = std::get<ev::log::quarantined>(stand_in->data);
  std::fprintf(stderr, "waitroom audit quarantine: lost with it: %s\n",
               ev::log::cost_of_quarantining(fact.type, fact.version).lost.c_str());
  std::printf("%s\n", ev::encode(*stand_in).c_str());
  std::fprintf(stderr,
               "waitroom audit quarantine: event %llu is set aside; readers see the "
               "log.quarantined event above in its place\n",
               static_cast<unsigned long long>(o.seq));
  return 0;
}

int audit_export(const export_options& o) {
  auto log = open_read_only(o.from, "audit export");
  if (!log) return 1;
  auto head = log->head().seq;
  // A slug names a room within an organization: find every room with it first.
  std::set<std::string> rooms;
  if (o.room && ev::is_id(*o.room, ev::room_prefix)) {
    rooms.insert(*o.room);
  } else if (o.room) {
    auto found = log->scan(1, head, [&](const storage::stored_event& s) {
      if (auto e = storage::decode(s))
        if (const auto* c = std::get_if<ev::room::created>(&e->data);
            c && c->slug == *o.room)
          rooms.insert(c->id);
      return true;
    });
    if (!found) {
      std::fprintf(stderr, "waitroom audit export: %s\n", found.error().message.c_str());
      return 1;
    }
    if (rooms.empty()) {
      std::fprintf(stderr, "waitroom audit export: no room '%s'\n", o.room->c_str());
      return 1;
    }
    if (rooms.size() > 1)
      std::fprintf(stderr,
                   "waitroom audit export: slug '%s' names rooms in %zu "
                   "organizations; exporting all of them (use the rm_ id for one)\n",
                   o.room->c_str(), rooms.size());
  }
  std::uint64_t written = 0;
  std::optional<ev::error> failure;
  auto from = o.since_seq.value_or(0) + 1;
  auto scanned = log->scan(from, head, [&](const storage::stored_event& s) {
    if ((s.seq & 0x3FFF) == 0) show_progress("exporting", s.seq, head);
    if (!rooms.empty() || o.type) {
      auto e = storage::decode(s);
      if (!e) {
        failure = std::move(e).error(); // names the seq and type
        return false;
      }
      if (!rooms.empty() && rooms.count(e->meta.room_id) == 0) return true;
      if (o.type && !ev::event_type(e->data).starts_with(*o.type)) return true;
    }
    auto line = storage::audit_json(s);
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), stdout);
    ++written;
    return true;
  });
  show_progress("exporting", head, head);
  std::fflush(stdout);
  if (!scanned || failure) {
    std::fprintf(stderr, "waitroom audit export: %s\n",
                 (failure ? *failure : scanned.error()).message.c_str());
    return 1;
  }
  std::fprintf(stderr, "waitroom audit export: %llu events\n",
               static_cast<unsigned long long>(written));
  return 0;
}

} // namespace waitroom::app
