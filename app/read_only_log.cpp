#include "app/read_only_log.hpp"

#include <cstdio>
#include <unistd.h>

namespace waitroom::app {

std::string log_source::name() const {
  return nats.empty() ? "the log in " + data : "the cluster's log (" + nats + ")";
}

std::unique_ptr<storage::event_log> open_read_only(const log_source& from,
                                                   const char* command) {
  auto opened = [&] {
    if (!from.nats.empty()) {
      storage::jetstream_options jo;
      jo.servers = storage::parse_nats_urls(from.nats);
      jo.read_only = true;
      return storage::open_jetstream_log(jo);
    }
    storage::rocksdb_options lo;
    lo.read_only = true;
    lo.create_if_missing = false;
    return storage::open_rocksdb_log(std::filesystem::path(from.data) / "log", lo);
  }();
  if (!opened) {
    std::fprintf(stderr, "waitroom %s: cannot read %s: %s\n", command,
                 from.name().c_str(), opened.error().message.c_str());
    return nullptr;
  }
  return std::move(opened).value();
}

void show_progress(const char* what, std::uint64_t seq, std::uint64_t head) {
  static const bool tty = ::isatty(STDERR_FILENO) != 0;
  if (!tty || head == 0) return;
  std::fprintf(stderr, "\r%s: seq %llu of %llu (%.0f%%)   ", what,
               static_cast<unsigned long long>(seq),
               static_cast<unsigned long long>(head),
               100.0 * static_cast<double>(seq) / static_cast<double>(head));
  if (seq >= head) std::fprintf(stderr, "\n");
}

} // namespace waitroom::app
