// The golden log: committed bytes that pin the on-disk format (golden/README.md). Every
// line must decode, and re-encode to exactly the same bytes; the fixture holds one line
// per event type the codec knows. A renamed, reordered, added or removed member of an
// event, a renamed enumerator or a change in how a value is written fails here, even
// when every round-trip test (which encodes and decodes with the same build) passes.

#include "events/codec.hpp"
#include "events/event.hpp"

#include <boost/describe/enum.hpp>
#include <boost/mp11/algorithm.hpp>
#include <gtest/gtest.h>

#include <cstddef>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#ifndef WAITROOM_GOLDEN_DIR
#error "WAITROOM_GOLDEN_DIR must name tests/events/golden (see CMakeLists.txt)"
#endif

namespace waitroom::events {
namespace {

const std::string fixture = std::string(WAITROOM_GOLDEN_DIR) + "/events-v1.jsonl";

/// The fixture's lines, as bytes (no newline conversion), with their line numbers.
std::vector<std::pair<int, std::string>> golden_lines() {
  std::ifstream in(fixture, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot read " << fixture;
  std::ostringstream all;
  all << in.rdbuf();
  const std::string text = all.str();
  EXPECT_FALSE(text.empty()) << fixture << " is empty";
  EXPECT_TRUE(text.empty() || text.back() == '\n')
      << fixture << " must end with a newline";
  std::vector<std::pair<int, std::string>> out;
  std::size_t begin = 0;
  int number = 0;
  while (begin < text.size()) {
    auto end = text.find('\n', begin);
    if (end == std::string::npos) end = text.size();
    out.emplace_back(++number, text.substr(begin, end - begin));
    begin = end + 1;
  }
  return out;
}

/// Every wire type the codec knows, derived from `event_data` itself: each alternative's
/// `wire_type`, and for `checkin::resolved` one type per `resolution`. A new alternative
/// (or a new resolution) is in this set at once, so it fails the coverage test below
/// until its golden line is added.
std::set<std::string> codec_types() {
  std::set<std::string> out;
  boost::mp11::mp_for_each<boost::mp11::mp_iota_c<std::variant_size_v<event_data>>>(
      [&](auto index) {
        using T = std::variant_alternative_t<decltype(index)::value, event_data>;
        if constexpr (std::is_same_v<T, checkin::resolved>) {
          boost::mp11::mp_for_each<
              boost::describe::describe_enumerators<checkin::resolution>>(
              [&](auto r) { out.emplace(checkin::resolved_wire_type(r.value)); });
        } else {
          out.emplace(T::wire_type);
        }
      });
  return out;
}

TEST(GoldenLog, EveryLineDecodesAndReencodesToTheSameBytes) {
  const auto lines = golden_lines();
  ASSERT_FALSE(lines.empty());
  for (const auto& [number, line] : lines) {
    SCOPED_TRACE(fixture + ":" + std::to_string(number));
    ASSERT_FALSE(line.empty()) << "blank line";
    ASSERT_EQ(line.find('\r'), std::string::npos) << "CR in the line (CRLF checkout?)";
    auto decoded = decode(line);
    ASSERT_TRUE(decoded.ok()) << "the golden line no longer decodes: "
                              << decoded.error().message << "\n  " << line;
    EXPECT_EQ(encode(*decoded), line)
        << "the golden line decodes but re-encodes to other bytes: the on-disk format "
           "changed (golden/README.md)";
    EXPECT_EQ(peek_envelope(line).type, event_type(decoded->data));
  }
}

TEST(GoldenLog, HoldsOneLinePerEventTypeTheCodecKnows) {
  const auto known = codec_types();
  std::map<std::string, int> first_line; // type -> line number
  for (const auto& [number, line] : golden_lines()) {
    const auto type = peek_envelope(line).type;
    EXPECT_FALSE(type.empty()) << fixture << ":" << number << ": no type";
    auto [it, fresh] = first_line.emplace(type, number);
    EXPECT_TRUE(fresh) << fixture << ":" << number << ": a second " << type
                       << " line (the first is line " << it->second << ")";
  }
  for (const auto& type : known)
    EXPECT_TRUE(first_line.contains(type))
        << type << " has no golden line: add one (golden/README.md)";
  for (const auto& [type, number] : first_line)
    EXPECT_TRUE(known.contains(type))
        << fixture << ":" << number << ": " << type << " is not an event type";
  EXPECT_EQ(first_line.size(), known.size());
}

} // namespace
} // namespace waitroom::events
