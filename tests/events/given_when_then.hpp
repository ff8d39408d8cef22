#pragma once
/// A tiny given/when/then vocabulary for decider tests:
///
///   auto s = given<checkin::state>({created_event()});   // fold history with evolve
///   auto out = decide(s, approve_cmd());                  // when
///   EXPECT_TRUE(yields(out, {"checkin.approved", ...}));  // then: event types
///   EXPECT_TRUE(fails_with(out, errc::conflict));         // then: an error
///
/// `given` numbers the events as the log would (stream versions after the state's,
/// seq = version), so folded states look like replayed ones.

#include "events/codec.hpp"
#include "events/event.hpp"
#include "events/outcome.hpp"
#include "events/time.hpp"

#include <gtest/gtest.h>

#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace waitroom::events {

/// Readable gtest output for the domain's small value types.
inline void PrintTo(const timestamp& t, std::ostream* os) {
  *os << format_rfc3339(t);
}
inline void PrintTo(const actor_ref& a, std::ostream* os) {
  *os << wire_name(a.kind) << (a.id.empty() ? "" : ":") << a.id;
}

} // namespace waitroom::events

namespace waitroom::events::testing {

/// Folds `history` into `s` with the aggregate's `evolve`, numbering versions after
/// `s.version`.
template <class State>
State given(State s, event_list history) {
  auto version = s.version;
  for (auto& e : history) {
    e.meta.version = ++version;
    e.meta.seq = e.meta.version;
    evolve(s, e);
  }
  return s;
}

/// Folds `history` into a fresh state.
template <class State>
State given(event_list history) {
  return given(State{}, std::move(history));
}

/// The wire types of `events`, in order.
inline std::vector<std::string> types_of(const event_list& events) {
  std::vector<std::string> out;
  for (const auto& e : events)
    out.emplace_back(event_type(e.data));
  return out;
}

inline std::string describe(const error& e) {
  std::string out(error_code_name(e.code));
  out += ": " + e.message;
  if (!e.field.empty()) out += " (field " + e.field + ")";
  return out;
}

inline std::string join(const std::vector<std::string>& xs) {
  std::string out = "[";
  for (const auto& x : xs)
    out += (out.size() > 1 ? ", " : "") + x;
  return out + "]";
}

/// Then: the decision succeeded with exactly these event types, in order.
inline ::testing::AssertionResult yields(const outcome<event_list>& out,
                                         std::vector<std::string> expected) {
  if (!out.ok())
    return ::testing::AssertionFailure() << "expected events " << join(expected)
                                         << ", got error " << describe(out.error());
  auto got = types_of(out.value());
  if (got != expected)
    return ::testing::AssertionFailure()
           << "expected events " << join(expected) << ", got " << join(got);
  return ::testing::AssertionSuccess();
}

/// Then: the decision succeeded and appends nothing (the intent already holds).
inline ::testing::AssertionResult yields_nothing(const outcome<event_list>& out) {
  return yields(out, {});
}

/// Then: the decision failed with `code` (and, when given, names `field`).
template <class T>
::testing::AssertionResult fails_with(const outcome<T>& out, errc code,
                                      std::string_view field = {}) {
  if (out.ok())
    return ::testing::AssertionFailure()
           << "expected " << error_code_name(code) << ", but the decision succeeded";
  const auto& e = out.error();
  if (e.code != code || (!field.empty() && e.field != field))
    return ::testing::AssertionFailure()
           << "expected " << error_code_name(code)
           << (field.empty() ? std::string() : " on field " + std::string(field))
           << ", got " << describe(e);
  return ::testing::AssertionSuccess();
}

/// The payload of an event, or a test failure (bad_variant_access) when it has another
/// type.
template <class E>
const E& payload(const recorded_event& e) {
  return std::get<E>(e.data);
}

/// Durations for test data.
inline constexpr duration_ms second = 1000;
inline constexpr duration_ms minute = 60 * second;
inline constexpr duration_ms hour = 60 * minute;
inline constexpr duration_ms day = 24 * hour;
inline constexpr duration_ms week = 7 * day;

/// An instant from its RFC 3339 text (test data must be valid).
inline timestamp at(std::string_view rfc3339) {
  auto t = parse_rfc3339(rfc3339);
  if (!t) throw std::invalid_argument("bad test timestamp " + std::string(rfc3339));
  return *t;
}

} // namespace waitroom::events::testing
