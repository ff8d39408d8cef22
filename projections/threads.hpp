#pragma once
/// The thread of a check-in: its messages in order and its participants, folded from
/// the check-in's own stream when someone asks for it. The log holds the messages; no
/// projection keeps them in memory (they are most of the events, and read rarely).

#include "events/checkin/state.hpp"
#include "events/event.hpp"

#include <boost/describe/enum.hpp>

#include <string>
#include <vector>

namespace waitroom::projections {

struct message_view {
  std::string id;
  std::string check_in_id;
  events::checkin::message_kind type = events::checkin::message_kind::comment;
  events::actor_ref author;
  std::string content;
  boost::json::object metadata;
  boost::json::array attachments;
  events::timestamp created_at;
};

enum class participant_role { creator, primary, helper, approver };
BOOST_DESCRIBE_ENUM(participant_role, creator, primary, helper, approver)

/// Who takes part: the creator, the primary agent (while it is one), helpers, and the
/// people who decided (a withdrawal is not a decision). Once per role, in joining order.
struct participant {
  events::actor_ref who;
  participant_role role = participant_role::creator;
  events::timestamp joined_at;
};

class thread {
 public:
  /// Folds one event of the check-in's stream (other events change nothing).
  void apply(const events::recorded_event& e);

  const std::vector<message_view>& messages() const { return messages_; }
  const std::vector<participant>& participants() const { return participants_; }

 private:
  void add(const events::actor_ref& who, participant_role role, events::timestamp at);
  std::vector<message_view> messages_;
  std::vector<participant> participants_;
};

/// The thread of the check-in whose stream is `events` (in version order).
thread thread_of(const std::vector<events::recorded_event>& events);

} // namespace waitroom::projections
