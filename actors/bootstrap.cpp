#include "actors/bootstrap.hpp"

#include "events/ids.hpp"
#include "events/org/decider.hpp"

namespace waitroom::actors {

namespace ev = waitroom::events;

ev::outcome<bootstrap_result> bootstrap_if_empty(storage::event_log& log, id_source& ids,
                                                 const clock& time,
                                                 std::optional<std::string> token) {
  bootstrap_result out;
  if (log.head().seq != 0) return out;
  out.created = true;
  out.owner_token = token ? *token : ids.make_secret("wrh_", 32);
  out.org_id = ids.make_id(ev::org_prefix);
  out.owner_id = ids.make_id(ev::user_prefix);
  out.room_id = ids.make_id(ev::room_prefix);
  ev::org::bootstrap cmd{
      out.org_id,        "Default organization",           out.owner_id, "Owner",
      "owner@localhost", credential_hash(out.owner_token), out.room_id,  time.now()};
  storage::append_request req;
  for (auto& e : ev::org::decide_bootstrap(cmd)) {
    auto stream = e.meta.stream;
    req.streams.push_back(
        {stream, storage::expected_version::no_stream(), {std::move(e)}});
  }
  auto r = log.append(std::move(req));
  if (!r) return std::move(r).error();
  return out;
}

} // namespace waitroom::actors
