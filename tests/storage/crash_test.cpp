// SIGKILL a process in the middle of durable appends: every append it acknowledged must
// be there after a reopen, and the chain must verify.

#include "storage/event_log.hpp"
#include "tests/storage/log_test_support.hpp"

#include "events/codec.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <map>
#include <sstream>
#include <tuple>

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef WAITROOM_CRASH_WRITER
#error "WAITROOM_CRASH_WRITER must name the crash writer executable"
#endif

namespace waitroom::storage {
namespace {

// A child process whose stdout is a pipe; SIGKILLed and reaped at the latest on
// destruction.
class child_process {
 public:
  child_process(const std::string& program, const std::vector<std::string>& args) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(program.c_str()));
    for (const auto& a : args)
      argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      ::dup2(fds[1], STDOUT_FILENO); // dup2 clears O_CLOEXEC on the copy
      ::execv(program.c_str(), argv.data());
      ::_exit(127);
    }
    ::close(fds[1]);
    out_ = fds[0];
  }
  ~child_process() {
    kill();
    if (out_ >= 0) ::close(out_);
  }
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  int out() const { return out_; }

  /// SIGKILLs and reaps the child; returns its wait status.
  int kill() {
    if (pid_ <= 0) return status_;
    ::kill(pid_, SIGKILL);
    while (::waitpid(pid_, &status_, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
    return status_;
  }

 private:
  pid_t pid_ = -1;
  int out_ = -1;
  int status_ = 0;
};

std::size_t count_lines(const std::string& s) {
  return static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n'));
}

struct ack {
  std::uint64_t seq = 0;
  std::string stream;
  std::uint32_t version = 0;
};

TEST(RocksdbLogCrash, KeepsEveryAcknowledgedAppendAfterSigkill) {
  using clock = std::chrono::steady_clock;
  testing::temp_dir dir;
  const auto log_dir = dir.sub("log");
  std::string output;
  {
    child_process child{WAITROOM_CRASH_WRITER, {log_dir.string(), "4"}};
    const auto start = clock::now();
    char buf[65536];
    for (;;) {
      const auto elapsed = clock::now() - start;
      if (elapsed >= std::chrono::seconds(1) && count_lines(output) >= 300) break;
      ASSERT_LT(elapsed, std::chrono::seconds(20))
          << "the writer acknowledged only " << count_lines(output) << " appends";
      pollfd p{child.out(), POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      auto n = ::read(child.out(), buf, sizeof buf);
      ASSERT_GT(n, 0) << "the writer exited early";
      output.append(buf, static_cast<std::size_t>(n));
    }
    int status = child.kill(); // mid-stream
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    // Acknowledgements still in the pipe were printed before the kill: keep them.
    for (ssize_t n; (n = ::read(child.out(), buf, sizeof buf)) > 0;)
      output.append(buf, static_cast<std::size_t>(n));
  }
  output.resize(output.rfind('\n') + 1); // drop a torn last line

  std::vector<ack> acks;
  std::istringstream lines{output};
  for (ack a; lines >> a.seq >> a.stream >> a.version;)
    acks.push_back(a);
  ASSERT_EQ(acks.size(), count_lines(output));
  ASSERT_GE(acks.size(), 300u);

  auto opened = open_rocksdb_log(log_dir, {});
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  auto& log = **opened;

  auto report = log.verify();
  ASSERT_TRUE(report.ok) << report.problem;
  EXPECT_EQ(report.events, log.head().seq);

  std::map<std::uint64_t, std::pair<std::string, std::uint32_t>> stored;
  ASSERT_TRUE(log.scan(1, log.head().seq,
                       [&](const stored_event& e) {
                         auto decoded = events::decode(e.bytes);
                         EXPECT_TRUE(decoded.ok());
                         if (decoded.ok())
                           stored.emplace(e.seq, std::pair{decoded->meta.stream,
                                                           decoded->meta.version});
                         return true;
                       })
                  .ok());
  ASSERT_EQ(stored.size(), log.head().seq);
  ASSERT_FALSE(stored.empty());
  EXPECT_EQ(stored.begin()->first, 1u);
  EXPECT_EQ(stored.rbegin()->first, log.head().seq);

  std::uint64_t max_acked = 0;
  for (const auto& a : acks) {
    auto it = stored.find(a.seq);
    ASSERT_NE(it, stored.end()) << "acknowledged seq " << a.seq << " was lost";
    EXPECT_EQ(it->second.first, a.stream) << "seq " << a.seq;
    EXPECT_EQ(it->second.second, a.version) << "seq " << a.seq;
    max_acked = std::max(max_acked, a.seq);
  }
  EXPECT_GE(log.head().seq, max_acked);

  // The log goes on: the long stream continues at its stored version.
  auto crash0 = log.read_stream("ci_crash0");
  ASSERT_TRUE(crash0.ok());
  ASSERT_FALSE(crash0->empty());
  const auto version = crash0->back().meta.version;
  EXPECT_EQ(version, crash0->size());
  const auto head = log.head();
  auto more =
      log.append(testing::append_to("ci_crash0", expected_version::exact(version)));
  ASSERT_TRUE(more.ok()) << more.error().message;
  EXPECT_EQ(more->events[0].meta.seq, head.seq + 1);
  auto fresh =
      log.append(testing::append_to("ci_after_crash", expected_version::no_stream()));
  ASSERT_TRUE(fresh.ok()) << fresh.error().message;
  EXPECT_TRUE(log.verify().ok);
}

} // namespace
} // namespace waitroom::storage
