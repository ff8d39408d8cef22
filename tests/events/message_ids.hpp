#pragma once
/// Checks the decider's own count of the message ids a command needs
/// (`checkin::message_ids_needed`, an upper bound): with exactly that many the command
/// is decided; where `s` is its worst case (`worst_case`), with one fewer it fails
/// INTERNAL and writes nothing.

#include "events/checkin/decider.hpp"
#include "given_when_then.hpp"

#include <gtest/gtest.h>

#include <string>

namespace waitroom::events::testing {

inline ::testing::AssertionResult takes_exactly_its_message_ids(const checkin::state& s,
                                                                checkin::command cmd,
                                                                bool worst_case = true) {
  const auto needed = checkin::message_ids_needed(cmd);
  auto* slot = checkin::message_ids_of(cmd);
  if (slot == nullptr) {
    // carries no ids: it must need none, and be decided without any
    if (needed != 0)
      return ::testing::AssertionFailure()
             << "needs " << needed << " ids but carries none";
    auto decided = checkin::decide(s, cmd);
    if (!decided)
      return ::testing::AssertionFailure()
             << "without ids: " << describe(decided.error());
    return ::testing::AssertionSuccess();
  }
  slot->clear();
  for (std::size_t i = 0; i < needed; ++i)
    slot->push_back("msg_00000000" + std::to_string(10 + i));
  auto enough = checkin::decide(s, cmd);
  if (!enough)
    return ::testing::AssertionFailure()
           << "with " << needed << " ids: " << describe(enough.error());
  if (needed == 0 || !worst_case) return ::testing::AssertionSuccess();
  slot->pop_back();
  auto fewer = checkin::decide(s, cmd);
  if (fewer || fewer.error().code != errc::internal)
    return ::testing::AssertionFailure()
           << "with " << needed - 1 << " ids it did not fail INTERNAL: needs fewer than "
           << needed;
  return ::testing::AssertionSuccess();
}

} // namespace waitroom::events::testing
