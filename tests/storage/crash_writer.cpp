// Helper process of the crash test: appends as fast as it can with durability fsync
// and prints one line "seq stream version" per acknowledged append, until killed.
//
// usage: waitroom_storage_crash_writer <dir> <threads>
// Even threads extend one stream each (exact expected versions); odd threads create a
// new stream per append (no_stream).

#include "storage/event_log.hpp"
#include "tests/storage/log_test_support.hpp"

#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

int main(int argc, char** argv) {
  using namespace waitroom;
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s <dir> <threads>\n", argv[0]);
    return 2;
  }
  auto opened = storage::open_rocksdb_log(argv[1], {.mode = storage::durability::fsync});
  if (!opened.ok()) {
    std::fprintf(stderr, "open failed: %s\n", opened.error().message.c_str());
    return 1;
  }
  auto& log = **opened;
  const int threads = std::atoi(argv[2]);
  std::mutex out;
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      for (std::uint32_t i = 0;; ++i) {
        const bool one_stream = t % 2 == 0;
        const std::string stream =
            one_stream ? "ci_crash" + std::to_string(t)
                       : "ci_crash" + std::to_string(t) + "_" + std::to_string(i);
        auto expected = one_stream ? storage::expected_version::exact(i)
                                   : storage::expected_version::no_stream();
        auto r = log.append(storage::testing::append_to(stream, expected));
        if (!r.ok()) {
          std::fprintf(stderr, "append failed: %s\n", r.error().message.c_str());
          std::_Exit(1);
        }
        const auto& e = r->events.front().meta;
        std::lock_guard lock{out};
        std::printf("%llu %s %u\n", static_cast<unsigned long long>(e.seq),
                    e.stream.c_str(), e.version);
        std::fflush(stdout);
      }
    });
  }
  for (auto& t : pool)
    t.join();
}
