#pragma once
/// Web Push (API.md "Real-time events"): people register their browsers' push
/// subscriptions (`POST/DELETE /v1/push/subscriptions`); when a check-in enters
/// `pending`, and on `checkin.expiring`, each subscription of the room's approvers (the
/// users who may decide there: `room::can_act`) gets an RFC 8291 `aes128gcm` payload
/// with an RFC 8292 VAPID `Authorization`, POSTed on the outbound client's thread. A
/// push service answering 404 or 410 has dropped the subscription: it is removed.
///
/// Subscriptions are side records `\x01ps/<user id>/<sha256(endpoint)>`, kept in memory
/// too (loaded at start-up), so they survive restarts; they are not part of the audit
/// trail (a device registration decides nothing).

#include "actors/runtime.hpp"
#include "http/crypto/web_push.hpp"
#include "http/outbound/client.hpp"

#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace waitroom::http {

struct push_subscription {
  std::string user_id;
  std::string endpoint;
  std::string p256dh; ///< base64url, as the browser gives it
  std::string auth;   ///< base64url
  events::timestamp created_at;
};

struct push_options {
  web_push::key_pair vapid;
  std::string subject;       ///< `--vapid-subject`
  bool deny_private = false; ///< `--webhook-deny-private` applies to push endpoints too
  std::chrono::seconds ttl{86400};
};

class push_worker {
 public:
  push_worker(actors::runtime& rt, outbound_client& client, push_options options);

  /// Loads the stored subscriptions (bulk reader lane); call once, after the replay.
  void start();
  /// The runtime's subscriber: pushes for check-ins that became pending or are expiring.
  void on_committed(const std::vector<events::recorded_event>& events);

  /// Checks and stores a subscription (a new endpoint, or new keys for a known one).
  /// VALIDATION_ERROR names the field.
  void subscribe(push_subscription s, std::function<void(events::outcome<void>)> done);
  /// Removes the caller's subscription with this endpoint; NOT_FOUND when there is none.
  void unsubscribe(const std::string& user_id, const std::string& endpoint,
                   std::function<void(events::outcome<void>)> done);

  std::size_t subscriptions() const;
  std::uint64_t sent() const { return sent_.load(); }
  std::uint64_t failed() const { return failed_.load(); }
  std::uint64_t removed() const { return removed_.load(); }

  /// The checks of a subscription's fields (without storing it).
  static events::outcome<void> validate(const push_subscription& s);

 private:
  void notify(const std::string& user_id, const std::string& payload, bool urgent);
  void send(const push_subscription& s, const std::string& payload, bool urgent);
  void forget(const std::string& user_id, const std::string& endpoint);

  actors::runtime& rt_;
  outbound_client& client_;
  push_options options_;
  mutable std::mutex mu_;
  std::map<std::string, std::map<std::string, push_subscription>>
      by_user_; ///< by endpoint
  std::atomic<std::uint64_t> sent_{0}, failed_{0}, removed_{0};
};

} // namespace waitroom::http
