#include "projections/threads.hpp"

#include <algorithm>

namespace waitroom::projections {

namespace ev = waitroom::events;

void thread::add(const ev::actor_ref& who, participant_role role, ev::timestamp at) {
  for (const auto& p : participants_)
    if (p.who == who && p.role == role) return;
  participants_.push_back({who, role, at});
}

void thread::apply(const ev::recorded_event& e) {
  std::visit(
      [&](const auto& data) {
        using T = std::decay_t<decltype(data)>;
        if constexpr (std::is_same_v<T, ev::checkin::message_posted>) {
          messages_.push_back({data.id, e.meta.stream, data.type, data.author, data.content,
                               data.metadata, data.attachments, e.meta.at});
        } else if constexpr (std::is_same_v<T, ev::checkin::created>) {
          add(data.created_by, participant_role::creator, e.meta.at);
        } else if constexpr (std::is_same_v<T, ev::checkin::claimed>) {
          auto agent = ev::actor_ref::agent(data.agent_id);
          std::erase_if(participants_, [&](const participant& p) {
            return p.who == agent && p.role == participant_role::helper;
          });
          add(agent, participant_role::primary, e.meta.at);
        } else if constexpr (std::is_same_v<T, ev::checkin::released>) {
          auto agent = ev::actor_ref::agent(data.agent_id);
          std::erase_if(participants_, [&](const participant& p) {
            return p.who == agent && p.role == participant_role::primary;
          });
        } else if constexpr (std::is_same_v<T, ev::checkin::helper_joined>) {
          add(ev::actor_ref::agent(data.agent_id), participant_role::helper, e.meta.at);
        } else if constexpr (std::is_same_v<T, ev::checkin::approval_recorded>) {
          add(data.by, participant_role::approver, e.meta.at);
        } else if constexpr (std::is_same_v<T, ev::checkin::resolved>) {
          // people who decide are approvers; withdrawing a task is not a decision
          if (data.decision.by.kind == ev::actor_kind::user &&
              data.decision.outcome != ev::checkin::resolution::withdrawn)
            add(data.decision.by, participant_role::approver, e.meta.at);
        }
      },
      e.data);
}

thread thread_of(const std::vector<ev::recorded_event>& events) {
  thread t;
  for (const auto& e : events) t.apply(e);
  return t;
}

} // namespace waitroom::projections
