#pragma once
// Shared by the storage tests: a fresh temporary directory and sample events.

#include "storage/event_log.hpp"

#include "events/event.hpp"

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace waitroom::storage::testing {

/// A fresh directory under /tmp, removed with everything in it on destruction.
class temp_dir {
 public:
  temp_dir() {
    std::string pattern = "/tmp/waitroom-storage-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  /// A not yet existing path inside the directory.
  std::filesystem::path sub(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

inline constexpr events::timestamp sample_time{1'795'000'000'000};

/// An `org.created` event for `stream` (the org id doubles as the stream id).
inline events::recorded_event org_created(const std::string& stream,
                                          const std::string& name = "Acme") {
  return events::make_event(stream, stream, "", events::actor_ref::system(), sample_time,
                            events::org::created{stream, name});
}

/// A `checkin.message` event for check-in stream `stream`.
inline events::recorded_event message_posted(const std::string& stream,
                                             const std::string& content) {
  events::checkin::message_posted m;
  m.id = "msg_" + content;
  m.author = events::actor_ref::user("us_0123456789");
  m.content = content;
  return events::make_event(stream, "org_0123456789", "rm_0123456789",
                            events::actor_ref::user("us_0123456789"), sample_time, m);
}

/// One stream's part of an append: `count` message events.
inline stream_append messages(const std::string& stream, expected_version expected,
                              int count = 1) {
  stream_append sa{stream, expected, {}};
  for (int i = 0; i < count; ++i)
    sa.events.push_back(message_posted(stream, "m" + std::to_string(i)));
  return sa;
}

/// An append of `count` message events to one stream.
inline append_request append_to(const std::string& stream, expected_version expected,
                                int count = 1) {
  append_request req;
  req.streams.push_back(messages(stream, expected, count));
  return req;
}

} // namespace waitroom::storage::testing
