// The writer lease in a JetStream KV bucket, against a real nats-server: one holder at a
// time, renewals, a clean release, and a holder that stops renewing losing it to the
// next node after the TTL (and learning so when it tries to renew).

#include "storage/writer_lease.hpp"
#include "tests/storage/nats_test_server.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace waitroom::storage {
namespace {

using testing::nats_test_server;

lease_options lease_for(const nats_test_server& nats, std::chrono::milliseconds ttl) {
  lease_options o;
  o.servers = {nats.url()};
  o.create = true;
  o.replicas = 1;
  o.ttl = ttl;
  return o;
}

std::unique_ptr<writer_lease> open_ok(const lease_options& o) {
  auto opened = open_writer_lease(o);
  EXPECT_TRUE(opened.ok()) << (opened.ok() ? "" : opened.error().message);
  return opened.ok() ? std::move(*opened) : nullptr;
}

TEST(WriterLease, OneHolderAtATimeUntilItReleases) {
  nats_test_server nats;
  auto a = open_ok(lease_for(nats, std::chrono::seconds(5)));
  auto b = open_ok(lease_for(nats, std::chrono::seconds(5)));
  ASSERT_TRUE(a && b);
  EXPECT_EQ(b->holder()->value_or("none"), "none");
  ASSERT_TRUE(a->try_acquire("node-a").value());
  EXPECT_TRUE(a->held());
  EXPECT_FALSE(b->try_acquire("node-b").value());
  EXPECT_FALSE(b->held());
  EXPECT_EQ(b->holder()->value_or(""), "node-a");
  for (int i = 0; i < 3; ++i)
    EXPECT_TRUE(a->renew().value());
  EXPECT_FALSE(b->renew().value()) << "b never held it";
  a->release();
  EXPECT_FALSE(a->held());
  EXPECT_EQ(b->holder()->value_or("none"), "none");
  ASSERT_TRUE(b->try_acquire("node-b").value()) << "free at once after a release";
  EXPECT_FALSE(a->renew().value());
  EXPECT_EQ(a->holder()->value_or(""), "node-b");
}

TEST(WriterLease, AHolderThatStopsRenewingLosesItAfterTheTtl) {
  nats_test_server nats;
  const auto ttl = std::chrono::milliseconds(400);
  auto a = open_ok(lease_for(nats, ttl));
  auto b = open_ok(lease_for(nats, ttl));
  ASSERT_TRUE(a->try_acquire("node-a").value());
  // renewed within the TTL, it stays a's for several TTLs
  for (int i = 0; i < 6; ++i) {
    std::this_thread::sleep_for(ttl / 4);
    ASSERT_TRUE(a->renew().value());
    ASSERT_FALSE(b->try_acquire("node-b").value());
  }
  // a stops (a frozen or dead node): b gets it once the TTL has run out
  const auto stopped = std::chrono::steady_clock::now();
  bool taken = false;
  while (!taken &&
         std::chrono::steady_clock::now() - stopped < std::chrono::seconds(10)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    taken = b->try_acquire("node-b").value();
  }
  ASSERT_TRUE(taken);
  EXPECT_GE(std::chrono::steady_clock::now() - stopped, ttl / 2);
  // a comes back and learns it lost the lease
  EXPECT_FALSE(a->renew().value());
  EXPECT_FALSE(a->held());
  EXPECT_EQ(a->holder()->value_or(""), "node-b");
  a->release(); // not a's to release: b keeps it
  EXPECT_EQ(b->holder()->value_or(""), "node-b");
  EXPECT_TRUE(b->renew().value());
}

TEST(WriterLease, AMissingBucketIsAnErrorWithoutCreate) {
  nats_test_server nats;
  auto o = lease_for(nats, std::chrono::seconds(3));
  o.create = false;
  auto opened = open_writer_lease(o);
  ASSERT_FALSE(opened.ok());
  EXPECT_NE(opened.error().message.find("cluster init"), std::string::npos);
}

} // namespace
} // namespace waitroom::storage
