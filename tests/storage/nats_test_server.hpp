#pragma once
// A real `nats-server` with JetStream for a test: started on a free loopback port with
// its store in a temporary directory, stopped (and its files removed) on destruction.
// The tests need the Debian package nats-server (`scripts/deps.sh --test`).

#include "tests/storage/log_test_support.hpp"

#include <chrono>
#include <csignal>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <regex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace waitroom::storage::testing {

/// A free loopback TCP port (bound and released: good enough for tests).
inline std::string free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t n = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &n);
  ::close(fd);
  return std::to_string(ntohs(a.sin_port));
}

class nats_test_server {
 public:
  /// `extra`: more nats-server arguments (a cluster member's); `port`: a fixed client
  /// port (default: a random one).
  explicit nats_test_server(std::vector<std::string> extra = {}, std::string port = {})
      : extra_(std::move(extra))
      , port_(std::move(port)) {
    start();
  }
  ~nats_test_server() { stop(); }
  nats_test_server(const nats_test_server&) = delete;
  nats_test_server& operator=(const nats_test_server&) = delete;

  /// `nats://127.0.0.1:<port>`.
  const std::string& url() const { return url_; }

  /// Stopped with `signal` (SIGTERM: it shuts down cleanly; SIGKILL), then the same
  /// server again on the same port and store.
  void restart(int signal = SIGTERM) {
    ::kill(pid_, signal);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
    start();
  }

 private:
  void start() {
    const auto store = dir_.sub("js").string();
    const auto ports = dir_.sub("ports").string();
    std::filesystem::create_directories(ports);
    for (const auto& f : std::filesystem::directory_iterator(ports))
      std::filesystem::remove(f.path());
    const std::string port = port_.empty() ? "-1" : port_;
    std::vector<std::string> args{"nats-server", "-js", "-a",  "127.0.0.1",        "-p",
                                  port,          "-sd", store, "--ports_file_dir", ports};
    std::vector<char*> argv;
    args.insert(args.end(), extra_.begin(), extra_.end());
    for (auto& a : args)
      argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, dir_.sub("log").c_str(),
                                     O_WRONLY | O_CREAT | O_APPEND, 0644);
    int rc = posix_spawnp(&pid_, "nats-server", &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0)
      throw std::runtime_error("cannot start nats-server (install it: scripts/deps.sh "
                               "--test): " +
                               std::string(std::strerror(rc)));
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    const std::regex listening(R"(nats://127\.0\.0\.1:(\d+))");
    while (std::chrono::steady_clock::now() < deadline) {
      for (const auto& f : std::filesystem::directory_iterator(ports)) {
        std::ifstream in(f.path());
        std::string text((std::istreambuf_iterator<char>(in)), {});
        std::smatch m;
        if (std::regex_search(text, m, listening)) {
          port_ = m[1];
          url_ = "nats://127.0.0.1:" + port_;
          return;
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    stop();
    throw std::runtime_error("nats-server did not start; its log: " +
                             dir_.sub("log").string());
  }

  void stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

  temp_dir dir_;
  pid_t pid_ = -1;
  std::vector<std::string> extra_;
  std::string port_;
  std::string url_;
};

/// Three nats-servers clustered by routes on loopback (JetStream replicates streams
/// across them by RAFT), each restartable on its ports and store.
class nats_test_cluster {
 public:
  nats_test_cluster() {
    std::vector<std::string> client, route;
    for (int i = 0; i < 3; ++i) {
      client.push_back(free_port());
      route.push_back(free_port());
    }
    std::string routes;
    for (const auto& r : route)
      routes += (routes.empty() ? "" : ",") + std::string("nats://127.0.0.1:") + r;
    for (int i = 0; i < 3; ++i)
      servers_.push_back(std::make_unique<nats_test_server>(
          std::vector<std::string>{"--server_name", "n" + std::to_string(i),
                                   "--cluster_name", "waitroom-test", "--cluster",
                                   "nats://127.0.0.1:" + route[i], "--routes", routes},
          client[i]));
  }
  std::vector<std::string> urls() const {
    std::vector<std::string> out;
    for (const auto& s : servers_)
      out.push_back(s->url());
    return out;
  }
  nats_test_server& server(std::size_t i) { return *servers_.at(i); }
  /// The index of server "n<i>".
  static std::size_t index_of(const std::string& name) {
    return static_cast<std::size_t>(std::stoi(name.substr(1)));
  }

 private:
  std::vector<std::unique_ptr<nats_test_server>> servers_;
};

} // namespace waitroom::storage::testing
