// RocksDB-specific behaviour: on-disk layout, reopen, tamper detection, group commit,
// read-only opens and locking.

#include "storage/audit_query.hpp"
#include "storage/event_log.hpp"
#include "storage/side_records.hpp"
#include "storage/writer_stats.hpp"
#include "tests/storage/forge.hpp"
#include "tests/storage/log_test_support.hpp"
#include "tests/storage/raw_db.hpp"

#include "events/codec.hpp"

#include <rocksdb/db.h>

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <mutex>
#include <thread>

namespace waitroom::storage {
namespace {

namespace rdb = ROCKSDB_NAMESPACE;

using testing::append_to;
using testing::messages;

std::string be64(std::uint64_t v) {
  std::string s;
  for (int shift = 56; shift >= 0; shift -= 8)
    s.push_back(static_cast<char>((v >> shift) & 0xff));
  return s;
}

std::string be32(std::uint32_t v) {
  std::string s;
  for (int shift = 24; shift >= 0; shift -= 8)
    s.push_back(static_cast<char>((v >> shift) & 0xff));
  return s;
}

using testing::raw_db;

std::unique_ptr<event_log> open_log(const std::filesystem::path& dir,
                                    rocksdb_options options = {}) {
  auto opened = open_rocksdb_log(dir, options);
  if (!opened.ok()) {
    ADD_FAILURE() << opened.error().message;
    return nullptr;
  }
  return std::move(*opened);
}

// Five events: ci_a v1..3 (seq 1, 2, 4), ci_b v1..2 (seq 3, 5).
void write_sample(event_log& log) {
  ASSERT_TRUE(log.append(append_to("ci_a", expected_version::no_stream(), 2)).ok());
  ASSERT_TRUE(log.append(append_to("ci_b", expected_version::no_stream(), 1)).ok());
  ASSERT_TRUE(log.append(append_to("ci_a", expected_version::exact(2), 1)).ok());
  ASSERT_TRUE(log.append(append_to("ci_b", expected_version::exact(1), 1)).ok());
}

// The sample in a log of its own in `dir`, closed again (for raw edits and reopens).
void write_closed_sample(const std::filesystem::path& dir) {
  auto log = open_log(dir);
  ASSERT_TRUE(log);
  write_sample(*log);
}

TEST(RocksdbLog, StoresTheDocumentedLayout) {
  testing::temp_dir dir;
  auto log = open_log(dir.path());
  ASSERT_TRUE(log);
  write_sample(*log);
  const auto head = log->head();
  std::vector<stored_event> stored;
  ASSERT_TRUE(log->scan(1, 5,
                        [&](const stored_event& e) {
                          stored.push_back(e);
                          return true;
                        })
                  .ok());
  log.reset();

  raw_db raw{dir.path()};
  auto cfs = raw.column_families();
  for (const char* name :
       {"default", "log", "streams", "meta", "snapshots", "idempotency"})
    EXPECT_NE(std::find(cfs.begin(), cfs.end(), name), cfs.end()) << name;
  EXPECT_EQ(raw.get("meta", "format_version"), "1");
  EXPECT_EQ(raw.get("meta", "log_id"), head.log_id);
  EXPECT_EQ(raw.get("meta", "head_seq"), be64(5));
  EXPECT_EQ(raw.get("meta", "head_hash"),
            std::string(reinterpret_cast<const char*>(head.hash.data()), 32));
  ASSERT_EQ(stored.size(), 5u);
  for (const auto& e : stored) {
    auto value = raw.get("log", be64(e.seq));
    ASSERT_TRUE(value.has_value());
    ASSERT_EQ(value->size(), 33 + e.bytes.size());
    EXPECT_EQ((*value)[0], '\x01');
    EXPECT_EQ(value->substr(1, 32),
              std::string(reinterpret_cast<const char*>(e.hash.data()), 32));
    EXPECT_EQ(value->substr(33), e.bytes);
  }
  EXPECT_EQ(raw.get("streams", std::string("ci_a\0", 5) + be32(3)), be64(4));
  EXPECT_EQ(raw.get("streams", std::string("ci_b\0", 5) + be32(2)), be64(5));
  EXPECT_EQ(raw.count("streams"), 5u);
  EXPECT_EQ(raw.count("snapshots"), 0u);
  EXPECT_EQ(raw.count("idempotency"), 0u);
}

TEST(RocksdbLog, ReopensWithHeadLogIdAndEventsAndContinuesTheChain) {
  testing::temp_dir dir;
  log_head before;
  {
    auto log = open_log(dir.sub("nested/log"));
    ASSERT_TRUE(log);
    write_sample(*log);
    before = log->head();
  }
  auto log = open_log(dir.sub("nested/log"));
  ASSERT_TRUE(log);
  auto after = log->head();
  EXPECT_EQ(after.seq, 5u);
  EXPECT_EQ(after.hash, before.hash);
  EXPECT_EQ(after.log_id, before.log_id);
  ASSERT_EQ(log->read_stream("ci_a")->size(), 3u);
  ASSERT_EQ(log->read_stream("ci_b")->size(), 2u);

  // Versions come from the store now (the cache is empty after a reopen).
  auto stale = log->append(append_to("ci_a", expected_version::exact(2)));
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.error().code, events::errc::aborted);
  auto r = log->append(append_to("ci_a", expected_version::exact(3)));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->events[0].meta.seq, 6u);
  EXPECT_EQ(r->events[0].meta.version, 4u);
  stored_event sixth;
  ASSERT_TRUE(log->scan(6, 6,
                        [&](const stored_event& e) {
                          sixth = e;
                          return true;
                        })
                  .ok());
  EXPECT_EQ(sixth.hash, chain_hash(before.hash, sixth.bytes));
  auto report = log->verify();
  EXPECT_TRUE(report.ok) << report.problem;
  EXPECT_EQ(report.events, 6u);
}

TEST(RocksdbLog, KeepsAppendsWrittenWithoutFsyncAfterACleanClose) {
  testing::temp_dir dir;
  {
    auto log = open_log(dir.path(), {.mode = durability::none});
    ASSERT_TRUE(log);
    write_sample(*log);
  }
  auto log = open_log(dir.path());
  ASSERT_TRUE(log);
  EXPECT_EQ(log->head().seq, 5u);
  EXPECT_TRUE(log->verify().ok);
}

TEST(RocksdbLog, GroupCommitsConcurrentAppendsIntoFewerWrites) {
  testing::temp_dir dir;
  auto log = open_log(dir.path());
  ASSERT_TRUE(log);
  constexpr int threads = 8;
  constexpr int per_thread = 100;
  std::atomic<int> failures{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i) {
        auto stream = "ci_t" + std::to_string(t) + "_" + std::to_string(i);
        if (!log->append(append_to(stream, expected_version::no_stream())).ok())
          ++failures;
      }
    });
  for (auto& t : pool)
    t.join();
  EXPECT_EQ(failures.load(), 0);
  auto stats = stats_of(*log);
  ASSERT_TRUE(stats.has_value());
  EXPECT_EQ(stats->appends_committed, std::uint64_t{threads * per_thread});
  EXPECT_LT(stats->batches_written, stats->appends_committed);
  EXPECT_EQ(log->head().seq, std::uint64_t{threads * per_thread});
  EXPECT_TRUE(log->verify().ok);
}

TEST(RocksdbLog, FailsOnlyTheConflictingRequestOfAGroup) {
  testing::temp_dir dir;
  auto log = open_log(dir.path());
  ASSERT_TRUE(log);
  ASSERT_TRUE(log->append(append_to("ci_b", expected_version::any(), 2)).ok());

  // Hold the writer inside the first group's handler so that the next appends queue
  // up and are committed together.
  std::promise<void> release;
  auto gate = release.get_future().share();
  std::mutex mu;
  std::vector<std::vector<events::outcome<append_result>>> groups;
  std::promise<void> first_seen;
  log->set_commit_handler([&](std::vector<committed_append>&& group) {
    std::vector<events::outcome<append_result>> results;
    for (auto& c : group)
      results.push_back(c.result);
    bool first = false;
    {
      std::lock_guard lock{mu};
      groups.push_back(std::move(results));
      first = groups.size() == 1;
    }
    if (first) {
      first_seen.set_value();
      gate.wait();
    }
    for (auto& c : group)
      c.done(std::move(c.result));
  });
  auto ignore = [](events::outcome<append_result>) {};
  log->append_async(append_to("ci_c", expected_version::any()), ignore);
  first_seen.get_future().wait();

  append_request conflicting; // ci_a would be new, but ci_b is at 2, not 1
  conflicting.streams.push_back(messages("ci_a", expected_version::no_stream(), 2));
  conflicting.streams.push_back(messages("ci_b", expected_version::exact(1)));
  log->append_async(std::move(conflicting), ignore);
  append_request next;
  next.streams.push_back(messages("ci_a", expected_version::no_stream()));
  next.streams.push_back(messages("ci_b", expected_version::exact(2)));
  log->append_async(std::move(next), ignore);
  release.set_value();
  log->close();

  ASSERT_EQ(groups.size(), 2u);
  ASSERT_EQ(groups[1].size(), 2u);
  ASSERT_FALSE(groups[1][0].ok());
  EXPECT_EQ(groups[1][0].error().code, events::errc::aborted);
  ASSERT_TRUE(groups[1][1].ok()) << groups[1][1].error().message;
  EXPECT_EQ(groups[1][1]->events[0].meta.seq, 4u);
  EXPECT_EQ(groups[1][1]->events[0].meta.version, 1u);
  EXPECT_EQ(groups[1][1]->events[1].meta.version, 3u);

  auto reopened = open_log(dir.path());
  ASSERT_TRUE(reopened);
  EXPECT_EQ(reopened->head().seq, 5u);
  EXPECT_EQ(reopened->read_stream("ci_a")->size(), 1u);
  EXPECT_TRUE(reopened->verify().ok);
}

TEST(RocksdbLog, VerifyDetectsAnEditedEvent) {
  testing::temp_dir dir;
  write_closed_sample(dir.path());
  {
    raw_db raw{dir.path()};
    auto value = raw.get("log", be64(3));
    ASSERT_TRUE(value.has_value());
    auto at = value->find("\"m0\"");
    ASSERT_NE(at, std::string::npos);
    (*value)[at + 2] = '9'; // "m0" -> "m9": still valid JSON, same seq
    raw.put("log", be64(3), *value);
  }
  auto log = open_log(dir.path());
  ASSERT_TRUE(log);
  auto report = log->verify();
  EXPECT_FALSE(report.ok);
  ASSERT_TRUE(report.first_bad_seq.has_value());
  EXPECT_EQ(*report.first_bad_seq, 3u);
  EXPECT_EQ(report.events, 2u);
  EXPECT_FALSE(report.problem.empty());
}

TEST(RocksdbLog, VerifyDetectsADeletedEvent) {
  testing::temp_dir dir;
  write_closed_sample(dir.path());
  {
    raw_db raw{dir.path()};
    raw.erase("log", be64(2));
  }
  auto log = open_log(dir.path());
  ASSERT_TRUE(log);
  auto report = log->verify();
  EXPECT_FALSE(report.ok);
  ASSERT_TRUE(report.first_bad_seq.has_value());
  EXPECT_EQ(*report.first_bad_seq, 2u);
  EXPECT_NE(report.problem.find("missing"), std::string::npos) << report.problem;
  // The stream index now points at nothing: reading it is an error, not a crash.
  EXPECT_FALSE(log->read_stream("ci_a").ok());
}

TEST(RocksdbLog, VerifyDetectsATamperedStoredHash) {
  testing::temp_dir dir;
  write_closed_sample(dir.path());
  {
    raw_db raw{dir.path()};
    auto value = raw.get("log", be64(4));
    ASSERT_TRUE(value.has_value());
    (*value)[5] = static_cast<char>((*value)[5] ^ 0x01);
    raw.put("log", be64(4), *value);
  }
  auto log = open_log(dir.path());
  ASSERT_TRUE(log);
  auto report = log->verify();
  EXPECT_FALSE(report.ok);
  ASSERT_TRUE(report.first_bad_seq.has_value());
  EXPECT_EQ(*report.first_bad_seq, 4u);
}

TEST(RocksdbLog, VerifyDetectsATamperedHead) {
  testing::temp_dir dir;
  write_closed_sample(dir.path());
  {
    raw_db raw{dir.path()};
    raw.put("meta", "head_hash", std::string(32, 'x'));
  }
  auto log = open_log(dir.path());
  ASSERT_TRUE(log);
  auto report = log->verify();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.events, 5u);
  EXPECT_NE(report.problem.find("head hash"), std::string::npos) << report.problem;
}

TEST(RocksdbLog, RefusesToAppendWhenTheLogEndsBeforeItsHeadButStillVerifiesReadOnly) {
  testing::temp_dir dir;
  write_closed_sample(dir.path());
  {
    raw_db raw{dir.path()};
    raw.erase("log", be64(5));
  }
  auto writable = open_rocksdb_log(dir.path(), {});
  ASSERT_FALSE(writable.ok());
  EXPECT_EQ(writable.error().code, events::errc::unavailable);

  auto log = open_log(dir.path(), {.read_only = true});
  ASSERT_TRUE(log);
  auto report = log->verify();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.events, 4u);
  ASSERT_TRUE(report.first_bad_seq.has_value());
  EXPECT_EQ(*report.first_bad_seq, 5u);
}

TEST(RocksdbLog, OpensReadOnlyBesideAWriter) {
  testing::temp_dir dir;
  auto writer = open_log(dir.path());
  ASSERT_TRUE(writer);
  write_sample(*writer);

  auto reader = open_log(dir.path(), {.read_only = true});
  ASSERT_TRUE(reader);
  EXPECT_EQ(reader->head().seq, 5u);
  EXPECT_EQ(reader->head().log_id, writer->head().log_id);
  EXPECT_EQ(reader->read_stream("ci_a")->size(), 3u);
  auto report = reader->verify();
  EXPECT_TRUE(report.ok) << report.problem;
  EXPECT_EQ(report.events, 5u);

  auto r = reader->append(append_to("ci_a", expected_version::any()));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, events::errc::unavailable);

  // The writer goes on; a reader opened later sees the new events.
  ASSERT_TRUE(writer->append(append_to("ci_c", expected_version::no_stream())).ok());
  reader->close();
  auto later = open_log(dir.path(), {.read_only = true});
  ASSERT_TRUE(later);
  EXPECT_EQ(later->head().seq, 6u);
  EXPECT_TRUE(later->verify().ok);
}

TEST(RocksdbLog, FailsToOpenADirectoryLockedByAWriter) {
  testing::temp_dir dir;
  auto writer = open_log(dir.path());
  ASSERT_TRUE(writer);
  auto second = open_rocksdb_log(dir.path(), {});
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, events::errc::unavailable);
  EXPECT_NE(second.error().message.find("lock"), std::string::npos)
      << second.error().message;
  // The first writer is unaffected.
  EXPECT_TRUE(writer->append(append_to("ci_a", expected_version::any())).ok());
  writer->close();
  EXPECT_TRUE(open_rocksdb_log(dir.path(), {}).ok());
}

TEST(RocksdbLog, RejectsAnUnknownFormatVersion) {
  testing::temp_dir dir;
  {
    auto log = open_log(dir.path());
    ASSERT_TRUE(log);
  }
  {
    raw_db raw{dir.path()};
    raw.put("meta", "format_version", "2");
  }
  for (bool read_only : {false, true}) {
    auto r = open_rocksdb_log(dir.path(), {.read_only = read_only});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, events::errc::unavailable);
    EXPECT_NE(r.error().message.find("format version"), std::string::npos)
        << r.error().message;
  }
}

TEST(RocksdbLog, FailsToOpenAMissingDirectoryWithoutCreating) {
  testing::temp_dir dir;
  auto r = open_rocksdb_log(dir.sub("absent"), {.create_if_missing = false});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, events::errc::unavailable);
  auto ro = open_rocksdb_log(dir.sub("absent"), {.read_only = true});
  ASSERT_FALSE(ro.ok());
  EXPECT_EQ(ro.error().code, events::errc::unavailable);
  EXPECT_FALSE(std::filesystem::exists(dir.sub("absent")));
}

TEST(RocksdbLog, FailsAppendsAfterCloseOnTheCallerThread) {
  testing::temp_dir dir;
  auto log = open_log(dir.path());
  ASSERT_TRUE(log);
  log->close();
  std::thread::id called_on;
  std::optional<events::errc> code;
  log->append_async(append_to("ci_a", expected_version::any()),
                    [&](events::outcome<append_result> r) {
                      called_on = std::this_thread::get_id();
                      if (!r.ok()) code = r.error().code;
                    });
  EXPECT_EQ(called_on, std::this_thread::get_id());
  EXPECT_EQ(code, events::errc::unavailable);
  EXPECT_FALSE(log->verify().ok);
}

TEST(RocksdbLog, StopsAcceptingWhenClosedFromACompletion) {
  testing::temp_dir dir;
  auto log = open_log(dir.path());
  ASSERT_TRUE(log);
  std::promise<void> closed;
  log->append_async(append_to("ci_a", expected_version::any()),
                    [&](events::outcome<append_result> r) {
                      EXPECT_TRUE(r.ok());
                      log->close(); // on the writer thread: must not deadlock
                      closed.set_value();
                    });
  closed.get_future().wait();
  auto r = log->append(append_to("ci_a", expected_version::any()));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, events::errc::unavailable);
  log->close(); // finishes: joins the writer and closes the store
  EXPECT_FALSE(log->read_stream("ci_a").ok());
  auto reopened = open_log(dir.path());
  ASSERT_TRUE(reopened);
  EXPECT_EQ(reopened->head().seq, 1u);
}

TEST(RocksdbLog, KeepsStreamVersionsRightAcrossManyStreams) {
  // Versions written by earlier groups are found again: from the cache while open,
  // from the `streams` column family after a reopen ("ci_1" and "ci_10" share a
  // textual prefix but not a key prefix).
  testing::temp_dir dir;
  auto log = open_log(dir.path(), {.mode = durability::none});
  ASSERT_TRUE(log);
  for (int round = 0; round < 3; ++round)
    for (int s = 0; s < 200; ++s)
      ASSERT_TRUE(log->append(append_to("ci_" + std::to_string(s),
                                        expected_version::exact(round)))
                      .ok());
  log->close();
  auto reopened = open_log(dir.path());
  ASSERT_TRUE(reopened);
  for (int s = 0; s < 200; s += 37) {
    auto stream = "ci_" + std::to_string(s);
    EXPECT_FALSE(reopened->append(append_to(stream, expected_version::exact(2))).ok());
    EXPECT_TRUE(reopened->append(append_to(stream, expected_version::exact(3))).ok());
  }
  EXPECT_TRUE(reopened->verify().ok);
}

// --- unreadable events and quarantine -------------------------------------------------

// What the unchecked encoder of an older build wrote for a message whose type was never
// set: valid JSON, a correct chain, and a `data` that `decode` refuses.
// `e` encoded for the forger (seq and version to fill in), with `good` replaced by `bad`.
std::string unreadable(events::recorded_event e, const std::string& good,
                       const std::string& bad) {
  e.meta.seq = 999'999'001;
  e.meta.version = 999'999;
  auto bytes = events::encode(e);
  for (auto [from, to] : {std::pair<std::string, std::string>{"999999001", "@SEQ@"},
                          {"999999", "@VERSION@"},
                          {good, bad}}) {
    auto at = bytes.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    bytes.replace(at, from.size(), to);
  }
  return bytes;
}

std::string unreadable_message(const std::string& stream) {
  return unreadable(testing::message_posted(stream, "hello"), "\"type\":\"comment\"",
                    "\"type\":\"?\"");
}

// A person's approval, as an older build could have written it.
std::string unreadable_approval(const std::string& stream) {
  namespace ck = events::checkin;
  auto by = events::actor_ref::user("us_0123456789");
  auto e = events::make_event(stream, "org_0123456789", "rm_0123456789", by,
                              testing::sample_time,
                              ck::resolved{{ck::resolution::approved, by,
                                            testing::sample_time, {}, {}, {}},
                                           std::nullopt});
  return unreadable(e, "\"outcome\":\"approved\"", "\"outcome\":\"?\"");
}

// The sample (5 events), then an unreadable event (seq 6) of ci_a, then one more (7).
std::filesystem::path log_with_an_unreadable_event(const testing::temp_dir& dir) {
  write_closed_sample(dir.path());
  EXPECT_EQ(testing::forge_append(dir.path(), "ci_a", unreadable_message("ci_a")), 6u);
  auto log = open_log(dir.path());
  EXPECT_TRUE(log->append(append_to("ci_a", expected_version::exact(4))).ok());
  return dir.path();
}

TEST(RocksdbLog, ScanDecodedHandsOverEachEventAndStopsAtTheFirstUnreadableOne) {
  testing::temp_dir dir;
  auto log = open_log(log_with_an_unreadable_event(dir));
  std::vector<std::uint64_t> seen;
  auto record = [&](const stored_event& stored, const events::recorded_event& e) {
    EXPECT_EQ(e.meta.seq, stored.seq);
    seen.push_back(e.meta.seq);
    return true;
  };
  auto all = scan_decoded(*log, 1, 7, record);
  ASSERT_FALSE(all.ok());
  EXPECT_EQ(all.error().details.at("seq"), 6u);
  EXPECT_EQ(all.error().details.at("type"), "checkin.message");
  EXPECT_EQ(seen, (std::vector<std::uint64_t>{1, 2, 3, 4, 5})) << "7 is never reached";

  seen.clear();
  EXPECT_TRUE(scan_decoded(*log, 7, 7, record).ok());
  EXPECT_EQ(seen, std::vector<std::uint64_t>{7});

  seen.clear(); // the visitor ends it early: no error
  EXPECT_TRUE(
      scan_decoded(*log, 1, 7,
                   [&](const stored_event& stored, const events::recorded_event& e) {
                     record(stored, e);
                     return seen.size() < 2;
                   })
          .ok());
  EXPECT_EQ(seen, (std::vector<std::uint64_t>{1, 2}));
}

TEST(RocksdbLog, AnAuditQueryPagesFiltersAndStopsWithinItsBudget) {
  testing::temp_dir dir;
  auto log = open_log(dir.path());
  ASSERT_TRUE(log);
  write_sample(*log); // seqs 1, 2 and 4 of ci_a, 3 and 5 of ci_b
  ASSERT_TRUE(log->append({{{"org_0000000000",
                             expected_version::no_stream(),
                             {testing::org_created("org_0000000000")}}}})
                  .ok()); // seq 6, another organization
  auto seqs = [](const audit_page& p) {
    std::vector<std::uint64_t> out;
    for (const auto& e : p.events)
      out.push_back(e.seq);
    return out;
  };
  audit_filter f;
  f.org_id = "org_0123456789";
  auto first = audit_query(*log, f, 0, 2, 1000);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(seqs(*first), (std::vector<std::uint64_t>{1, 2}));
  ASSERT_TRUE(first->next_after);
  auto rest = audit_query(*log, f, *first->next_after, 10, 1000);
  ASSERT_TRUE(rest.ok());
  EXPECT_EQ(seqs(*rest), (std::vector<std::uint64_t>{3, 4, 5})) << "not the other org's";
  EXPECT_FALSE(rest->next_after);

  f.stream = "ci_b";
  auto budgeted = audit_query(*log, f, 0, 10, 3); // looks at 1-3 only
  ASSERT_TRUE(budgeted.ok());
  EXPECT_EQ(seqs(*budgeted), std::vector<std::uint64_t>{3});
  ASSERT_TRUE(budgeted->next_after);
  EXPECT_EQ(*budgeted->next_after, 3u);
  auto on = audit_query(*log, f, 3, 10, 3);
  ASSERT_TRUE(on.ok());
  EXPECT_EQ(seqs(*on), std::vector<std::uint64_t>{5});

  f = {};
  f.org_id = "org_0123456789";
  f.type_prefix = "org.";
  auto none = audit_query(*log, f, 0, 10, 1000);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->events.empty());
}

TEST(RocksdbLog, AnAuditQueryEndsAtAnUnreadableEventWithItsError) {
  testing::temp_dir dir;
  auto log = open_log(log_with_an_unreadable_event(dir));
  audit_filter f;
  f.org_id = "org_0123456789";
  auto page = audit_query(*log, f, 0, 100, 1000);
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.error().details.at("seq"), 6u);
  EXPECT_TRUE(audit_query(*log, f, 6, 100, 1000).ok()) << "after it, the log reads on";
}

// A quarantine record written by hand, outside the chain.
void put_quarantine_record(const std::filesystem::path& dir, std::uint64_t seq,
                           const std::string& value) {
  raw_db{dir}.put("idempotency", quarantine_record_key(seq), value);
}

TEST(RocksdbLog, NeverStoresAnEventTheCodecCannotReadBack) {
  testing::temp_dir dir;
  auto log = open_log(dir.path());
  ASSERT_TRUE(log);
  write_sample(*log);
  auto bad = append_to("ci_a", expected_version::exact(3));
  auto& m = std::get<events::checkin::message_posted>(bad.streams[0].events[0].data);
  m.type = static_cast<events::checkin::message_kind>(77); // an enum left unset
  auto out = log->append(std::move(bad));
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code, events::errc::internal);
  EXPECT_NE(out.error().message.find("checkin.message"), std::string::npos);
  EXPECT_EQ(log->head().seq, 5u) << "nothing was written";
  // ... and nothing of the group it was in: the next append continues the chain
  ASSERT_TRUE(log->append(append_to("ci_a", expected_version::exact(3))).ok());
  EXPECT_EQ(log->head().seq, 6u);
  log.reset();
  auto reopened = open_log(dir.path());
  EXPECT_TRUE(reopened->verify().ok);
  EXPECT_EQ(reopened->read_stream("ci_a")->size(), 4u);
}

TEST(RocksdbLog, VerifyDecodesEveryEventAndNamesTheFirstUnreadableOne) {
  testing::temp_dir dir;
  auto log = open_log(log_with_an_unreadable_event(dir));
  auto report = log->verify();
  EXPECT_FALSE(report.ok);
  EXPECT_TRUE(report.undecodable);
  ASSERT_TRUE(report.first_bad_seq.has_value());
  EXPECT_EQ(*report.first_bad_seq, 6u);
  EXPECT_NE(report.problem.find("checkin.message"), std::string::npos) << report.problem;
  EXPECT_EQ(report.events, 5u);
  // Readers fail on it, naming it.
  auto stream = log->read_stream("ci_a");
  ASSERT_FALSE(stream.ok());
  EXPECT_NE(stream.error().message.find("event 6 (checkin.message)"), std::string::npos)
      << stream.error().message;
  std::optional<events::error> failure;
  ASSERT_TRUE(log->scan(6, 6, [&](const stored_event& e) {
                   auto d = decode(e);
                   if (!d) failure = d.error();
                   return true;
                 }).ok());
  ASSERT_TRUE(failure.has_value());
  EXPECT_EQ(failure->details.at("seq"), 6u);
  EXPECT_EQ(failure->details.at("type"), "checkin.message");
}

TEST(RocksdbLog, QuarantineSetsAnUnreadableEventAsideAndTheChainStillVerifies) {
  testing::temp_dir dir;
  log_with_an_unreadable_event(dir);
  auto log = open_log(dir.path());
  const auto before = log->head();
  auto stand_in = log->quarantine(6, "written by an older build", events::timestamp{42});
  ASSERT_TRUE(stand_in.ok()) << stand_in.error().message;
  EXPECT_EQ(stand_in->meta.seq, 6u);
  EXPECT_EQ(stand_in->meta.stream, "ci_a");
  EXPECT_EQ(stand_in->meta.version, 4u);
  EXPECT_EQ(stand_in->meta.org_id, "org_0123456789");
  const auto& fact = std::get<events::log::quarantined>(stand_in->data);
  EXPECT_EQ(fact.seq, 6u);
  EXPECT_EQ(fact.type, "checkin.message");
  EXPECT_EQ(fact.reason, "written by an older build");
  EXPECT_EQ(fact.bytes_sha256.size(), 64u);
  EXPECT_FALSE(fact.problem.empty());
  // The act itself is in the chain, in the `log` stream.
  EXPECT_EQ(log->head().seq, before.seq + 1);
  auto recorded = log->read_stream("log");
  ASSERT_TRUE(recorded.ok());
  ASSERT_EQ(recorded->size(), 1u);
  EXPECT_EQ(std::get<events::log::quarantined>(recorded->front().data).seq, 6u);

  auto check = [&](const event_log& l) {
    auto report = l.verify();
    EXPECT_TRUE(report.ok) << report.problem;
    EXPECT_EQ(report.events, 8u);
    EXPECT_EQ(report.quarantined, std::vector<std::uint64_t>{6});
    auto stream = l.read_stream("ci_a");
    ASSERT_TRUE(stream.ok()) << stream.error().message;
    ASSERT_EQ(stream->size(), 5u);
    EXPECT_TRUE(std::holds_alternative<events::log::quarantined>((*stream)[3].data));
    EXPECT_EQ((*stream)[3].meta.version, 4u);
    EXPECT_EQ((*stream)[4].meta.version, 5u);
    std::vector<std::string> audit;
    ASSERT_TRUE(l.scan(1, 8, [&](const stored_event& e) {
                   EXPECT_TRUE(decode(e).ok()) << e.seq;
                   audit.push_back(audit_json(e));
                   return true;
                 }).ok());
    ASSERT_EQ(audit.size(), 8u);
    EXPECT_NE(audit[5].find("\"type\":\"log.quarantined\""), std::string::npos) << audit[5];
    EXPECT_NE(audit[5].find("\"stored_base64\":\""), std::string::npos) << audit[5];
  };
  check(*log);
  log.reset();
  auto reopened = open_log(dir.path());
  check(*reopened);
  auto read_only = open_log(dir.path(), {.read_only = true, .create_if_missing = false});
  check(*read_only);
  // The aggregate goes on at the right version.
  EXPECT_TRUE(reopened->append(append_to("ci_a", expected_version::exact(5))).ok());
}

TEST(RocksdbLog, QuarantineRefusesReadableAndMissingEventsAndWritesOnce) {
  testing::temp_dir dir;
  log_with_an_unreadable_event(dir);
  auto log = open_log(dir.path());
  auto readable = log->quarantine(3, "", events::timestamp{1});
  ASSERT_FALSE(readable.ok());
  EXPECT_EQ(readable.error().code, events::errc::conflict);
  auto missing = log->quarantine(99, "", events::timestamp{1});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, events::errc::not_found);
  EXPECT_EQ(log->head().seq, 7u);
  auto first = log->quarantine(6, "once", events::timestamp{1});
  ASSERT_TRUE(first.ok());
  auto again = log->quarantine(6, "twice", events::timestamp{2});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(events::encode(*again), events::encode(*first));
  EXPECT_EQ(log->head().seq, 8u) << "the second quarantine wrote nothing";
}

TEST(RocksdbLog, AQuarantineRecordNeverHidesAReadableEvent) {
  testing::temp_dir dir;
  log_with_an_unreadable_event(dir);
  std::string stand_in;
  {
    auto log = open_log(dir.path());
    auto q = log->quarantine(6, "", events::timestamp{1});
    ASSERT_TRUE(q.ok());
    auto forged = *q;
    forged.meta.seq = 2; // a record by hand for a readable event
    stand_in = events::encode(forged);
  }
  put_quarantine_record(dir.path(), 2, stand_in);
  auto log = open_log(dir.path());
  auto report = log->verify();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.first_bad_seq, 2u);
  std::optional<events::recorded_event> second;
  ASSERT_TRUE(log->scan(2, 2, [&](const stored_event& e) {
                   second = decode(e).value();
                   return true;
                 }).ok());
  EXPECT_TRUE(std::holds_alternative<events::checkin::message_posted>(second->data))
      << "the real event, not the record's stand-in";
}

TEST(RocksdbLog, VerifyFailsForAQuarantineTheChainDoesNotRecord) {
  testing::temp_dir dir;
  log_with_an_unreadable_event(dir);
  std::string record;
  {
    // a quarantine of seq 6 made in another copy of the log, then copied in by hand
    testing::temp_dir other;
    std::filesystem::copy(dir.path(), other.path() / "log",
                          std::filesystem::copy_options::recursive);
    auto log = open_log(other.path() / "log");
    ASSERT_TRUE(log->quarantine(6, "", events::timestamp{1}).ok());
    log.reset();
    record = raw_db{other.path() / "log"}.get("idempotency", quarantine_record_key(6)).value();
  }
  put_quarantine_record(dir.path(), 6, record);
  auto log = open_log(dir.path());
  auto report = log->verify();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.first_bad_seq, 6u);
  EXPECT_NE(report.problem.find("no log.quarantined record"), std::string::npos)
      << report.problem;
}

TEST(RocksdbLog, QuarantineNeedsForceWhenMoreThanARecordOfThePastIsLost) {
  testing::temp_dir dir;
  write_closed_sample(dir.path());
  // a decision (ci_a, version 4) and a creation (ci_c, version 1)
  ASSERT_EQ(testing::forge_append(dir.path(), "ci_a", unreadable_approval("ci_a")), 6u);
  ASSERT_EQ(testing::forge_append(dir.path(), "ci_c", unreadable_message("ci_c")), 7u);
  auto log = open_log(dir.path());
  auto refused = log->quarantine(6, "r", events::timestamp{1});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, events::errc::conflict);
  EXPECT_NE(refused.error().message.find("a decision"), std::string::npos)
      << refused.error().message;
  EXPECT_NE(refused.error().message.find("--force"), std::string::npos);
  EXPECT_EQ(log->head().seq, 7u) << "nothing written";
  // not the first problem yet
  auto not_first = log->quarantine(7, "r", events::timestamp{1}, true);
  ASSERT_FALSE(not_first.ok());
  EXPECT_NE(not_first.error().message.find("quarantine that one first"), std::string::npos)
      << not_first.error().message;
  ASSERT_TRUE(log->quarantine(6, "r", events::timestamp{1}, true).ok());
  auto creation = log->quarantine(7, "r", events::timestamp{1});
  ASSERT_FALSE(creation.ok());
  EXPECT_NE(creation.error().message.find("the creation of its stream"), std::string::npos)
      << creation.error().message;
  ASSERT_TRUE(log->quarantine(7, "r", events::timestamp{1}, true).ok());
  auto report = log->verify();
  EXPECT_TRUE(report.ok) << report.problem;
  EXPECT_EQ(report.quarantined, (std::vector<std::uint64_t>{6, 7}));
}

TEST(RocksdbLog, AMalformedQuarantineRecordNeverStopsTheLogFromOpening) {
  testing::temp_dir dir;
  log_with_an_unreadable_event(dir);
  {
    auto log = open_log(dir.path());
    ASSERT_TRUE(log->quarantine(6, "r", events::timestamp{1}).ok());
  }
  put_quarantine_record(dir.path(), 6, "{not a record");
  {
    auto log = open_log(dir.path());
    ASSERT_TRUE(log) << "the log opens";
    auto read_only = open_log(dir.path(), {.read_only = true, .create_if_missing = false});
    ASSERT_TRUE(read_only);
    auto report = read_only->verify();
    EXPECT_FALSE(report.ok);
    EXPECT_TRUE(report.undecodable) << "seq 6 reads as unreadable again: " << report.problem;
    EXPECT_EQ(report.first_bad_seq, 6u);
    EXPECT_FALSE(log->read_stream("ci_a").ok());
    // quarantined again: whole
    auto again = log->quarantine(6, "again", events::timestamp{2});
    ASSERT_TRUE(again.ok()) << again.error().message;
    EXPECT_TRUE(log->verify().ok) << log->verify().problem;
  }
  auto reopened = open_log(dir.path());
  EXPECT_TRUE(reopened->verify().ok);
  // once done, a second run (after a reopen) writes nothing
  const auto head = reopened->head().seq;
  ASSERT_TRUE(reopened->quarantine(6, "a third time", events::timestamp{3}).ok());
  EXPECT_EQ(reopened->head().seq, head);
}

TEST(RocksdbLog, AnEditedQuarantineRecordFailsVerify) {
  testing::temp_dir dir;
  log_with_an_unreadable_event(dir);
  events::recorded_event stand_in;
  {
    auto log = open_log(dir.path());
    stand_in = log->quarantine(6, "r", events::timestamp{1}).value();
  }
  // the record moved to another stream by hand: readers would route it there
  stand_in.meta.stream = "ci_b";
  put_quarantine_record(dir.path(), 6, events::encode(stand_in));
  auto report = open_log(dir.path())->verify();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.first_bad_seq, 6u);
  EXPECT_NE(report.problem.find("does not match"), std::string::npos) << report.problem;
}

TEST(RocksdbLog, VerifyAcceptsAQuarantinedEventThatIsNotEvenJson) {
  // damage that kept the chain hash (written so by a broken build): bytes that are no
  // JSON at all can be set aside too
  testing::temp_dir dir;
  write_closed_sample(dir.path());
  ASSERT_EQ(testing::forge_append(dir.path(), "ci_a", std::string("\x00\xff garbage", 10)),
            6u);
  auto log = open_log(dir.path());
  auto report = log->verify();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.first_bad_seq, 6u);
  auto q = log->quarantine(6, "disk", events::timestamp{1}, true);
  ASSERT_TRUE(q.ok()) << q.error().message;
  EXPECT_EQ(std::get<events::log::quarantined>(q->data).stream, "ci_a");
  EXPECT_TRUE(log->verify().ok) << log->verify().problem;
}

} // namespace
} // namespace waitroom::storage
