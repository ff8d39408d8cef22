#pragma once
/// Who is told of a check-in, and how urgently (API.md "Real-time events", Web Push):
///
/// - A check-in created `pending` (one the policy did not decide at once) and still
///   pending when the notice goes out: `checkin.pending`.
/// - Its expiry warning (`checkin.expiring`): `checkin.expiring`, whatever it waits for
///   (a check-in's decision or a task's claim).
/// - Told: every active person of the organization who may decide in the room
///   (`room::can_act`).
/// - Urgent: an expiry warning, and a check-in of risk `high` or `critical`.
///
/// Like watcher/delivery.hpp, the rules only; the push worker (http/outbound) sends.

#include "events/checkin/state.hpp"
#include "events/event.hpp"
#include "events/room/state.hpp"
#include "events/user/state.hpp"

#include <optional>
#include <string_view>

namespace waitroom::events::checkin {

enum class notice_kind { pending, expiring };

struct notice {
  notice_kind kind = notice_kind::pending;
  bool urgent = false;
};

/// The kind of notice an event of this type may give (nothing: it never notifies);
/// what a subscriber checks before it reads the check-in.
std::optional<notice_kind> notice_kind_of(const recorded_event& e);

/// The notice committed event `e` of check-in `now` (as it is when the notice goes out)
/// gives, if any.
std::optional<notice> notice_of(const recorded_event& e, const state& now);

/// Whether `u` is told of the check-ins of `room`.
bool is_told(const room::state& room, const user::state& u);

/// `checkin.pending` or `checkin.expiring`: the notice's type in a push payload.
std::string_view notice_type(notice_kind k);

} // namespace waitroom::events::checkin
