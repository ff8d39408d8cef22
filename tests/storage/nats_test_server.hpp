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
#include <regex>
#include <stdexcept>
#include <string>
#include <thread>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace waitroom::storage::testing {

class nats_test_server {
 public:
  nats_test_server() { start(); }
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
  std::string port_;
  std::string url_;
};

} // namespace waitroom::storage::testing
