#pragma once
/// Internal to storage/: a NATS connection with its JetStream context (nats.c 3.4), and
/// NATS errors as text. Only the JetStream log and the writer lease include it.

#include "storage/event_log.hpp"

#include <nats/nats.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace waitroom::storage::detail {

/// "<status text> (JetStream error N): <nats.c's last error>".
inline std::string nats_text(natsStatus s, jsErrCode jerr = static_cast<jsErrCode>(0)) {
  std::string out = natsStatus_GetText(s);
  if (jerr != 0)
    out += " (JetStream error " + std::to_string(static_cast<int>(jerr)) + ")";
  if (const char* last = nats_GetLastError(nullptr); last != nullptr && *last != 0) {
    // nats.c puts where it failed first: "(conn.c:2088): " is for its developers
    std::string_view detail(last);
    if (detail.starts_with('('))
      if (auto end = detail.find("): "); end != std::string_view::npos)
        detail.remove_prefix(end + 3);
    if (detail != out) {
      out += ": ";
      out += detail;
    }
  }
  return out;
}

/// A connection and its JetStream context.
class nats_link {
 public:
  ~nats_link() {
    if (js_ != nullptr) jsCtx_Destroy(js_);
    if (nc_ != nullptr) {
      natsConnection_Close(nc_);
      natsConnection_Destroy(nc_);
    }
  }

  /// Connects to any of `servers`, reconnecting for ever; `timeout` for each request.
  static events::outcome<std::unique_ptr<nats_link>>
  connect(const std::vector<std::string>& servers, std::chrono::milliseconds timeout) {
    auto link = std::make_unique<nats_link>();
    natsOptions* opts = nullptr;
    std::vector<const char*> list;
    for (const auto& s : servers)
      list.push_back(s.c_str());
    natsStatus s = natsOptions_Create(&opts);
    if (s == NATS_OK)
      s = natsOptions_SetServers(opts, list.data(), static_cast<int>(list.size()));
    if (s == NATS_OK) s = natsOptions_SetTimeout(opts, timeout.count());
    if (s == NATS_OK) s = natsOptions_SetMaxReconnect(opts, -1); // for ever
    if (s == NATS_OK) s = natsOptions_SetReconnectWait(opts, 100);
    if (s == NATS_OK) s = natsConnection_Connect(&link->nc_, opts);
    const auto why = s == NATS_OK ? std::string() : nats_text(s);
    natsOptions_Destroy(opts);
    if (s != NATS_OK) return events::unavailable("cannot connect to NATS: " + why);
    jsOptions jo;
    jsOptions_Init(&jo);
    jo.Wait = timeout.count();
    s = natsConnection_JetStream(&link->js_, link->nc_, &jo);
    if (s != NATS_OK) return events::unavailable("cannot use JetStream: " + nats_text(s));
    return link;
  }

  jsCtx* js() const { return js_; }
  natsConnection* connection() const { return nc_; }

 private:
  natsConnection* nc_ = nullptr;
  jsCtx* js_ = nullptr;
};

} // namespace waitroom::storage::detail
