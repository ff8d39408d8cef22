// What setting an unreadable event aside loses (events/log/quarantine.hpp): only records
// of the past go without a word; everything that changes what the server believes needs
// the operator's --force, and says what comes back.
#include "events/log/quarantine.hpp"

#include <gtest/gtest.h>

namespace waitroom::events::log {
namespace {

TEST(QuarantineCost, OnlyRecordsOfThePastAreHarmless) {
  for (auto type : {"checkin.message", "checkin.help_requested", "checkin.expiring",
                    "signal.broadcast"}) {
    SCOPED_TRACE(type);
    EXPECT_TRUE(cost_of_quarantining(type, 5).harmless);
  }
  for (auto type :
       {"checkin.approved",    "checkin.rejected",   "checkin.modified",
        "checkin.expired",     "checkin.withdrawn",  "checkin.approval_recorded",
        "checkin.claimed",     "checkin.submitted",  "checkin.extended",
        "user.deactivated",    "user.token_rotated", "agent.deactivated",
        "agent.key_rotated",   "agent.claimed",      "room.policy_updated",
        "room.member_removed", "room.member_set",    "room.updated",
        "watcher.deleted",     "org.created",        ""}) {
    SCOPED_TRACE(type);
    auto cost = cost_of_quarantining(type, 5);
    EXPECT_FALSE(cost.harmless);
    EXPECT_FALSE(cost.lost.empty());
  }
}

TEST(QuarantineCost, SaysWhatComesBack) {
  EXPECT_NE(cost_of_quarantining("checkin.rejected", 3).lost.find("decision"),
            std::string::npos);
  EXPECT_NE(cost_of_quarantining("user.token_rotated", 2).lost.find("works again"),
            std::string::npos);
  EXPECT_NE(cost_of_quarantining("room.policy_updated", 2).lost.find("policy"),
            std::string::npos);
}

TEST(QuarantineCost, AStreamsCreationIsNeverHarmless) {
  // even a message type at version 1 would be a stream's first event: its creation
  auto cost = cost_of_quarantining("checkin.message", 1);
  EXPECT_FALSE(cost.harmless);
  EXPECT_NE(cost.lost.find("creation"), std::string::npos);
  EXPECT_NE(cost_of_quarantining("checkin.created", 1).lost.find("checkin disappears"),
            std::string::npos);
}

} // namespace
} // namespace waitroom::events::log
