// Idempotency records older than 24 h are purged from storage: which records count as
// expired, and the whole purge through a real `http::api` over an in-memory log whose
// clock the test moves.
#include "actors/bootstrap.hpp"
#include "actors/clock.hpp"
#include "actors/id_source.hpp"
#include "actors/runtime.hpp"
#include "http/api/api.hpp"
#include "http/api/idempotency.hpp"
#include "http/crypto/secret_box.hpp"
#include "http/live/status_waiters.hpp"
#include "storage/event_log.hpp"
#include "storage/side_records.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <future>
#include <memory>
#include <string>

namespace waitroom::http {
namespace {

namespace ev = waitroom::events;
constexpr ev::duration_ms hour = 3600 * 1000;
const ev::timestamp t0{1'795'000'000'000};

std::string record_at(ev::timestamp created) {
  response answer;
  answer.status = 201;
  answer.body = R"({"data":{}})";
  return encode_record({"fingerprint", answer, created},
                       secret_box(std::array<unsigned char, 32>{}));
}

void put(storage::event_log& log, std::string key, std::string value) {
  storage::append_request req;
  req.records = {{std::move(key), std::move(value)}};
  ASSERT_TRUE(log.append(std::move(req)).ok());
}

TEST(IdempotencyPurge, ExpiredMeansTwentyFourHoursOldOrUnreadable) {
  auto log = storage::make_memory_log();
  put(*log, "fresh", record_at(t0 - 23 * hour));
  put(*log, "just-expired", record_at(t0 - 24 * hour));
  put(*log, "old", record_at(t0 - 48 * hour));
  put(*log, "garbage", "not a record");
  auto keys = storage::expired_idempotency_records(*log, t0);
  ASSERT_TRUE(keys.ok());
  std::sort(keys->begin(), keys->end());
  EXPECT_EQ(*keys, (std::vector<std::string>{"garbage", "just-expired", "old"}));
  log->close();
}

class ApiPurge : public ::testing::Test {
 protected:
  void SetUp() override {
    log_ = storage::make_memory_log();
    actors::id_source ids;
    auto boot = actors::bootstrap_if_empty(*log_, ids, clock_, std::string(token_));
    ASSERT_TRUE(boot.ok());
    rt_ = std::make_unique<actors::runtime>(*log_, clock_);
    ASSERT_TRUE(rt_->start().ok());
    api_ = std::make_unique<api>(*rt_, waiters_,
                                 secret_box(std::array<unsigned char, 32>{}));
  }

  void TearDown() override {
    api_.reset();
    log_->close();
    rt_->shutdown();
  }

  response post_room(const std::string& slug, const std::string& key) {
    return post("/v1/rooms", R"({"name":"R","slug":")" + slug + R"("})", key);
  }

  response post(const std::string& path, const std::string& body,
                const std::string& key) {
    request req;
    req.method = "POST";
    req.path = path;
    req.headers = {{"authorization", "Bearer " + token_}, {"idempotency-key", key},
                   {"content-type", "application/json"}};
    req.body = body;
    req.remote_address = "127.0.0.1";
    std::promise<response> answered;
    auto answer = answered.get_future();
    api_->handle(
        req, [&answered](response r) { answered.set_value(std::move(r)); }, nullptr);
    EXPECT_EQ(answer.wait_for(std::chrono::seconds(10)), std::future_status::ready);
    return answer.get();
  }

  std::size_t purge() {
    std::promise<ev::outcome<std::size_t>> done;
    auto purged = done.get_future();
    api_->purge_idempotency([&done](ev::outcome<std::size_t> n) { done.set_value(n); });
    EXPECT_EQ(purged.wait_for(std::chrono::seconds(10)), std::future_status::ready);
    auto n = purged.get();
    EXPECT_TRUE(n.ok());
    return n.ok() ? *n : 0;
  }

  std::vector<std::string> stored_values() {
    std::vector<std::string> out;
    EXPECT_TRUE(log_->scan_records([&](std::string_view, std::string_view v) {
                      out.emplace_back(v);
                      return true;
                    })
                    .ok());
    return out;
  }

  std::size_t records() {
    std::size_t n = 0;
    EXPECT_TRUE(log_->scan_records([&](std::string_view, std::string_view) {
                      ++n;
                      return true;
                    })
                    .ok());
    return n;
  }

  const std::string token_ = "wrh_purgetestpurgetestpurgetest12345";
  actors::manual_clock clock_{t0};
  std::unique_ptr<storage::event_log> log_;
  std::unique_ptr<actors::runtime> rt_;
  status_waiters waiters_;
  std::unique_ptr<api> api_;
};

TEST_F(ApiPurge, RemovesOnlyRecordsOlderThanADay) {
  ASSERT_EQ(post_room("first", "key-1").status, 201);
  clock_.advance(12 * hour);
  ASSERT_EQ(post_room("second", "key-2").status, 201);
  EXPECT_EQ(records(), 2u);

  clock_.advance(11 * hour); // 23 h and 11 h old: both still replayable
  EXPECT_EQ(purge(), 0u);
  auto replayed = post_room("first", "key-1");
  EXPECT_EQ(replayed.status, 201);
  EXPECT_NE(std::find(replayed.headers.begin(), replayed.headers.end(),
                      std::pair<std::string, std::string>{"Idempotent-Replayed", "true"}),
            replayed.headers.end());
  EXPECT_EQ(records(), 2u);

  clock_.advance(2 * hour); // 25 h and 13 h
  EXPECT_EQ(purge(), 1u);
  EXPECT_EQ(records(), 1u);
  // the purged key is free again: the request runs anew (the slug is taken by now)
  EXPECT_EQ(post_room("first", "key-1").status, 409);
  EXPECT_EQ(post_room("second", "key-2").status, 201); // still replayed
}

TEST_F(ApiPurge, StoredAnswersNeverHoldNewCredentialsInTheClear) {
  auto first =
      post("/v1/users", R"({"name":"Ann","email":"ann@example.test","role":"member"})",
           "user-1");
  ASSERT_EQ(first.status, 201) << first.body;
  const auto token_at = first.body.find("wrh_");
  ASSERT_NE(token_at, std::string::npos);
  const auto token = first.body.substr(token_at, 36);
  const auto values = stored_values();
  ASSERT_EQ(values.size(), 1u);
  EXPECT_EQ(values[0].find(token), std::string::npos) << "the token rests in the clear";
  EXPECT_EQ(values[0].find("ann@example.test"), std::string::npos);
  // the replay still answers the very same token
  auto again =
      post("/v1/users", R"({"name":"Ann","email":"ann@example.test","role":"member"})",
           "user-1");
  EXPECT_EQ(again.status, 201);
  EXPECT_EQ(again.body, first.body);
}

TEST(IdempotencyRecords, ASealUnderAnotherKeyDoesNotDecode) {
  response answer;
  answer.status = 201;
  answer.body = R"({"data":{"token":"wrh_x"}})";
  std::array<unsigned char, 32> one{}, other{};
  other[0] = 1;
  auto stored = encode_record({"fp", answer, t0}, secret_box(one));
  auto back = decode_record(stored, secret_box(one));
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->answer.body, answer.body);
  EXPECT_EQ(back->created_at, t0);
  EXPECT_FALSE(decode_record(stored, secret_box(other)).has_value());
  EXPECT_EQ(storage::record_created_at(stored), t0);
}

} // namespace
} // namespace waitroom::http
