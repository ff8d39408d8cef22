#include "actors/bootstrap.hpp"

#include "events/ids.hpp"
#include "events/org/decider.hpp"

#include <sys/stat.h>

#include <fstream>
#include <stdexcept>

namespace waitroom::actors {

namespace ev = waitroom::events;

ev::outcome<void> check_bootstrap_token(const std::string& token) {
  if (ev::is_user_token(token)) return {};
  return ev::validation_error("bootstrap_token",
                              "must be a person's token: wrh_ and 32 letters, digits, _ "
                              "or - (leave it unset for a generated one)");
}

ev::outcome<bootstrap_result> bootstrap_if_empty(storage::event_log& log, id_source& ids,
                                                 const clock& time,
                                                 std::optional<std::string> token) {
  bootstrap_result out;
  if (log.head().seq != 0) return out;
  if (token)
    if (auto checked = check_bootstrap_token(*token); !checked)
      return std::move(checked).error();
  out.created = true;
  out.owner_token = token ? *token : ids.make_secret(ev::user_token);
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

void write_owner_token(const std::filesystem::path& data_dir, const std::string& token) {
  auto path = data_dir / "owner-token";
  {
    // Create it 0600 from the start: the token must never be readable by others.
    std::ofstream touch(path, std::ios::app);
  }
  if (::chmod(path.c_str(), 0600) != 0)
    throw std::runtime_error("cannot restrict " + path.string());
  std::ofstream out(path, std::ios::trunc);
  out << token << "\n";
  if (!out.flush())
    throw std::runtime_error("cannot write " + path.string());
}

} // namespace waitroom::actors
