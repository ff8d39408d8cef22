#pragma once
/// What every new organization gets, whether bootstrapped or created by the instance
/// admin: the room `general` with no rules, require approval, and default settings.

#include "events/room/events.hpp"
#include "given_when_then.hpp"

#include <gtest/gtest.h>

#include <string>

namespace waitroom::events::testing {

inline void expect_a_fresh_general_room(const recorded_event& e,
                                        const std::string& org_id,
                                        const std::string& room_id) {
  EXPECT_EQ(e.meta.stream, room_id);
  EXPECT_EQ(e.meta.room_id, room_id);
  const auto& general = payload<room::created>(e);
  EXPECT_EQ(general.id, room_id);
  EXPECT_EQ(general.org_id, org_id);
  EXPECT_EQ(general.slug, "general");
  EXPECT_TRUE(general.policy.rules.empty());
  for (const auto& t : general.policy.thresholds)
    EXPECT_FALSE(t.has_value());
  EXPECT_EQ(general.policy.default_action, room::default_decision::require_approval);
  EXPECT_EQ(general.settings, room::room_settings{});
}

} // namespace waitroom::events::testing
