#include "storage/cluster_bus.hpp"

#include "storage/nats_link.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <condition_variable>
#include <future>
#include <map>
#include <mutex>
#include <thread>

namespace waitroom::storage {

namespace {

using detail::nats_link;
using detail::nats_text;
using steady = std::chrono::steady_clock;

/// Unsubscribes an asynchronous subscription and returns once its callback has run
/// for the last time (so what the callback uses may go), then destroys it.
void close_subscription(natsSubscription* sub) {
  std::promise<void> finished;
  auto done = finished.get_future();
  const bool wait =
      natsSubscription_SetOnCompleteCB(
          sub, [](void* p) { static_cast<std::promise<void>*>(p)->set_value(); },
          &finished) == NATS_OK;
  natsSubscription_Unsubscribe(sub);
  if (wait) done.wait_for(std::chrono::seconds(10));
  natsSubscription_Destroy(sub);
}

class served final : public cluster_bus::service {
 public:
  struct closure {
    std::shared_ptr<nats_link> link;
    std::function<void(std::string, cluster_bus::reply_fn)> handler;
  };
  served(natsSubscription* sub, std::unique_ptr<closure> c)
      : sub_(sub)
      , closure_(std::move(c)) {}
  ~served() override { close_subscription(sub_); }

 private:
  natsSubscription* sub_;
  std::unique_ptr<closure> closure_;
};

class nats_bus final : public cluster_bus {
 public:
  nats_bus(bus_options o, std::shared_ptr<nats_link> link, kvStore* nodes)
      : options_(std::move(o))
      , link_(std::move(link))
      , nodes_(nodes) {}

  ~nats_bus() override {
    {
      std::lock_guard lock{mu_};
      stopping_ = true;
    }
    wake_.notify_all();
    if (sweeper_.joinable()) sweeper_.join();
    if (inbox_sub_ != nullptr) close_subscription(inbox_sub_);
    std::map<std::uint64_t, pending> left;
    {
      std::lock_guard lock{mu_};
      left.swap(pending_);
    }
    for (auto& [token, p] : left)
      p.done(events::unavailable("the node is stopping"));
    kvStore_Destroy(nodes_);
  }

  events::outcome<void> start() {
    natsInbox* inbox = nullptr;
    if (natsInbox_Create(&inbox) != NATS_OK)
      return events::unavailable("cannot make a NATS inbox");
    prefix_ = std::string(inbox) + ".";
    natsInbox_Destroy(inbox);
    natsStatus s =
        natsConnection_Subscribe(&inbox_sub_, link_->connection(),
                                 (prefix_ + "*").c_str(), &nats_bus::on_reply, this);
    if (s == NATS_OK)
      s = natsSubscription_SetPendingLimits(inbox_sub_, -1, -1); // answers are awaited
    if (s != NATS_OK)
      return events::unavailable("cannot subscribe for answers: " + nats_text(s));
    sweeper_ = std::thread([this] { sweep(); });
    return {};
  }

  void request(const std::string& subject, std::string payload,
               std::chrono::milliseconds timeout, answer_fn done) override {
    std::uint64_t token = 0;
    {
      std::lock_guard lock{mu_};
      if (stopping_) {
        done(events::unavailable("the node is stopping"));
        return;
      }
      token = ++next_token_;
      pending_.emplace(token, pending{std::move(done), steady::now() + timeout});
    }
    const auto reply = prefix_ + std::to_string(token);
    natsStatus s =
        natsConnection_PublishRequest(link_->connection(), subject.c_str(), reply.c_str(),
                                      payload.data(), static_cast<int>(payload.size()));
    if (s != NATS_OK) finish(token, events::unavailable("NATS: " + nats_text(s)));
  }

  events::outcome<std::unique_ptr<service>>
  serve(const std::string& subject, const std::string& queue,
        std::function<void(std::string, reply_fn)> handler) override {
    auto c =
        std::make_unique<served::closure>(served::closure{link_, std::move(handler)});
    natsSubscription* sub = nullptr;
    natsStatus s = natsConnection_QueueSubscribe(
        &sub, link_->connection(), subject.c_str(), queue.c_str(),
        [](natsConnection*, natsSubscription*, natsMsg* msg, void* closure) {
          auto* self = static_cast<served::closure*>(closure);
          std::string payload(natsMsg_GetData(msg),
                              static_cast<std::size_t>(natsMsg_GetDataLength(msg)));
          const char* reply = natsMsg_GetReply(msg);
          std::string to = reply != nullptr ? reply : "";
          natsMsg_Destroy(msg);
          self->handler(std::move(payload), [link = self->link,
                                             to = std::move(to)](std::string answer) {
            if (to.empty()) return;
            natsConnection_Publish(link->connection(), to.c_str(), answer.data(),
                                   static_cast<int>(answer.size()));
          });
        },
        c.get());
    if (s == NATS_OK) s = natsSubscription_SetPendingLimits(sub, -1, -1);
    if (s == NATS_OK) s = natsConnection_Flush(link_->connection());
    if (s != NATS_OK) {
      if (sub != nullptr) natsSubscription_Destroy(sub);
      return events::unavailable("cannot serve " + subject + ": " + nats_text(s));
    }
    return std::unique_ptr<service>(std::make_unique<served>(sub, std::move(c)));
  }

  void stream_last(std::function<void(events::outcome<std::uint64_t>)> done) override {
    request("$JS.API.STREAM.INFO." + options_.stream, "", options_.timeout,
            [done = std::move(done),
             stream = options_.stream](events::outcome<std::string> answer) {
              if (!answer) return done(std::move(answer).error());
              boost::system::error_code ec;
              auto doc = boost::json::parse(*answer, ec);
              const auto* o = ec ? nullptr : doc.if_object();
              const auto* state = o != nullptr ? o->if_contains("state") : nullptr;
              const auto* last = state != nullptr && state->is_object()
                                     ? state->as_object().if_contains("last_seq")
                                     : nullptr;
              if (last == nullptr || !last->is_number())
                return done(events::unavailable("JetStream gave no last sequence of " +
                                                stream + ": " + answer->substr(0, 200)));
              done(last->to_number<std::uint64_t>());
            });
  }

  events::outcome<void> announce(const std::string& node,
                                 const std::string& value) override {
    std::uint64_t rev = 0;
    natsStatus s = kvStore_Put(&rev, nodes_, node.c_str(), value.data(),
                               static_cast<int>(value.size()));
    if (s != NATS_OK)
      return events::unavailable("cannot announce this node: " + nats_text(s));
    return {};
  }

  events::outcome<std::vector<std::pair<std::string, std::string>>> nodes() override {
    std::vector<std::pair<std::string, std::string>> out;
    kvKeysList keys{};
    natsStatus s = kvStore_Keys(&keys, nodes_, nullptr);
    if (s == NATS_NOT_FOUND) return out; // none
    if (s != NATS_OK)
      return events::unavailable("cannot list the cluster's nodes: " + nats_text(s));
    for (int i = 0; i < keys.Count; ++i) {
      kvEntry* e = nullptr;
      if (kvStore_Get(&e, nodes_, keys.Keys[i]) != NATS_OK) continue; // gone meanwhile
      if (kvEntry_Operation(e) == kvOp_Put)
        out.emplace_back(keys.Keys[i],
                         std::string(static_cast<const char*>(kvEntry_Value(e)),
                                     static_cast<std::size_t>(kvEntry_ValueLen(e))));
      kvEntry_Destroy(e);
    }
    kvKeysList_Destroy(&keys);
    return out;
  }

 private:
  struct pending {
    answer_fn done;
    steady::time_point deadline;
  };

  static void on_reply(natsConnection*, natsSubscription*, natsMsg* msg, void* closure) {
    auto* self = static_cast<nats_bus*>(closure);
    std::string_view subject = natsMsg_GetSubject(msg);
    std::uint64_t token = 0;
    for (char ch : subject.substr(self->prefix_.size()))
      token = token * 10 + static_cast<std::uint64_t>(ch - '0');
    if (natsMsg_IsNoResponders(msg))
      self->finish(token, events::not_found("no node serves this request"));
    else
      self->finish(token,
                   std::string(natsMsg_GetData(msg),
                               static_cast<std::size_t>(natsMsg_GetDataLength(msg))));
    natsMsg_Destroy(msg);
  }

  void finish(std::uint64_t token, events::outcome<std::string> answer) {
    answer_fn done;
    {
      std::lock_guard lock{mu_};
      auto it = pending_.find(token);
      if (it == pending_.end()) return; // timed out already
      done = std::move(it->second.done);
      pending_.erase(it);
    }
    done(std::move(answer));
  }

  /// Fails the requests whose time ran out (every 20 ms).
  void sweep() {
    std::unique_lock lock{mu_};
    while (!stopping_) {
      wake_.wait_for(lock, std::chrono::milliseconds(20));
      const auto now = steady::now();
      std::vector<answer_fn> expired;
      for (auto it = pending_.begin(); it != pending_.end();)
        if (it->second.deadline <= now) {
          expired.push_back(std::move(it->second.done));
          it = pending_.erase(it);
        } else {
          ++it;
        }
      if (expired.empty()) continue;
      lock.unlock();
      for (auto& done : expired)
        done(events::unavailable("no answer in time"));
      lock.lock();
    }
  }

  const bus_options options_;
  std::shared_ptr<nats_link> link_;
  kvStore* nodes_;
  std::string prefix_;
  natsSubscription* inbox_sub_ = nullptr;
  std::thread sweeper_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::uint64_t next_token_ = 0;
  std::map<std::uint64_t, pending> pending_;
};

} // namespace

events::outcome<std::unique_ptr<cluster_bus>> open_cluster_bus(const bus_options& o) {
  if (o.servers.empty()) return events::unavailable("no NATS server given");
  auto link = nats_link::connect(o.servers, o.timeout);
  if (!link) return std::move(link).error();
  std::shared_ptr<nats_link> shared = std::move(*link);
  kvStore* kv = nullptr;
  natsStatus s = js_KeyValue(&kv, shared->js(), o.nodes_bucket.c_str());
  if (s != NATS_OK && o.create) {
    kvConfig cfg;
    kvConfig_Init(&cfg);
    cfg.Bucket = o.nodes_bucket.c_str();
    cfg.History = 1;
    cfg.TTL = std::chrono::duration_cast<std::chrono::nanoseconds>(o.node_ttl).count();
    cfg.StorageType = js_FileStorage;
    cfg.Replicas = static_cast<int>(o.replicas);
    s = js_CreateKeyValue(&kv, shared->js(), &cfg);
  }
  if (s != NATS_OK)
    return events::unavailable("cannot open the node directory " + o.nodes_bucket + ": " +
                               nats_text(s) +
                               (o.create ? "" : " (run `waitroom cluster init` first)"));
  auto bus = std::make_unique<nats_bus>(o, std::move(shared), kv);
  if (auto started = bus->start(); !started) return std::move(started).error();
  return std::unique_ptr<cluster_bus>(std::move(bus));
}

} // namespace waitroom::storage
