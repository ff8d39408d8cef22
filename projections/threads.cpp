#include "projections/threads.hpp"

#include <algorithm>

namespace waitroom::projections {

namespace ev = waitroom::events;

namespace {
const std::vector<message_view> no_messages;
const std::vector<participant> no_participants;
} // namespace

void threads::add_participant(const std::string& checkin_id, const ev::actor_ref& who,
                              participant_role role, ev::timestamp at) {
  auto& list = participants_[checkin_id];
  for (const auto& p : list)
    if (p.who == who && p.role == role) return;
  list.push_back({who, role, at});
}

void threads::apply(const ev::recorded_event& e, const ev::checkin::state& after) {
  const auto& id = e.meta.stream;
  std::visit(
      [&](const auto& data) {
        using T = std::decay_t<decltype(data)>;
        if constexpr (std::is_same_v<T, ev::checkin::message_posted>) {
          messages_[id].push_back({data.id, id, data.type, data.author, data.content,
                                   data.metadata, data.attachments, e.meta.at,
                                   e.meta.seq});
          ++messages_total_;
        } else if constexpr (std::is_same_v<T, ev::checkin::created>) {
          add_participant(id, data.created_by, participant_role::creator, e.meta.at);
        } else if constexpr (std::is_same_v<T, ev::checkin::claimed>) {
          auto agent = ev::actor_ref::agent(data.agent_id);
          auto& list = participants_[id];
          std::erase_if(list, [&](const participant& p) {
            return p.who == agent && p.role == participant_role::helper;
          });
          add_participant(id, agent, participant_role::primary, e.meta.at);
        } else if constexpr (std::is_same_v<T, ev::checkin::released>) {
          auto agent = ev::actor_ref::agent(data.agent_id);
          std::erase_if(participants_[id], [&](const participant& p) {
            return p.who == agent && p.role == participant_role::primary;
          });
        } else if constexpr (std::is_same_v<T, ev::checkin::helper_joined>) {
          add_participant(id, ev::actor_ref::agent(data.agent_id),
                          participant_role::helper, e.meta.at);
        } else if constexpr (std::is_same_v<T, ev::checkin::approval_recorded>) {
          add_participant(id, data.by, participant_role::approver, e.meta.at);
        } else if constexpr (std::is_same_v<T, ev::checkin::resolved>) {
          // people who decide are approvers; withdrawing a task is not a decision
          if (data.decision.by.kind == ev::actor_kind::user &&
              data.decision.outcome != ev::checkin::resolution::withdrawn)
            add_participant(id, data.decision.by, participant_role::approver, e.meta.at);
        }
      },
      e.data);
  (void)after;
}

const std::vector<message_view>& threads::messages(std::string_view checkin_id) const {
  auto it = messages_.find(std::string(checkin_id));
  return it == messages_.end() ? no_messages : it->second;
}

const std::vector<participant>& threads::participants(std::string_view checkin_id) const {
  auto it = participants_.find(std::string(checkin_id));
  return it == participants_.end() ? no_participants : it->second;
}

} // namespace waitroom::projections
