// The event_log contract, run against every implementation: RocksDB, in-memory, and
// NATS JetStream (against a real nats-server the test starts).

#include "storage/event_log.hpp"
#include "storage/writer_stats.hpp"
#include "tests/storage/log_test_support.hpp"
#include "tests/storage/nats_test_server.hpp"

#include "events/codec.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>

namespace waitroom::storage {
namespace {

using testing::append_to;
using testing::messages;
using testing::org_created;

enum class impl { rocksdb, memory, jetstream };

class EventLogContract : public ::testing::TestWithParam<impl> {
 protected:
  void SetUp() override {
    if (GetParam() == impl::memory) {
      log_ = make_memory_log();
      return;
    }
    if (GetParam() == impl::jetstream) {
      nats_ = std::make_unique<testing::nats_test_server>();
      jetstream_options o;
      o.servers = {nats_->url()};
      o.create = true;
      o.replicas = 1;
      auto opened = open_jetstream_log(o);
      ASSERT_TRUE(opened.ok()) << opened.error().message;
      log_ = std::move(*opened);
      return;
    }
    auto opened = open_rocksdb_log(dir_.sub("log"), rocksdb_options{});
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    log_ = std::move(*opened);
  }

  std::uint64_t append_ok(append_request req) {
    auto r = log_->append(std::move(req));
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() && !r->events.empty() ? r->events.back().meta.seq : 0;
  }

  std::vector<stored_event> scan_all() {
    std::vector<stored_event> out;
    auto r = log_->scan(1, std::numeric_limits<std::uint64_t>::max(),
                        [&](const stored_event& e) {
                          out.push_back(e);
                          return true;
                        });
    EXPECT_TRUE(r.ok());
    return out;
  }

  testing::temp_dir dir_;
  std::unique_ptr<testing::nats_test_server> nats_; // outlives the log
  std::unique_ptr<event_log> log_;
};

INSTANTIATE_TEST_SUITE_P(Every, EventLogContract,
                         ::testing::Values(impl::rocksdb, impl::memory, impl::jetstream),
                         [](const auto& info) {
                           switch (info.param) {
                           case impl::rocksdb:
                             return std::string("Rocksdb");
                           case impl::memory:
                             return std::string("Memory");
                           case impl::jetstream:
                             break;
                           }
                           return std::string("Jetstream");
                         });

TEST_P(EventLogContract, StartsEmpty) {
  auto head = log_->head();
  EXPECT_EQ(head.seq, 0u);
  EXPECT_EQ(head.hash, hash256{});
  EXPECT_TRUE(head.log_id.starts_with("log_"));
  EXPECT_EQ(head.log_id.size(), 4u + 16u);
  auto stream = log_->read_stream("ci_nothing");
  ASSERT_TRUE(stream.ok());
  EXPECT_TRUE(stream->empty());
  EXPECT_TRUE(scan_all().empty());
  EXPECT_TRUE(log_->verify().ok);
}

TEST_P(EventLogContract, AppendsAndReadsBackAStream) {
  auto r = log_->append(append_to("ci_a", expected_version::no_stream(), 3));
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->events.size(), 3u);
  for (std::uint32_t i = 0; i < 3; ++i) {
    EXPECT_EQ(r->events[i].meta.seq, i + 1);
    EXPECT_EQ(r->events[i].meta.version, i + 1);
  }
  auto read = log_->read_stream("ci_a");
  ASSERT_TRUE(read.ok());
  ASSERT_EQ(read->size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(events::encode((*read)[i]), events::encode(r->events[i]));
    const auto& m = std::get<events::checkin::message_posted>((*read)[i].data);
    EXPECT_EQ(m.content, "m" + std::to_string(i));
  }
}

TEST_P(EventLogContract, AssignsGapFreeSeqsAcrossStreamsAndVersionsPerStream) {
  append_ok(append_to("ci_a", expected_version::any(), 2));
  append_ok(append_to("ci_b", expected_version::any(), 1));
  append_ok(append_to("ci_a", expected_version::exact(2), 1));
  append_request org;
  org.streams.push_back({"org_x", expected_version::no_stream(), {org_created("org_x")}});
  append_ok(std::move(org));

  auto all = scan_all();
  ASSERT_EQ(all.size(), 5u);
  for (std::size_t i = 0; i < all.size(); ++i)
    EXPECT_EQ(all[i].seq, i + 1);
  auto a = log_->read_stream("ci_a");
  ASSERT_TRUE(a.ok());
  ASSERT_EQ(a->size(), 3u);
  EXPECT_EQ((*a)[0].meta.seq, 1u);
  EXPECT_EQ((*a)[1].meta.seq, 2u);
  EXPECT_EQ((*a)[2].meta.seq, 4u);
  EXPECT_EQ((*a)[2].meta.version, 3u);
  auto b = log_->read_stream("ci_b");
  ASSERT_TRUE(b.ok());
  ASSERT_EQ(b->size(), 1u);
  EXPECT_EQ((*b)[0].meta.seq, 3u);
  EXPECT_EQ((*b)[0].meta.version, 1u);
  EXPECT_EQ(log_->head().seq, 5u);
}

TEST_P(EventLogContract, StoresEncodedEventsChainedFromZero) {
  append_ok(append_to("ci_a", expected_version::any(), 2));
  append_ok(append_to("ci_b", expected_version::any(), 2));
  hash256 h{};
  auto all = scan_all();
  ASSERT_EQ(all.size(), 4u);
  for (const auto& e : all) {
    h = chain_hash(h, e.bytes);
    EXPECT_EQ(e.hash, h) << "seq " << e.seq;
    auto decoded = events::decode(e.bytes);
    ASSERT_TRUE(decoded.ok());
    EXPECT_EQ(decoded->meta.seq, e.seq);
    EXPECT_EQ(events::encode(*decoded), e.bytes);
  }
  EXPECT_EQ(log_->head().hash, h);
  auto report = log_->verify();
  EXPECT_TRUE(report.ok) << report.problem;
  EXPECT_EQ(report.events, 4u);
  EXPECT_EQ(report.head_hash, h);
  EXPECT_FALSE(report.first_bad_seq.has_value());
}

TEST_P(EventLogContract, ScansAnInclusiveRangeAndStopsWhenTheVisitorSaysSo) {
  append_ok(append_to("ci_a", expected_version::any(), 6));
  std::vector<std::uint64_t> seen;
  ASSERT_TRUE(log_->scan(2, 4,
                         [&](const stored_event& e) {
                           seen.push_back(e.seq);
                           return true;
                         })
                  .ok());
  EXPECT_EQ(seen, (std::vector<std::uint64_t>{2, 3, 4}));
  seen.clear();
  ASSERT_TRUE(log_->scan(0, 100,
                         [&](const stored_event& e) {
                           seen.push_back(e.seq);
                           return e.seq < 3;
                         })
                  .ok());
  EXPECT_EQ(seen, (std::vector<std::uint64_t>{1, 2, 3}));
  seen.clear();
  ASSERT_TRUE(log_->scan(5, 2,
                         [&](const stored_event& e) {
                           seen.push_back(e.seq);
                           return true;
                         })
                  .ok());
  EXPECT_TRUE(seen.empty());
}

TEST_P(EventLogContract, RejectsAppendWithStaleExpectedVersion) {
  append_ok(append_to("ci_a", expected_version::no_stream(), 2));
  auto r = log_->append(append_to("ci_a", expected_version::exact(1)));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, events::errc::aborted);
  EXPECT_NE(r.error().message.find("ci_a"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("version 1"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("version 2"), std::string::npos) << r.error().message;
  EXPECT_EQ(log_->head().seq, 2u);
  EXPECT_EQ(log_->read_stream("ci_a")->size(), 2u);
  // The right expectation still works.
  EXPECT_EQ(append_ok(append_to("ci_a", expected_version::exact(2))), 3u);
}

TEST_P(EventLogContract, RejectsNoStreamWhenTheStreamExists) {
  append_ok(append_to("ci_a", expected_version::no_stream()));
  for (auto expected : {expected_version::no_stream(), expected_version::exact(0)}) {
    auto r = log_->append(append_to("ci_a", expected));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, events::errc::aborted);
  }
  auto r = log_->append(append_to("ci_new", expected_version::exact(0)));
  EXPECT_TRUE(r.ok());
}

TEST_P(EventLogContract, RejectsExactVersionOfAMissingStream) {
  auto r = log_->append(append_to("ci_missing", expected_version::exact(3)));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, events::errc::aborted);
  EXPECT_EQ(log_->head().seq, 0u);
}

TEST_P(EventLogContract, WritesNothingOfAMultiStreamAppendWhenOneStreamConflicts) {
  append_ok(append_to("ci_b", expected_version::any(), 2));
  append_request req;
  req.streams.push_back(messages("ci_a", expected_version::no_stream(), 2));
  req.streams.push_back(messages("ci_b", expected_version::exact(1))); // it is at 2
  auto r = log_->append(std::move(req));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, events::errc::aborted);
  EXPECT_NE(r.error().message.find("ci_b"), std::string::npos);
  EXPECT_TRUE(log_->read_stream("ci_a")->empty());
  EXPECT_EQ(log_->read_stream("ci_b")->size(), 2u);
  EXPECT_EQ(log_->head().seq, 2u);

  append_request next;
  next.streams.push_back(messages("ci_a", expected_version::no_stream(), 1));
  next.streams.push_back(messages("ci_b", expected_version::exact(2), 1));
  auto ok = log_->append(std::move(next));
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  ASSERT_EQ(ok->events.size(), 2u);
  EXPECT_EQ(ok->events[0].meta.seq, 3u);
  EXPECT_EQ(ok->events[0].meta.stream, "ci_a");
  EXPECT_EQ(ok->events[0].meta.version, 1u);
  EXPECT_EQ(ok->events[1].meta.seq, 4u);
  EXPECT_EQ(ok->events[1].meta.version, 3u);
  EXPECT_TRUE(log_->verify().ok);
}

TEST_P(EventLogContract, SeesEarlierPartsOfTheSameRequestForARepeatedStream) {
  append_request req;
  req.streams.push_back(messages("ci_a", expected_version::no_stream(), 2));
  req.streams.push_back(messages("ci_a", expected_version::exact(2), 1));
  auto r = log_->append(std::move(req));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->events.back().meta.version, 3u);
}

TEST_P(EventLogContract, RejectsAnEventFiledUnderAnotherStream) {
  append_request req;
  req.streams.push_back(messages("ci_a", expected_version::any()));
  req.streams.back().events.push_back(org_created("org_other"));
  auto r = log_->append(std::move(req));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, events::errc::internal);
  EXPECT_EQ(log_->head().seq, 0u);

  auto bad_id = log_->append(append_to(std::string("ci\0x", 4), expected_version::any()));
  ASSERT_FALSE(bad_id.ok());
  EXPECT_EQ(bad_id.error().code, events::errc::internal);
}

TEST_P(EventLogContract, GivesConcurrentAppendersUniqueContiguousSeqs) {
  constexpr int threads = 6;
  constexpr int per_thread = 50;
  std::mutex mu;
  std::set<std::uint64_t> seqs;
  std::atomic<int> failures{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      const std::string stream = "ci_thread" + std::to_string(t);
      for (int i = 0; i < per_thread; ++i) {
        auto r = log_->append(append_to(stream, expected_version::exact(i)));
        if (!r.ok()) {
          ++failures;
          continue;
        }
        std::lock_guard lock{mu};
        seqs.insert(r->events[0].meta.seq);
      }
    });
  }
  for (auto& t : pool)
    t.join();
  EXPECT_EQ(failures.load(), 0);
  ASSERT_EQ(seqs.size(), std::size_t{threads * per_thread});
  EXPECT_EQ(*seqs.begin(), 1u);
  EXPECT_EQ(*seqs.rbegin(), std::uint64_t{threads * per_thread});
  EXPECT_EQ(log_->head().seq, std::uint64_t{threads * per_thread});
  EXPECT_TRUE(log_->verify().ok);
}

TEST_P(EventLogContract, HandsGroupsToTheCommitHandlerInSeqOrderWithoutCallingCallbacks) {
  std::mutex mu;
  std::vector<std::vector<committed_append>> groups;
  log_->set_commit_handler([&](std::vector<committed_append>&& group) {
    std::lock_guard lock{mu};
    groups.push_back(std::move(group));
  });
  std::atomic<int> called{0};
  constexpr int appends = 40;
  for (int i = 0; i < appends; ++i)
    log_->append_async(append_to("ci_" + std::to_string(i % 4), expected_version::any()),
                       [&](events::outcome<append_result>) { ++called; });
  log_->append_async(append_to("ci_0", expected_version::no_stream()), // a conflict
                     [&](events::outcome<append_result>) { ++called; });
  log_->close(); // drains the queue

  std::lock_guard lock{mu};
  EXPECT_EQ(called.load(), 0);
  std::uint64_t last = 0;
  std::size_t total = 0;
  for (auto& group : groups) {
    EXPECT_FALSE(group.empty());
    for (auto& c : group) {
      ++total;
      if (!c.result.ok()) {
        EXPECT_EQ(c.result.error().code, events::errc::aborted);
        continue;
      }
      for (const auto& e : c.result->events) {
        EXPECT_EQ(e.meta.seq, last + 1);
        last = e.meta.seq;
      }
    }
  }
  EXPECT_EQ(total, std::size_t{appends + 1});
  EXPECT_EQ(last, std::uint64_t{appends});
  // The handler owns the callbacks.
  for (auto& group : groups)
    for (auto& c : group)
      c.done(std::move(c.result));
  EXPECT_EQ(called.load(), appends + 1);
}

TEST_P(EventLogContract, CloseIsIdempotentAndLaterAppendsAreUnavailable) {
  append_ok(append_to("ci_a", expected_version::any()));
  log_->close();
  log_->close();
  auto r = log_->append(append_to("ci_a", expected_version::any()));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, events::errc::unavailable);
  auto read = log_->read_stream("ci_a");
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().code, events::errc::unavailable);
  EXPECT_EQ(log_->head().seq, 1u);
}

TEST_P(EventLogContract, CountsCommittedAndFailedAppends) {
  append_ok(append_to("ci_a", expected_version::any()));
  (void)log_->append(append_to("ci_a", expected_version::no_stream()));
  auto stats = stats_of(*log_);
  ASSERT_TRUE(stats.has_value());
  EXPECT_EQ(stats->appends_committed, 1u);
  EXPECT_EQ(stats->appends_failed, 1u);
  EXPECT_EQ(stats->batches_written, 1u);
}

TEST_P(EventLogContract, SideRecordsScanByPrefixInBothOrders) {
  append_request put;
  for (std::string k : std::vector<std::string>{"a/1", "b/1", "b/2", "b/3", "b0", "c/1",
                                                "b/\xff", "\xff\xff"})
    put.records.push_back({k, "v" + k});
  ASSERT_TRUE(log_->append(std::move(put)).ok());
  auto keys = [&](std::string_view prefix, bool descending, std::size_t stop_after = 99) {
    std::vector<std::string> out;
    EXPECT_TRUE(log_->scan_records(prefix, descending,
                                   [&](std::string_view k, std::string_view v) {
                                     EXPECT_EQ(v, "v" + std::string(k));
                                     out.emplace_back(k);
                                     return out.size() < stop_after;
                                   })
                    .ok());
    return out;
  };
  EXPECT_EQ(keys("b/", false), (std::vector<std::string>{"b/1", "b/2", "b/3", "b/\xff"}));
  EXPECT_EQ(keys("b/", true), (std::vector<std::string>{"b/\xff", "b/3", "b/2", "b/1"}));
  EXPECT_EQ(keys("b/", true, 2), (std::vector<std::string>{"b/\xff", "b/3"}));
  EXPECT_EQ(keys("\xff", true), (std::vector<std::string>{"\xff\xff"}));
  EXPECT_EQ(keys("z", false), std::vector<std::string>{});
  EXPECT_EQ(keys("z", true), std::vector<std::string>{});
  EXPECT_EQ(keys("", true).size(), 8u);
}

TEST_P(EventLogContract, SideRecordsAreWrittenReadAndDeleted) {
  append_request put;
  put.records = {{"us_a/k1", std::string("first")}, {"us_b/k1", std::string("second")}};
  ASSERT_TRUE(log_->append(std::move(put)).ok());
  EXPECT_EQ(log_->head().seq, 0u); // records are not events
  auto a = log_->read_record("us_a/k1");
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(a->has_value());
  EXPECT_EQ(**a, "first");
  std::vector<std::string> seen;
  ASSERT_TRUE(log_->scan_records([&](std::string_view k, std::string_view v) {
                    seen.push_back(std::string(k) + "=" + std::string(v));
                    return true;
                  })
                  .ok());
  EXPECT_EQ(seen.size(), 2u);
  append_request del;
  del.records = {{"us_a/k1", std::nullopt}};
  ASSERT_TRUE(log_->append(std::move(del)).ok());
  auto gone = log_->read_record("us_a/k1");
  ASSERT_TRUE(gone.ok());
  EXPECT_FALSE(gone->has_value());
  EXPECT_TRUE(log_->verify().ok);
}

TEST_P(EventLogContract, SideRecordsCommitWithTheirEventsOrNotAtAll) {
  append_ok(append_to("ci_a", expected_version::no_stream(), 1));
  auto with_events = append_to("ci_b", expected_version::no_stream(), 1);
  with_events.records = {{"k-ok", std::string("v")}};
  ASSERT_TRUE(log_->append(std::move(with_events)).ok());
  auto conflicting = append_to("ci_a", expected_version::no_stream(), 1);
  conflicting.records = {{"k-conflict", std::string("v")}};
  auto r = log_->append(std::move(conflicting));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, events::errc::aborted);
  EXPECT_TRUE(log_->read_record("k-ok")->has_value());
  EXPECT_FALSE(log_->read_record("k-conflict")->has_value());
}

} // namespace
} // namespace waitroom::storage
