#include "events/log/quarantine.hpp"

namespace waitroom::events::log {

quarantine_cost cost_of_quarantining(std::string_view type, std::uint32_t version) {
  if (version == 1)
    return {false,
            "the creation of its stream: the " +
                std::string(type.substr(0, type.find('.'))) +
                " disappears (404 everywhere), and its later events fold into nothing"};
  if (type == "checkin.message" || type == "checkin.help_requested" ||
      type == "checkin.expiring" || type == "signal.broadcast")
    return {true, "a record of the past (" + std::string(type) +
                      "): it no longer shows in threads, streams or the audit trail's "
                      "decoded view"};
  if (type == "checkin.approved" || type == "checkin.rejected" ||
      type == "checkin.modified" || type == "checkin.expired" ||
      type == "checkin.withdrawn" || type == "checkin.approval_recorded")
    return {false, "a decision (" + std::string(type) +
                       "): the check-in may wait again, with no deadline, until a person "
                       "decides it again"};
  if (type == "checkin.claimed" || type == "checkin.released" ||
      type == "checkin.submitted" || type == "checkin.helper_joined" ||
      type == "checkin.extended")
    return {false,
            "a change of the check-in (" + std::string(type) +
                "): it goes back to its state before, and no deadline runs any more"};
  if (type == "user.deactivated" || type == "user.token_rotated" ||
      type == "agent.deactivated" || type == "agent.key_rotated")
    return {false, "a revocation (" + std::string(type) +
                       "): the credential it revoked works again; rotate it afterwards"};
  if (type == "agent.claimed")
    return {false, "a claim: the agent is unclaimed again and may only call GET /v1/me"};
  if (type == "room.policy_updated" || type == "room.updated" ||
      type == "room.member_set" || type == "room.member_removed")
    return {false, "a change of a room (" + std::string(type) +
                       "): its policy, settings or members go back to what they were; "
                       "set them again"};
  if (type.starts_with("watcher."))
    return {false, "a change of a watcher (" + std::string(type) +
                       "): a deleted or disabled watcher may deliver again"};
  if (type.empty()) return {false, "an event whose type cannot be read: whatever it did"};
  return {false, "whatever this " + std::string(type) + " event did"};
}

} // namespace waitroom::events::log
