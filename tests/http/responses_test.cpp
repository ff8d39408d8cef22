// The wire mapping of errors: every domain code and every edge code reads as API.md's
// code and status, and the envelope carries what the contract says.

#include "http/wire/responses.hpp"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include <set>
#include <string>

namespace {

namespace json = boost::json;
namespace ev = waitroom::events;
using namespace waitroom::http;

TEST(Responses, EveryDomainCodeHasTheContractsCodeAndStatus) {
  struct want {
    ev::errc code;
    int status;
    std::string_view wire;
  };
  const want table[] = {
      {ev::errc::validation, 400, "VALIDATION_ERROR"},
      {ev::errc::forbidden, 403, "FORBIDDEN"},
      {ev::errc::not_found, 404, "NOT_FOUND"},
      {ev::errc::conflict, 409, "CONFLICT"},
      {ev::errc::aborted, 409, "CONFLICT"},
      {ev::errc::policy_forbids, 403, "POLICY_FORBIDS"},
      {ev::errc::unavailable, 503, "UNAVAILABLE"},
      {ev::errc::internal, 500, "INTERNAL"},
  };
  std::set<ev::errc> seen;
  for (const auto& w : table) {
    seen.insert(w.code);
    EXPECT_EQ(wire_code_of(w.code).status, w.status) << ev::error_code_name(w.code);
    EXPECT_EQ(wire_code_of(w.code).code, w.wire) << ev::error_code_name(w.code);
  }
  EXPECT_EQ(seen.size(), std::size(ev::all_error_codes)) << "a code has no row here";
}

TEST(Responses, EdgeCodesHaveTheContractsCodeAndStatus) {
  EXPECT_EQ(wire_code_of(edge_code::unauthorized).status, 401);
  EXPECT_EQ(wire_code_of(edge_code::unauthorized).code, "UNAUTHORIZED");
  EXPECT_EQ(wire_code_of(edge_code::method_not_allowed).status, 405);
  EXPECT_EQ(wire_code_of(edge_code::method_not_allowed).code, "METHOD_NOT_ALLOWED");
  EXPECT_EQ(wire_code_of(edge_code::payload_too_large).status, 413);
  EXPECT_EQ(wire_code_of(edge_code::payload_too_large).code, "PAYLOAD_TOO_LARGE");
  EXPECT_EQ(wire_code_of(edge_code::unsupported_media_type).status, 415);
  EXPECT_EQ(wire_code_of(edge_code::unsupported_media_type).code,
            "UNSUPPORTED_MEDIA_TYPE");
  EXPECT_EQ(wire_code_of(edge_code::rate_limited).status, 429);
  EXPECT_EQ(wire_code_of(edge_code::rate_limited).code, "RATE_LIMITED");
}

TEST(Responses, AStaleVersionReadsAsAConflict) {
  auto r = error_response(ev::aborted("stream ci_a: expected version 2, but it is at 3"));
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(r.error_code, "CONFLICT");
  EXPECT_FALSE(r.recorded);
  auto body = json::parse(r.body).as_object().at("error").as_object();
  EXPECT_EQ(body.at("code"), "CONFLICT");
  EXPECT_EQ(body.at("statusCode"), 409);
}

TEST(Responses, OnlyAPolicyRefusalIsMarkedRecorded) {
  for (auto c : ev::all_error_codes) {
    auto r = error_response(ev::error{c, "m", {}, {}});
    EXPECT_EQ(r.recorded, c == ev::errc::policy_forbids) << ev::error_code_name(c);
  }
}

TEST(Responses, ADomainErrorNamesItsFieldUnderDetails) {
  auto r = error_response(ev::validation_error("title", "title is required"));
  EXPECT_EQ(
      json::parse(r.body),
      json::parse(R"({"error":{"code":"VALIDATION_ERROR","message":"title is required",)"
                  R"("statusCode":400,"details":{"field":"title"}}})"));
  EXPECT_TRUE(r.headers.empty());
}

TEST(Responses, UnauthorizedAsksForABearerCredentialAndNothingElse) {
  edge_error e{edge_code::unauthorized, "unknown credential", {}};
  e.details["credential"] = "unknown";
  auto r = error_response(e);
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(
      json::parse(r.body),
      json::parse(R"({"error":{"code":"UNAUTHORIZED","message":"unknown credential",)"
                  R"("statusCode":401,"details":{"credential":"unknown"}}})"));
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0].first, "WWW-Authenticate");
  EXPECT_EQ(r.headers[0].second, "Bearer");
  EXPECT_FALSE(r.recorded);
}

} // namespace
