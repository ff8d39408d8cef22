#include "events/watcher/access.hpp"

#include "events/ids.hpp"
#include "events/watcher/decider.hpp"

#include <boost/url/parse.hpp>

namespace waitroom::events::watcher {

bool visible_to(const state& w, const room::state* room, std::string_view org_id,
                const room::caller& who) {
  if (!w.exists() || w.deleted || w.org_id != org_id) return false;
  return room != nullptr && room->id == w.room_id && room::can_see(*room, who);
}

outcome<void> check_manager(const state& w, const actor_ref& by, bool by_admin) {
  if (!may_manage(w, by, by_admin))
    return forbidden("only its creator or an admin can see a watcher's deliveries");
  return {};
}

outcome<void> check_redelivery(const state& w, const actor_ref& by, bool by_admin) {
  if (auto ok = check_manager(w, by, by_admin); !ok) return ok;
  if (w.disabled) return conflict("the watcher is disabled: it delivers nothing");
  if (!w.active()) return not_delivering();
  return {};
}

error not_delivering() {
  return conflict("the watcher does not deliver (disabled or deleted)");
}

outcome<std::string> check_webhook_url(std::string_view url) {
  if (url.size() > max_webhook_url_bytes)
    return validation_error("webhook_url", "must be at most " +
                                               std::to_string(max_webhook_url_bytes) +
                                               " bytes");
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed || (parsed->scheme() != "http" && parsed->scheme() != "https") ||
      parsed->host().empty())
    return validation_error("webhook_url", "must be an absolute http or https URL");
  return std::string(parsed->host());
}

outcome<void> check_webhook_secret(std::string_view secret) {
  if (secret.size() < webhook_secret_min || secret.size() > webhook_secret_max)
    return validation_error("secret", "must have " + std::to_string(webhook_secret_min) +
                                          "-" + std::to_string(webhook_secret_max) +
                                          " characters");
  return {};
}

} // namespace waitroom::events::watcher
