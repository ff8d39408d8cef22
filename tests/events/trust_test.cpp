// Trust arithmetic (API.md "Trust"): exact tenths, clamped to [0, 100].

#include "events/trust/score_card.hpp"
#include "given_when_then.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace waitroom::events::trust {
namespace {

using namespace waitroom::events::testing;
using checkin::decision_record;
using checkin::resolution;

const timestamp t0 = at("2026-11-24T10:00:00.000Z");

decision_record by_user(resolution r) {
  return decision_record{r, actor_ref::user("us_alice00001"), t0, {}, {}, {}};
}

decision_record by_policy(resolution r) {
  return decision_record{r, actor_ref::policy(), t0, {}, "rule", {}};
}

decision_record by_timeout(resolution r) {
  return decision_record{r, actor_ref::timeout(), t0, {}, {}, {}};
}

decision_record withdrawal() {
  return decision_record{
      resolution::withdrawn, actor_ref::agent("ag_builder001"), t0, {}, {}, {}};
}

score_card after(std::initializer_list<decision_record> outcomes) {
  score_card card;
  for (const auto& d : outcomes)
    apply_outcome(card, d);
  return card;
}

score_card after_n(int n, const decision_record& d) {
  score_card card;
  for (int i = 0; i < n; ++i)
    apply_outcome(card, d);
  return card;
}

TEST(Trust, StartsAt15) {
  score_card card;
  EXPECT_EQ(card.tenths, 150);
  EXPECT_EQ(card.score(), 15.0);
  EXPECT_EQ(card.total_check_ins, 0);
}

TEST(Trust, HumanDecisionsMoveTheScore) {
  EXPECT_EQ(delta_tenths(by_user(resolution::approved)), 10);
  EXPECT_EQ(delta_tenths(by_user(resolution::modified)), 6);
  EXPECT_EQ(delta_tenths(by_user(resolution::rejected)), -3);
  EXPECT_EQ(after({by_user(resolution::approved)}).score(), 16.0);
  EXPECT_EQ(after({by_user(resolution::modified)}).score(), 15.6);
  EXPECT_EQ(after({by_user(resolution::rejected)}).score(), 14.7);
}

TEST(Trust, ExpiryByCancelCostsATenth) {
  EXPECT_EQ(delta_tenths(by_timeout(resolution::expired)), -1);
  auto card = after({by_timeout(resolution::expired)});
  EXPECT_EQ(card.tenths, 149);
  EXPECT_EQ(card.score(), 14.9);
  EXPECT_EQ(card.expired_count, 1);
}

TEST(Trust, AutomaticOutcomesChangeOnlyCounters) {
  auto card = after({by_policy(resolution::approved), by_policy(resolution::rejected),
                     by_timeout(resolution::approved)});
  EXPECT_EQ(card.tenths, 150);
  EXPECT_EQ(card.approved_count, 2); // a timeout auto-approve counts as approved
  EXPECT_EQ(card.rejected_count, 1); // a forbidden check-in counts as rejected
}

TEST(Trust, TrustThresholdApprovalChangesNothing) {
  decision_record d{resolution::approved, actor_ref::policy(), t0, {}, {}, 80.0};
  EXPECT_EQ(delta_tenths(d), 0);
}

TEST(Trust, WithdrawalsChangeOnlyCounters) {
  auto card = after({withdrawal(), withdrawal()});
  EXPECT_EQ(card.tenths, 150);
  EXPECT_EQ(card.withdrawn_count, 2);
  EXPECT_EQ(card.approved_count + card.rejected_count + card.modified_count +
                card.expired_count,
            0);
}

TEST(Trust, CountersCountFinalOutcomes) {
  auto card = after({by_user(resolution::approved), by_user(resolution::approved),
                     by_user(resolution::modified), by_user(resolution::rejected),
                     by_timeout(resolution::expired)});
  EXPECT_EQ(card.approved_count, 2);
  EXPECT_EQ(card.modified_count, 1);
  EXPECT_EQ(card.rejected_count, 1);
  EXPECT_EQ(card.expired_count, 1);
  EXPECT_EQ(card.tenths, 150 + 20 + 6 - 3 - 1);
}

TEST(Trust, CountCreatedCountsEveryCheckIn) {
  score_card card;
  count_created(card, t0);
  count_created(card, t0 + 5);
  EXPECT_EQ(card.total_check_ins, 2);
  EXPECT_EQ(card.updated_at, t0 + 5);
  EXPECT_EQ(card.tenths, 150);
}

TEST(Trust, ApplyOutcomeStampsTheDecisionTime) {
  score_card card;
  auto d = by_user(resolution::approved);
  d.at = t0 + 42;
  apply_outcome(card, d);
  EXPECT_EQ(card.updated_at, t0 + 42);
}

TEST(Trust, ClampsAt100) {
  auto card = after_n(900, by_user(resolution::approved));
  EXPECT_EQ(card.tenths, 1000);
  EXPECT_EQ(card.score(), 100.0);
  EXPECT_EQ(card.approved_count, 900);
  apply_outcome(card, by_user(resolution::rejected));
  EXPECT_EQ(card.score(), 99.7); // clamped, not accumulated beyond 100
}

TEST(Trust, ClampsAt0) {
  auto card = after_n(1000, by_user(resolution::rejected));
  EXPECT_EQ(card.tenths, 0);
  EXPECT_EQ(card.score(), 0.0);
  apply_outcome(card, by_timeout(resolution::expired));
  EXPECT_EQ(card.tenths, 0);
  apply_outcome(card, by_user(resolution::approved));
  EXPECT_EQ(card.score(), 1.0);
}

TEST(Trust, ArithmeticIsExact) {
  EXPECT_EQ(after_n(10, by_user(resolution::modified)).score(), 21.0);
  EXPECT_EQ(after_n(10, by_user(resolution::rejected)).score(), 12.0);
  EXPECT_EQ(after_n(10, by_timeout(resolution::expired)).score(), 14.0);
  EXPECT_EQ(after_n(3, by_user(resolution::modified)).score(), 16.8);
  auto mixed = after({by_user(resolution::modified), by_user(resolution::rejected),
                      by_timeout(resolution::expired)});
  EXPECT_EQ(mixed.score(), 15.2);
}

std::vector<int> trend_of(const score_card& card) {
  std::vector<int> out;
  for (const auto& p : card.trend())
    out.push_back(p.tenths);
  return out;
}

TEST(Trust, TheTrendIsTheScoreAfterEachMove) {
  score_card card;
  EXPECT_TRUE(card.trend().empty()); // a score that never moved has no trend
  auto d = by_user(resolution::approved);
  d.at = t0 + 7;
  apply_outcome(card, d);
  apply_outcome(card, by_user(resolution::rejected));
  ASSERT_EQ(card.trend().size(), 2U);
  EXPECT_EQ(card.trend()[0].at, t0 + 7);
  EXPECT_EQ(trend_of(card), (std::vector<int>{160, 157}));
}

TEST(Trust, OutcomesThatDoNotMoveTheScoreLeaveTheTrend) {
  auto card = after(
      {by_policy(resolution::approved), withdrawal(), by_timeout(resolution::approved)});
  EXPECT_TRUE(card.trend().empty());
  auto top = after_n(900, by_user(resolution::approved));
  auto before = trend_of(top);
  apply_outcome(top, by_user(resolution::approved)); // clamped at 100: no move
  EXPECT_EQ(trend_of(top), before);
}

TEST(Trust, TheTrendKeepsTheLastMovesOnly) {
  score_card card;
  for (int i = 0; i < 12; ++i)
    apply_outcome(card, by_user(resolution::approved));
  ASSERT_EQ(card.trend().size(), trend_kept);
  EXPECT_EQ(card.trend().front().tenths, 150 + 10 * (12 - int(trend_kept) + 1));
  EXPECT_EQ(card.trend().back().tenths, card.tenths);
}

} // namespace
} // namespace waitroom::events::trust
