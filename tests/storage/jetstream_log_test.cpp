// What the JetStream log adds to the event_log contract, against a real nats-server:
// it reopens to the same log, a second writer cannot fork it, a stream that is not a
// Waitroom log is refused, large groups split into several messages, a NATS restart
// under appends loses no acknowledged one, and a deleted, re-added or forged message
// fails `verify`.

#include "storage/event_log.hpp"
#include "storage/log_record.hpp"
#include "storage/writer_stats.hpp"
#include "tests/storage/log_test_support.hpp"
#include "tests/storage/nats_test_server.hpp"

#include "events/codec.hpp"

#include <gtest/gtest.h>

#include <nats/nats.h>

#include <atomic>
#include <future>
#include <mutex>
#include <thread>

namespace waitroom::storage {
namespace {

using testing::append_to;
using testing::nats_test_server;

/// A raw nats.c connection for doing to the stream what Waitroom never does.
class raw_js {
 public:
  explicit raw_js(const std::string& url) {
    EXPECT_EQ(natsConnection_ConnectTo(&nc_, url.c_str()), NATS_OK);
    EXPECT_EQ(natsConnection_JetStream(&js_, nc_, nullptr), NATS_OK);
  }
  ~raw_js() {
    jsCtx_Destroy(js_);
    natsConnection_Destroy(nc_);
  }
  jsCtx* js() { return js_; }

  /// A stream like the log's, but one whose messages may be deleted.
  void create_deletable(const std::string& name) {
    jsStreamConfig cfg;
    jsStreamConfig_Init(&cfg);
    const std::string subjects = name + ".*";
    const char* list[] = {subjects.c_str()};
    cfg.Name = name.c_str();
    cfg.Subjects = list;
    cfg.SubjectsLen = 1;
    cfg.Storage = js_FileStorage;
    jsStreamInfo* si = nullptr;
    ASSERT_EQ(js_AddStream(&si, js_, &cfg, nullptr, nullptr), NATS_OK);
    jsStreamInfo_Destroy(si);
  }

  std::string get(const std::string& stream, std::uint64_t seq) {
    natsMsg* m = nullptr;
    EXPECT_EQ(js_GetMsg(&m, js_, stream.c_str(), seq, nullptr, nullptr), NATS_OK);
    std::string out(natsMsg_GetData(m),
                    static_cast<std::size_t>(natsMsg_GetDataLength(m)));
    natsMsg_Destroy(m);
    return out;
  }

  void publish(const std::string& subject, const std::string& body) {
    jsPubAck* pa = nullptr;
    ASSERT_EQ(js_Publish(&pa, js_, subject.c_str(), body.data(),
                         static_cast<int>(body.size()), nullptr, nullptr),
              NATS_OK);
    jsPubAck_Destroy(pa);
  }

 private:
  natsConnection* nc_ = nullptr;
  jsCtx* js_ = nullptr;
};

jetstream_options options_for(const nats_test_server& server, bool create = true) {
  jetstream_options o;
  o.servers = {server.url()};
  o.create = create;
  o.replicas = 1;
  return o;
}

std::unique_ptr<event_log> open_ok(const jetstream_options& o) {
  auto opened = open_jetstream_log(o);
  EXPECT_TRUE(opened.ok()) << (opened.ok() ? "" : opened.error().message);
  return opened.ok() ? std::move(*opened) : nullptr;
}

TEST(JetstreamLog, ReopensToTheSameLogAndContinuesIt) {
  nats_test_server nats;
  std::string log_id;
  log_head head;
  {
    auto log = open_ok(options_for(nats));
    ASSERT_TRUE(log);
    log_id = log->head().log_id;
    auto req = append_to("ci_a", expected_version::no_stream(), 3);
    req.records.push_back({"idem:k1", std::string("v1")});
    ASSERT_TRUE(log->append(std::move(req)).ok());
    append_request drop;
    drop.records.push_back({"idem:k1", std::nullopt});
    drop.records.push_back({"idem:k2", std::string("v2")});
    ASSERT_TRUE(log->append(std::move(drop)).ok());
    head = log->head();
    log->close();
  }
  auto again = open_ok(options_for(nats, false));
  ASSERT_TRUE(again);
  EXPECT_EQ(again->head().log_id, log_id);
  EXPECT_EQ(again->head().seq, 3u);
  EXPECT_EQ(again->head().hash, head.hash);
  EXPECT_EQ(again->read_record("idem:k1")->value_or("gone"), "gone");
  EXPECT_EQ(again->read_record("idem:k2")->value_or(""), "v2");
  auto r = again->append(append_to("ci_a", expected_version::exact(3)));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->events[0].meta.seq, 4u);
  EXPECT_EQ(r->events[0].meta.version, 4u);
  auto report = again->verify();
  EXPECT_TRUE(report.ok) << report.problem;
  EXPECT_EQ(report.events, 4u);
}

TEST(JetstreamLog, ASecondWriterIsRefusedAndTheLogDoesNotFork) {
  nats_test_server nats;
  auto a = open_ok(options_for(nats));
  auto b = open_ok(options_for(nats)); // sees the same (empty) log
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->head().log_id, b->head().log_id);
  ASSERT_TRUE(a->append(append_to("ci_a", expected_version::no_stream())).ok());
  auto late = b->append(append_to("ci_b", expected_version::no_stream()));
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().code, events::errc::unavailable);
  ASSERT_TRUE(b->write_failure().has_value());
  EXPECT_NE(b->write_failure()->find("no longer its writer"), std::string::npos);
  // and it stays refused, while the first writer goes on
  EXPECT_FALSE(b->append(append_to("ci_c", expected_version::any())).ok());
  ASSERT_TRUE(a->append(append_to("ci_a", expected_version::exact(1))).ok());
  a->close();
  b->close();
  auto reader = open_ok(options_for(nats, false));
  ASSERT_TRUE(reader);
  EXPECT_EQ(reader->head().seq, 2u);
  EXPECT_TRUE(reader->read_stream("ci_b")->empty());
  EXPECT_TRUE(reader->verify().ok);
}

TEST(JetstreamLog, RefusesAMissingStreamWithoutCreateAndAStreamThatIsNotALog) {
  nats_test_server nats;
  auto missing = open_jetstream_log(options_for(nats, false));
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("cluster init"), std::string::npos);
  raw_js raw(nats.url());
  raw.create_deletable("OTHER");
  raw.publish("OTHER.x", "hello");
  auto o = options_for(nats, false);
  o.stream = "OTHER";
  auto other = open_jetstream_log(o);
  ASSERT_FALSE(other.ok());
  EXPECT_NE(other.error().message.find("not start with a Waitroom log"),
            std::string::npos);
  jetstream_options nowhere;
  nowhere.servers = {"nats://127.0.0.1:1"};
  nowhere.timeout = std::chrono::milliseconds(500);
  EXPECT_FALSE(open_jetstream_log(nowhere).ok());
  nowhere.servers = {"http://127.0.0.1:4222"};
  EXPECT_FALSE(open_jetstream_log(nowhere).ok());
}

TEST(JetstreamLog, ReadOnlyRefusesAppends) {
  nats_test_server nats;
  auto writer = open_ok(options_for(nats));
  ASSERT_TRUE(writer->append(append_to("ci_a", expected_version::no_stream())).ok());
  auto o = options_for(nats, false);
  o.read_only = true;
  auto reader = open_ok(o);
  ASSERT_TRUE(reader);
  EXPECT_EQ(reader->head().seq, 1u);
  EXPECT_FALSE(reader->append(append_to("ci_b", expected_version::any())).ok());
}

TEST(JetstreamLog, SplitsLargeGroupsIntoSeveralMessages) {
  nats_test_server nats;
  auto log = open_ok(options_for(nats));
  ASSERT_TRUE(log);
  constexpr int n = 300;
  std::vector<std::promise<bool>> done(n);
  const std::string blob(4096, 'x');
  for (int i = 0; i < n; ++i) {
    append_request req =
        append_to("ci_" + std::to_string(i), expected_version::no_stream());
    req.records.push_back({"blob:" + std::to_string(i), blob});
    log->append_async(std::move(req), [&done, i](events::outcome<append_result> r) {
      done[i].set_value(r.ok());
    });
  }
  for (auto& d : done)
    EXPECT_TRUE(d.get_future().get());
  auto stats = stats_of(*log);
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->appends_committed, static_cast<std::uint64_t>(n));
  EXPECT_GE(stats->batches_written, 2u); // 1.2 MB does not fit in one message
  log->close();
  auto again = open_ok(options_for(nats, false));
  EXPECT_EQ(again->head().seq, static_cast<std::uint64_t>(n));
  EXPECT_EQ(again->read_record("blob:299")->value_or(""), blob);
  EXPECT_TRUE(again->verify().ok);
}

// One server (no quorum) restarted cleanly while appends go on: the writer retries
// until it is back, and nothing acknowledged is lost. (A kill -9 is for the cluster
// tests: JetStream promises nothing to one server killed mid-flush.)
TEST(JetstreamLog, ANatsRestartLosesNoAcknowledgedAppend) {
  nats_test_server nats;
  auto o = options_for(nats);
  o.timeout = std::chrono::milliseconds(1000);
  auto log = open_ok(o);
  ASSERT_TRUE(log);
  std::atomic<bool> stop{false};
  std::atomic<bool> failed{false};
  std::atomic<int> acknowledged{0};
  std::string failure;
  std::thread writer([&] {
    for (int i = 0; !stop; ++i) {
      auto r = log->append(
          append_to("ci_" + std::to_string(i), expected_version::no_stream()));
      if (!r.ok()) {
        failure = r.error().message;
        failed = true;
        break;
      }
      ++acknowledged;
    }
  });
  auto wait_for = [&](int count) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (acknowledged < count && !failed && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
  };
  wait_for(20);
  nats.restart();
  const int before = acknowledged;
  wait_for(before + 20);
  stop = true;
  writer.join();
  EXPECT_FALSE(failed.load()) << failure;
  EXPECT_GE(acknowledged.load(), before + 20) << "appends go on after the restart";
  const auto head = log->head();
  log->close();
  auto again = open_ok(options_for(nats, false));
  ASSERT_TRUE(again);
  EXPECT_GE(again->head().seq, static_cast<std::uint64_t>(acknowledged.load()));
  EXPECT_EQ(again->head().seq, head.seq);
  EXPECT_TRUE(again->verify().ok);
}

/// Commit groups a follower hands over, collected.
struct handed_over {
  std::mutex mu;
  std::vector<std::uint64_t> seqs;
  void install(event_log& log) {
    log.set_commit_handler([this](std::vector<committed_append>&& group) {
      std::lock_guard lock(mu);
      for (auto& c : group) {
        EXPECT_TRUE(c.result.ok());
        for (const auto& e : c.result->events)
          seqs.push_back(e.meta.seq);
        c.done(std::move(c.result));
      }
    });
  }
  std::size_t size() {
    std::lock_guard lock(mu);
    return seqs.size();
  }
  bool wait_for(std::size_t n) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (size() < n && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    return size() >= n;
  }
};

TEST(JetstreamLog, AFollowerAppliesWhatTheWriterAppendsThenTakesOver) {
  nats_test_server nats;
  auto writer = open_ok(options_for(nats));
  ASSERT_TRUE(writer);
  ASSERT_TRUE(writer->append(append_to("ci_a", expected_version::no_stream(), 2)).ok());
  auto o = options_for(nats, false);
  o.follow = true;
  auto follower = open_ok(o);
  ASSERT_TRUE(follower);
  auto* followed = as_followed(*follower);
  ASSERT_NE(followed, nullptr);
  EXPECT_TRUE(followed->following());
  EXPECT_FALSE(as_followed(*writer)->following()) << "opened as the writer";
  auto memory = make_memory_log();
  EXPECT_EQ(as_followed(*memory), nullptr) << "only a cluster's log is followed";
  handed_over got;
  got.install(*follower);
  EXPECT_EQ(follower->head().seq, 2u) << "what was there when it opened";
  // what the writer appends now reaches the follower, in order, through its handler
  for (int i = 0; i < 5; ++i) {
    auto req = append_to("ci_b" + std::to_string(i), expected_version::no_stream());
    req.records.push_back({"k" + std::to_string(i), std::string("v")});
    ASSERT_TRUE(writer->append(std::move(req)).ok());
  }
  ASSERT_TRUE(got.wait_for(5));
  EXPECT_EQ(got.seqs, (std::vector<std::uint64_t>{3, 4, 5, 6, 7}));
  EXPECT_EQ(follower->head().seq, 7u);
  EXPECT_EQ(follower->head().hash, writer->head().hash);
  EXPECT_EQ(follower->read_record("k4")->value_or(""), "v");
  EXPECT_EQ(follower->read_stream("ci_b4")->size(), 1u);
  // a follower does not append
  auto refused = follower->append(append_to("ci_x", expected_version::any()));
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("not its writer"), std::string::npos);

  // the writer appends once more and goes (it died): the follower takes over with it
  ASSERT_TRUE(writer->append(append_to("ci_c", expected_version::no_stream())).ok());
  writer->close();
  writer.reset();
  ASSERT_TRUE(followed->become_writer().ok());
  EXPECT_FALSE(followed->following());
  ASSERT_TRUE(got.wait_for(6));
  EXPECT_EQ(got.seqs.back(), 8u) << "the last of the old writer's, handed over too";
  auto r = follower->append(append_to("ci_c", expected_version::exact(1)));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->events[0].meta.seq, 9u);
  follower->close();
  auto reader = open_ok(options_for(nats, false));
  EXPECT_EQ(reader->head().seq, 9u);
  EXPECT_TRUE(reader->verify().ok);
}

TEST(JetstreamLog, AWriterThatWasDeposedByATakeOverCannotAppend) {
  nats_test_server nats;
  auto old_writer = open_ok(options_for(nats));
  ASSERT_TRUE(old_writer->append(append_to("ci_a", expected_version::no_stream())).ok());
  auto o = options_for(nats, false);
  o.follow = true;
  auto next = open_ok(o);
  // the old writer is thought dead (its lease ran out) but is not: both now write
  ASSERT_TRUE(as_followed(*next)->become_writer().ok());
  ASSERT_TRUE(next->append(append_to("ci_b", expected_version::no_stream())).ok());
  auto late = old_writer->append(append_to("ci_c", expected_version::no_stream()));
  EXPECT_FALSE(late.ok()) << "the old writer's late append is refused";
  ASSERT_TRUE(old_writer->write_failure().has_value());
  old_writer->close();
  next->close();
  auto reader = open_ok(options_for(nats, false));
  EXPECT_EQ(reader->head().seq, 2u);
  EXPECT_TRUE(reader->read_stream("ci_c")->empty());
  EXPECT_TRUE(reader->verify().ok);
}

/// The name of the server that leads `stream` now (empty: none yet).
std::string stream_leader(const std::string& url, const std::string& stream) {
  raw_js raw(url);
  jsStreamInfo* si = nullptr;
  std::string leader;
  if (js_GetStreamInfo(&si, raw.js(), stream.c_str(), nullptr, nullptr) == NATS_OK) {
    if (si->Cluster != nullptr && si->Cluster->Leader != nullptr)
      leader = si->Cluster->Leader;
    jsStreamInfo_Destroy(si);
  }
  return leader;
}

// Guarantee 5 at the log's level: three NATS servers, the stream on all three; one
// server killed with SIGKILL (a follower, then the stream's leader) while appends go on:
// appends pause at most for JetStream's election, none fails, and every acknowledged
// one is in the stream afterwards.
TEST(JetstreamLog, ThreeNatsServersLoseNoAcknowledgedAppendWhenOneIsKilled) {
  testing::nats_test_cluster cluster;
  jetstream_options o;
  o.servers = cluster.urls();
  o.create = true;
  o.replicas = 3;
  o.timeout = std::chrono::milliseconds(2000);
  std::unique_ptr<event_log> log;
  std::string why;
  const auto ready_by = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!log && std::chrono::steady_clock::now() < ready_by) {
    auto opened = open_jetstream_log(o); // the cluster elects its meta leader first
    if (opened)
      log = std::move(*opened);
    else {
      why = opened.error().message;
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
  }
  ASSERT_TRUE(log) << "the NATS cluster did not come up: " << why;

  std::atomic<bool> stop{false};
  std::atomic<int> acknowledged{0};
  std::atomic<long long> longest_ms{0};
  std::string failure;
  std::thread writer([&] {
    for (int i = 0; !stop; ++i) {
      const auto t0 = std::chrono::steady_clock::now();
      auto r = log->append(
          append_to("ci_" + std::to_string(i), expected_version::no_stream()));
      const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::steady_clock::now() - t0)
                          .count();
      if (ms > longest_ms) longest_ms = ms;
      if (!r.ok()) {
        failure = r.error().message;
        return;
      }
      ++acknowledged;
    }
  });
  auto wait_for = [&](int count) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(40);
    while (acknowledged < count && failure.empty() &&
           std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    return acknowledged >= count;
  };
  ASSERT_TRUE(wait_for(30));
  std::string leader;
  for (int i = 0; i < 100 && leader.empty(); ++i) {
    leader = stream_leader(cluster.urls()[0], "WAITROOM_LOG");
    if (leader.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_FALSE(leader.empty());
  const auto lead = testing::nats_test_cluster::index_of(leader);

  // a follower of the stream dies and comes back
  cluster.server((lead + 1) % 3).restart(SIGKILL);
  EXPECT_TRUE(wait_for(acknowledged + 30)) << failure;
  const auto follower_pause = longest_ms.load();
  // the stream's leader dies: JetStream elects another, the writer's publish waits
  longest_ms = 0;
  cluster.server(lead).restart(SIGKILL);
  EXPECT_TRUE(wait_for(acknowledged + 30)) << failure;
  stop = true;
  writer.join();
  EXPECT_TRUE(failure.empty()) << failure;
  EXPECT_FALSE(log->write_failure().has_value());
  std::printf("longest append: %lld ms with a follower killed, %lld ms with the leader "
              "killed\n",
              follower_pause, longest_ms.load());
  const auto head = log->head();
  EXPECT_EQ(head.seq, static_cast<std::uint64_t>(acknowledged.load()));
  log->close();
  auto ro = o;
  ro.create = false;
  ro.read_only = true;
  auto again = open_ok(ro);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->head().seq, head.seq) << "every acknowledged append is there";
  EXPECT_EQ(again->head().hash, head.hash);
  EXPECT_TRUE(again->verify().ok);
}

/// A log of three events in a stream that allows deletes (an operator's choice); the
/// raw connection is for damaging it.
struct damaged_log_bed {
  nats_test_server nats;
  raw_js raw{nats.url()};
  damaged_log_bed() {
    raw.create_deletable("WAITROOM_LOG");
    auto log = open_ok(options_for(nats));
    for (int i = 0; i < 3; ++i)
      EXPECT_TRUE(log->append(append_to("ci_a", expected_version::any())).ok());
    log->close();
  }
  /// Message 1 is the log id; events 1..3 are messages 2..4.
  static constexpr std::uint64_t message_of(std::uint64_t seq) { return seq + 1; }

  /// `stopped`: the damage is seen while reading (a message missing or out of place),
  /// so nothing more is appended; a forged hash is only seen by `verify`.
  verify_report reopen_and_verify(bool stopped = true) {
    auto log = open_ok(options_for(nats, false));
    EXPECT_TRUE(log);
    if (!log) return {};
    if (stopped) {
      EXPECT_TRUE(log->write_failure().has_value()) << "nothing is appended to it";
      EXPECT_FALSE(log->append(append_to("ci_b", expected_version::any())).ok());
    }
    return log->verify();
  }
};

TEST(JetstreamLog, VerifyFindsADeletedMessage) {
  damaged_log_bed bed;
  ASSERT_EQ(
      js_DeleteMsg(bed.raw.js(), "WAITROOM_LOG", bed.message_of(2), nullptr, nullptr),
      NATS_OK);
  auto report = bed.reopen_and_verify();
  EXPECT_FALSE(report.ok);
  ASSERT_TRUE(report.first_bad_seq.has_value());
  EXPECT_EQ(*report.first_bad_seq, 2u);
  EXPECT_NE(report.problem.find("missing"), std::string::npos) << report.problem;
}

TEST(JetstreamLog, VerifyFindsAMessageAddedAgain) {
  damaged_log_bed bed;
  bed.raw.publish("WAITROOM_LOG.group", bed.raw.get("WAITROOM_LOG", bed.message_of(2)));
  auto report = bed.reopen_and_verify();
  EXPECT_FALSE(report.ok);
  ASSERT_TRUE(report.first_bad_seq.has_value());
  EXPECT_EQ(*report.first_bad_seq, 4u);
  EXPECT_NE(report.problem.find("where seq 4 was due"), std::string::npos)
      << report.problem;
}

TEST(JetstreamLog, VerifyFindsAForgedAppend) {
  damaged_log_bed bed;
  // a copy of event 3 renumbered as event 4: in place, but its chain hash is wrong
  auto forged = bed.raw.get("WAITROOM_LOG", bed.message_of(3));
  ASSERT_EQ(forged[12], '\x03'); // the low byte of the first event's seq
  forged[12] = '\x04';
  bed.raw.publish("WAITROOM_LOG.group", forged);
  auto report = bed.reopen_and_verify(false);
  EXPECT_FALSE(report.ok);
  ASSERT_TRUE(report.first_bad_seq.has_value());
  EXPECT_EQ(*report.first_bad_seq, 4u);
}

} // namespace
} // namespace waitroom::storage
