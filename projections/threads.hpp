#pragma once
/// The thread of every check-in: its messages in order and its participants.

#include "events/checkin/state.hpp"
#include "events/event.hpp"

#include <boost/describe/enum.hpp>

#include <string>
#include <unordered_map>
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
  std::uint64_t seq = 0;
};

enum class participant_role { creator, primary, helper, approver };
BOOST_DESCRIBE_ENUM(participant_role, creator, primary, helper, approver)

struct participant {
  events::actor_ref who;
  participant_role role = participant_role::creator;
  events::timestamp joined_at;
};

class threads {
 public:
  /// Folds a check-in event, given the check-in after it.
  void apply(const events::recorded_event& e, const events::checkin::state& after);

  /// Messages of a check-in, oldest first (empty when none).
  const std::vector<message_view>& messages(std::string_view checkin_id) const;
  /// Participants of a check-in, in the order they joined.
  const std::vector<participant>& participants(std::string_view checkin_id) const;
  std::size_t message_count() const { return messages_total_; }

 private:
  void add_participant(const std::string& checkin_id, const events::actor_ref& who,
                       participant_role role, events::timestamp at);
  std::unordered_map<std::string, std::vector<message_view>> messages_;
  std::unordered_map<std::string, std::vector<participant>> participants_;
  std::size_t messages_total_ = 0;
};

} // namespace waitroom::projections
