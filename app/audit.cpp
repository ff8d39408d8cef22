// `waitroom audit verify`: recompute the hash chain of the log (read-only).
#include "app/commands.hpp"
#include "storage/event_log.hpp"

#include <boost/json/serialize.hpp>

#include <cstdio>

namespace waitroom::app {

int audit_verify(const std::string& data) {
  storage::rocksdb_options lo;
  lo.read_only = true;
  lo.create_if_missing = false;
  auto opened = storage::open_rocksdb_log(std::filesystem::path(data) / "log", lo);
  if (!opened) {
    std::fprintf(stderr, "waitroom audit verify: cannot read the log in %s: %s\n",
                 data.c_str(), opened.error().message.c_str());
    return 1;
  }
  auto report = (*opened)->verify();
  boost::json::object out{{"ok", report.ok},
                          {"events", report.events},
                          {"head_hash", storage::to_hex(report.head_hash)}};
  if (!report.ok) {
    out["first_bad_seq"] = report.first_bad_seq
                               ? boost::json::value(*report.first_bad_seq)
                               : boost::json::value(nullptr);
    out["problem"] = report.problem;
  }
  std::printf("%s\n", boost::json::serialize(out).c_str());
  if (!report.ok) {
    std::fprintf(stderr, "waitroom audit verify: chain broken at seq %llu: %s\n",
                 static_cast<unsigned long long>(report.first_bad_seq.value_or(0)),
                 report.problem.c_str());
    return 1;
  }
  return 0;
}

} // namespace waitroom::app
