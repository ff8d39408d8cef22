#include "storage/writer_lease.hpp"

#include "storage/nats_link.hpp"

namespace waitroom::storage {

namespace {

using detail::nats_link;
using detail::nats_text;

class kv_lease final : public writer_lease {
 public:
  kv_lease(lease_options o, std::unique_ptr<nats_link> link, kvStore* kv)
      : options_(std::move(o))
      , link_(std::move(link))
      , kv_(kv) {}
  ~kv_lease() override { kvStore_Destroy(kv_); }

  events::outcome<bool> try_acquire(const std::string& holder) override {
    std::uint64_t rev = 0;
    natsStatus s = kvStore_Create(&rev, kv_, options_.key.c_str(), holder.data(),
                                  static_cast<int>(holder.size()));
    if (s == NATS_OK) {
      holder_ = holder;
      revision_ = rev;
      return true;
    }
    // held by someone: JetStream refuses the create ("wrong last sequence")
    if (auto now = this->holder(); now && *now) return false;
    return events::unavailable("cannot take the writer lease: " + nats_text(s));
  }

  events::outcome<bool> renew() override {
    if (revision_ == 0) return false;
    std::uint64_t rev = 0;
    natsStatus s = kvStore_Update(&rev, kv_, options_.key.c_str(), holder_.data(),
                                  static_cast<int>(holder_.size()), revision_);
    if (s == NATS_OK) {
      revision_ = rev;
      return true;
    }
    if (s == NATS_TIMEOUT || s == NATS_NO_RESPONDERS ||
        s == NATS_CONNECTION_DISCONNECTED || s == NATS_CONNECTION_CLOSED)
      return events::unavailable("cannot renew the writer lease: " + nats_text(s));
    revision_ = 0; // someone else's now, or expired
    return false;
  }

  void release() override {
    if (revision_ == 0) return;
    // only if still ours: a delete that raced a take-over must not free theirs
    if (auto now = holder(); now && *now && **now == holder_)
      (void)kvStore_Delete(kv_, options_.key.c_str());
    revision_ = 0;
  }

  events::outcome<std::optional<std::string>> holder() const override {
    kvEntry* e = nullptr;
    natsStatus s = kvStore_Get(&e, kv_, options_.key.c_str());
    if (s == NATS_NOT_FOUND) return std::optional<std::string>();
    if (s != NATS_OK)
      return events::unavailable("cannot read the writer lease: " + nats_text(s));
    std::optional<std::string> out;
    if (kvEntry_Operation(e) == kvOp_Put) out = kvEntry_ValueString(e);
    kvEntry_Destroy(e);
    return out;
  }

  bool held() const override { return revision_ != 0; }

 private:
  const lease_options options_;
  std::unique_ptr<nats_link> link_;
  kvStore* kv_;
  std::string holder_;
  std::uint64_t revision_ = 0; ///< of our last write; 0: not held
};

} // namespace

events::outcome<std::unique_ptr<writer_lease>> open_writer_lease(const lease_options& o) {
  if (o.servers.empty()) return events::unavailable("no NATS server given");
  auto link = nats_link::connect(o.servers, o.timeout);
  if (!link) return std::move(link).error();
  kvStore* kv = nullptr;
  natsStatus s = js_KeyValue(&kv, (*link)->js(), o.bucket.c_str());
  if (s != NATS_OK && o.create) {
    kvConfig cfg;
    kvConfig_Init(&cfg);
    cfg.Bucket = o.bucket.c_str();
    cfg.History = 1;
    cfg.TTL = std::chrono::duration_cast<std::chrono::nanoseconds>(o.ttl).count();
    cfg.StorageType = js_FileStorage;
    cfg.Replicas = static_cast<int>(o.replicas);
    s = js_CreateKeyValue(&kv, (*link)->js(), &cfg);
  }
  if (s != NATS_OK)
    return events::unavailable("cannot open the writer lease bucket " + o.bucket + ": " +
                               nats_text(s) +
                               (o.create ? "" : " (run `waitroom cluster init` first)"));
  return std::unique_ptr<writer_lease>(
      std::make_unique<kv_lease>(o, std::move(*link), kv));
}

} // namespace waitroom::storage
