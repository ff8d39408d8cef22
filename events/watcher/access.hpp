#pragma once
/// Who sees a watcher, who manages it, and what a webhook's URL and secret must be.
///
/// - A person or agent sees a watcher that is not deleted, of their organization, in a
///   room they can see (`room::can_see`); anyone else gets NOT_FOUND, as if it did not
///   exist.
/// - Its creator or an admin of the organization manages it (`may_manage`): lists its
///   deliveries and redelivers; others who see it get FORBIDDEN.
/// - A disabled watcher delivers nothing, redeliveries included (CONFLICT); it can still
///   be listed, read and deleted.
/// - A webhook URL is an absolute `http` or `https` URI with a host, at most 2048 bytes.
///   (Whether private addresses are refused is the operator's choice,
///   `--webhook-deny-private`, applied at the edge.)
/// - A secret chosen by the creator has 16-256 characters; otherwise the server makes
///   one (`ids.hpp`, `webhook_secret`).

#include "events/actor_ref.hpp"
#include "events/outcome.hpp"
#include "events/room/access.hpp"
#include "events/watcher/state.hpp"

#include <string>
#include <string_view>

namespace waitroom::events::watcher {

inline constexpr std::size_t max_webhook_url_bytes = 2048;

/// Whether `who` (of organization `org_id`) sees `w`, whose room is `room` (nullptr: the
/// room is gone).
bool visible_to(const state& w, const room::state* room, std::string_view org_id,
                const room::caller& who);

/// FORBIDDEN unless `by` may manage `w` (`may_manage`, decider.hpp).
outcome<void> check_manager(const state& w, const actor_ref& by, bool by_admin);

/// Whether a delivery of `w` may be sent again now: by a manager, while it delivers.
outcome<void> check_redelivery(const state& w, const actor_ref& by, bool by_admin);

/// The CONFLICT of a watcher that does not deliver (disabled, or deleted meanwhile).
error not_delivering();

/// The URL's host, or the VALIDATION_ERROR on `webhook_url`.
outcome<std::string> check_webhook_url(std::string_view url);

/// VALIDATION_ERROR on `secret` unless a chosen secret has 16-256 characters.
outcome<void> check_webhook_secret(std::string_view secret);

} // namespace waitroom::events::watcher
