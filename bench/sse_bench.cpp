// waitroom_sse_bench: the load generator of bench/decision_latency.sh and
// bench/sse_fanout.sh. It talks HTTP/1.1 to a running server on 127.0.0.1 only.
//
//   decisions  An agent waits on `GET /v1/rooms/:room/events`; a person approves pending
//              check-ins (`POST /v1/check-ins/:id/approve`) on a fixed schedule (open
//              loop). Per decision: approve answer and `checkin.approved` receipt, both
//              measured from the scheduled send time (no coordinated omission).
//   fanout     N streams on one room; signals (`POST /v1/rooms/:room/signal`) on a fixed
//              schedule; every stream must receive every signal, in order. Per delivery:
//              receipt time minus scheduled send time; server RSS before and after the
//              streams connected.
//
// One JSON object on stdout; exit 3 when the run found a problem (a non-2xx answer, a
// missing, duplicate or out-of-order event, a stream that closed), 2 on bad usage.
// Everything runs on Asio io_contexts: decisions on one thread, fanout on --threads
// threads for the streams plus the main thread for the signals.
#include <CLI/CLI.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <sys/resource.h>
#include <thread>
#include <unistd.h>
#include <unordered_map>
#include <vector>

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;
using sclock = std::chrono::steady_clock;

double ms_between(sclock::time_point from, sclock::time_point to) {
  return std::chrono::duration<double, std::milli>(to - from).count();
}

double round3(double x) {
  return std::round(x * 1000) / 1000;
}

/// What makes a run fail. Thread-safe; keeps the first few messages and counts all.
class problems {
 public:
  void add(std::string what) {
    std::lock_guard lock(mu_);
    if (first_.size() < 20) first_.push_back(std::move(what));
    ++count_;
  }
  std::size_t count() const {
    std::lock_guard lock(mu_);
    return count_;
  }
  json::array list() const {
    std::lock_guard lock(mu_);
    json::array a;
    for (const auto& p : first_)
      a.emplace_back(p);
    return a;
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::string> first_;
  std::size_t count_ = 0;
};

/// p50/p90/p99/p99.9/max/mean of a sample in milliseconds (nearest-rank).
json::object distribution(std::vector<double> xs) {
  json::object o;
  o["count"] = xs.size();
  if (xs.empty()) return o;
  std::sort(xs.begin(), xs.end());
  auto rank = [&](double q) {
    auto i = static_cast<std::size_t>(std::ceil(q * static_cast<double>(xs.size())));
    return round3(xs[std::min(xs.size(), std::max<std::size_t>(i, 1)) - 1]);
  };
  double sum = 0;
  for (double x : xs)
    sum += x;
  o["p50"] = rank(0.50);
  o["p90"] = rank(0.90);
  o["p99"] = rank(0.99);
  o["p999"] = rank(0.999);
  o["max"] = round3(xs.back());
  o["mean"] = round3(sum / static_cast<double>(xs.size()));
  return o;
}

// --- what the machine did (from /proc) -------------------------------------------------

/// CPU seconds (user + system) of process `pid`.
double process_cpu_s(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto close = all.rfind(") ");
  if (close == std::string::npos) return 0;
  std::istringstream rest(all.substr(close + 2));
  std::string field;
  double utime = 0, stime = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14) utime = std::stod(field);
    if (i == 15) stime = std::stod(field);
  }
  return (utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

double own_cpu_s() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto s = [](timeval t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return s(u.ru_utime) + s(u.ru_stime);
}

struct machine_cpu {
  double busy = 0, softirq = 0, steal = 0;
};

/// Busy (softirq included), softirq and stolen CPU seconds of the whole machine.
machine_cpu machine_cpu_s() {
  std::ifstream in("/proc/stat");
  std::string cpu;
  double v[8] = {};
  in >> cpu;
  for (double& x : v)
    in >> x;
  const double hz = static_cast<double>(sysconf(_SC_CLK_TCK));
  // user nice system idle iowait irq softirq steal
  return {(v[0] + v[1] + v[2] + v[5] + v[6]) / hz, v[6] / hz, v[7] / hz};
}

/// VmRSS of `pid`, KiB.
long rss_kib(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}

/// Pages of memory all TCP sockets of the machine hold (`mem` in /proc/net/sockstat):
/// kernel buffers, not in any process's RSS. Both ends of every loopback connection.
long tcp_mem_kib() {
  std::ifstream in("/proc/net/sockstat");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("TCP:", 0) != 0) continue;
    auto at = line.find(" mem ");
    if (at != std::string::npos)
      return std::stol(line.substr(at + 5)) * (getpagesize() / 1024);
  }
  return -1;
}

/// CPU use between two moments: the server, this client, every other process, steal.
struct cpu_snapshot {
  double server = 0, client = 0;
  machine_cpu machine;
  sclock::time_point at;
  static cpu_snapshot take(int server_pid) {
    cpu_snapshot s;
    s.server = process_cpu_s(server_pid);
    s.client = own_cpu_s();
    s.machine = machine_cpu_s();
    s.at = sclock::now();
    return s;
  }
};

void add_cpu(json::object& o, const cpu_snapshot& a, const cpu_snapshot& b) {
  const double server = b.server - a.server, client = b.client - a.client;
  o["measured_wall_s"] = round3(std::chrono::duration<double>(b.at - a.at).count());
  o["server_cpu_s"] = round3(server);
  o["client_cpu_s"] = round3(client);
  // Softirq time (mostly loopback TCP input of both ends) is part of the busy time;
  // the kernel charges it to whichever process it interrupted, usually the sender.
  o["others_cpu_s"] =
      round3(std::max(0.0, (b.machine.busy - a.machine.busy) - server - client));
  o["softirq_s"] = round3(b.machine.softirq - a.machine.softirq);
  o["steal_s"] = round3(b.machine.steal - a.machine.steal);
}

// --- HTTP requests over a pool of keep-alive connections -------------------------------

/// Keep-alive connections of one principal, used from one io_context thread. A request
/// goes to an idle connection, or waits (FIFO) until one is free: the caller's clock
/// keeps running meanwhile, so waiting shows up in its latency, as it should.
class http_pool {
 public:
  /// status (-1: connection failed), body, when the request was written.
  /// An empty token sends no Authorization header.
  using done_fn = std::function<void(int, const std::string&, sclock::time_point)>;

  http_pool(asio::io_context& io, tcp::endpoint ep, std::string token)
      : io_(io)
      , ep_(ep)
      , token_(std::move(token)) {}

  /// Opens `n` more connections (blocking; set-up only).
  void connect(std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) {
      auto c = std::make_unique<conn>(io_);
      c->stream.connect(ep_);
      c->stream.socket().set_option(tcp::no_delay(true));
      idle_.push_back(c.get());
      conns_.push_back(std::move(c));
    }
  }

  void submit(std::string method, std::string target, std::string body, done_fn done) {
    job j{std::move(method), std::move(target), std::move(body), std::move(done)};
    if (idle_.empty()) {
      waiting_.push_back(std::move(j));
      max_waiting_ = std::max(max_waiting_, waiting_.size());
      return;
    }
    auto* c = idle_.back();
    idle_.pop_back();
    start(*c, std::move(j));
  }

  std::size_t in_flight() const { return in_flight_; }
  std::size_t max_in_flight() const { return max_in_flight_; }
  std::size_t max_waiting() const { return max_waiting_; }
  std::size_t size() const { return conns_.size(); }

 private:
  struct job {
    std::string method, target, body;
    done_fn done;
  };
  struct conn {
    explicit conn(asio::io_context& io)
        : stream(io) {}
    beast::tcp_stream stream;
    beast::flat_buffer buffer;
    bhttp::request<bhttp::string_body> req;
    bhttp::response<bhttp::string_body> res;
    job current;
    sclock::time_point sent;
  };

  void start(conn& c, job j) {
    c.current = std::move(j);
    c.req = {};
    c.req.method(bhttp::string_to_verb(c.current.method));
    c.req.target(c.current.target);
    c.req.version(11);
    c.req.set(bhttp::field::host, "127.0.0.1");
    if (!token_.empty()) c.req.set(bhttp::field::authorization, "Bearer " + token_);
    c.req.set(bhttp::field::content_type, "application/json");
    c.req.keep_alive(true);
    c.req.body() = c.current.body;
    c.req.prepare_payload();
    c.res = {};
    ++in_flight_;
    max_in_flight_ = std::max(max_in_flight_, in_flight_);
    c.sent = sclock::now();
    bhttp::async_write(c.stream, c.req, [this, &c](beast::error_code ec, std::size_t) {
      if (ec) return failed(c, ec);
      bhttp::async_read(
          c.stream, c.buffer, c.res, [this, &c](beast::error_code ec, std::size_t) {
            if (ec) return failed(c, ec);
            --in_flight_;
            auto done = std::move(c.current.done);
            done(static_cast<int>(c.res.result_int()), c.res.body(), c.sent);
            if (!c.res.keep_alive()) return; // the server closed it
            if (!waiting_.empty()) {
              auto next = std::move(waiting_.front());
              waiting_.pop_front();
              return start(c, std::move(next));
            }
            idle_.push_back(&c);
          });
    });
  }

  void failed(conn& c, beast::error_code ec) {
    --in_flight_;
    auto done = std::move(c.current.done);
    done(-1, ec.message(), c.sent); // the connection is not reused
  }

  asio::io_context& io_;
  tcp::endpoint ep_;
  std::string token_;
  std::vector<std::unique_ptr<conn>> conns_;
  std::vector<conn*> idle_;
  std::deque<job> waiting_;
  std::size_t in_flight_ = 0, max_in_flight_ = 0, max_waiting_ = 0;
};

// --- one server-sent-event stream ------------------------------------------------------

struct sse_frame {
  std::optional<std::uint64_t> id;
  std::string_view event;
  std::string_view data;
};

/// A `GET .../events` stream, read on its io_context's thread: connect, send the
/// request, check the head (200, close-delimited), then hand each complete frame to
/// `on_frame` with the time its last bytes were read. `on_open` once the head is in;
/// `on_end` if the stream ends or fails before `stop`.
class sse_stream {
 public:
  struct handlers {
    std::function<void()> on_open;
    std::function<void(const sse_frame&, sclock::time_point)> on_frame;
    std::function<void(const std::string&)> on_end;
  };

  sse_stream(asio::io_context& io, tcp::endpoint ep, const std::string& request,
             handlers h)
      : socket_(io)
      , ep_(ep)
      , request_(request)
      , h_(std::move(h)) {}

  void start() {
    socket_.async_connect(ep_, [this](beast::error_code ec) {
      if (ec) return end("connect: " + ec.message());
      socket_.set_option(tcp::no_delay(true), ec);
      socket_.non_blocking(true, ec);
      asio::async_write(socket_, asio::buffer(request_),
                        [this](beast::error_code ec, std::size_t) {
                          if (ec) return end("request: " + ec.message());
                          wait();
                        });
    });
  }

  /// Closes the connection (on its io_context's thread, or after it stopped).
  void stop() {
    stopped_ = true;
    beast::error_code ignored;
    socket_.close(ignored);
  }

 private:
  void wait() {
    socket_.async_wait(tcp::socket::wait_read, [this](beast::error_code ec) {
      if (ec) return end("wait: " + ec.message());
      read_available();
    });
  }

  void read_available() {
    static thread_local std::array<char, 1 << 16> scratch;
    for (;;) {
      beast::error_code ec;
      auto n = socket_.read_some(asio::buffer(scratch), ec);
      if (ec == asio::error::would_block || ec == asio::error::try_again) break;
      if (ec) return end(ec == asio::error::eof ? "closed by the server" : ec.message());
      buffer_.append(scratch.data(), n);
      if (n < scratch.size()) break;
    }
    const auto at = sclock::now();
    if (!head_done_ && !parse_head()) return;
    if (head_done_ && !parse_frames(at)) return;
    wait();
  }

  bool parse_head() {
    auto end_of_head = buffer_.find("\r\n\r\n");
    if (end_of_head == std::string::npos) return true; // more to come
    std::string head = buffer_.substr(0, end_of_head);
    buffer_.erase(0, end_of_head + 4);
    if (head.rfind("HTTP/1.1 200", 0) != 0) {
      end("answered " + head.substr(0, head.find('\r')));
      return false;
    }
    std::transform(head.begin(), head.end(), head.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (head.find("\r\ncontent-type: text/event-stream") == std::string::npos) {
      end("the answer is not text/event-stream");
      return false;
    }
    if (head.find("\r\ntransfer-encoding:") != std::string::npos) {
      end("chunked streams are not supported by this client");
      return false;
    }
    head_done_ = true;
    if (h_.on_open) h_.on_open();
    return true;
  }

  /// Frames end with an empty line; the server writes `\n` line ends.
  bool parse_frames(sclock::time_point at) {
    std::size_t pos = 0;
    for (;;) {
      auto end_of_frame = buffer_.find("\n\n", pos);
      if (end_of_frame == std::string::npos) break;
      std::string_view text(buffer_.data() + pos, end_of_frame - pos);
      pos = end_of_frame + 2;
      sse_frame f;
      bool any = false;
      while (!text.empty()) {
        auto nl = text.find('\n');
        auto line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
        auto field = [&](std::string_view name) -> std::optional<std::string_view> {
          if (line.substr(0, name.size()) != name) return std::nullopt;
          auto v = line.substr(name.size());
          if (!v.empty() && v.front() == ' ') v.remove_prefix(1);
          return v;
        };
        if (line.empty() || line.front() == ':') continue; // comment (`: ping`)
        if (auto v = field("id:")) {
          std::uint64_t id = 0;
          std::from_chars(v->data(), v->data() + v->size(), id);
          f.id = id;
        } else if (auto v = field("event:")) {
          f.event = *v;
        } else if (auto v = field("data:")) {
          f.data = *v; // the server writes one compact JSON per data line
          any = true;
        }
      }
      if (any) h_.on_frame(f, at);
      if (stopped_) return false;
    }
    buffer_.erase(0, pos);
    return true;
  }

  void end(const std::string& why) {
    if (stopped_) return;
    stopped_ = true;
    if (h_.on_end) h_.on_end(why);
  }

  tcp::socket socket_;
  tcp::endpoint ep_;
  const std::string& request_;
  handlers h_;
  std::string buffer_;
  bool head_done_ = false;
  bool stopped_ = false;
};

std::string events_request(const std::string& room, const std::string& credential) {
  return "GET /v1/rooms/" + room +
         "/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
         "Authorization: Bearer " +
         credential + "\r\n\r\n";
}

/// The value of `"key":"…"` or `"key":N` at its first occurrence in a compact JSON text.
std::string_view json_string_field(std::string_view text, std::string_view key) {
  std::string pattern = "\"" + std::string(key) + "\":\"";
  auto at = text.find(pattern);
  if (at == std::string_view::npos) return {};
  at += pattern.size();
  auto end = text.find('"', at);
  return end == std::string_view::npos ? std::string_view() : text.substr(at, end - at);
}

/// Runs `io` (one handler at a time) until `done()` or the deadline; false on timeout.
bool run_until(asio::io_context& io, const std::function<bool()>& done,
               sclock::time_point deadline) {
  while (!done()) {
    if (sclock::now() >= deadline) return false;
    io.run_one_for(std::chrono::milliseconds(5));
  }
  return true;
}

struct common_options {
  int port = 0;
  std::string token;     ///< the owner: decides, posts signals
  std::string agent_key; ///< the agent: creates check-ins, watches the room
  std::string room = "general";
  int server_pid = 0;
  double rate = 1000;
  double duration_s = 10;
  double warmup_s = 2;
  double drain_timeout_s = 10;
};

tcp::endpoint endpoint_of(const common_options& o) {
  return {asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(o.port)};
}

sclock::duration period_of(double rate) {
  return std::chrono::duration_cast<sclock::duration>(
      std::chrono::duration<double>(1.0 / rate));
}

// --- decisions -------------------------------------------------------------------------

struct decision_options : common_options {
  std::size_t connections = 64;        ///< the person's keep-alive connections
  std::size_t create_connections = 16; ///< the agent's, while preparing check-ins
};

int run_decisions(const decision_options& o) {
  problems bad;
  asio::io_context io;
  auto guard = asio::make_work_guard(io);
  const auto ep = endpoint_of(o);
  const auto warm = static_cast<std::size_t>(std::llround(o.rate * o.warmup_s));
  const auto measured = static_cast<std::size_t>(std::llround(o.rate * o.duration_s));
  const std::size_t total = 1 + warm + measured; // [0] is the probe

  // 1. The pending check-ins, created by the agent before anything is measured.
  std::vector<std::string> ids(total);
  {
    http_pool agent(io, ep, o.agent_key);
    agent.connect(o.create_connections);
    std::size_t issued = 0, answered = 0;
    std::function<void()> create_next = [&] {
      if (issued == total) return;
      const auto i = issued++;
      agent.submit(
          "POST", "/v1/rooms/" + o.room + "/check-in",
          R"({"action":"deploy build )" + std::to_string(i) +
              R"( to production","risk_level":"high","metadata":{"bench":"decision_latency"}})",
          [&, i](int status, const std::string& body, sclock::time_point) {
            ++answered;
            if (status != 201) {
              bad.add("create answered " + std::to_string(status) + ": " +
                      body.substr(0, 200));
              return;
            }
            auto v = json::parse(body);
            const auto& d = v.at("data").as_object();
            ids[i] = std::string(d.at("id").as_string());
            if (d.at("status").as_string() != "pending")
              bad.add("check-in " + ids[i] + " was created " +
                      std::string(d.at("status").as_string()) +
                      ", not pending: the room's policy must leave check-ins pending");
            else
              create_next();
          });
    };
    for (std::size_t c = 0; c < o.create_connections; ++c)
      create_next();
    const auto started = sclock::now();
    if (!run_until(
            io, [&] { return answered == issued && (issued == total || bad.count()); },
            started + std::chrono::seconds(300)))
      bad.add("creating the check-ins timed out");
    std::cerr << "waitroom_sse_bench: created " << answered << " pending check-ins in "
              << round3(ms_between(started, sclock::now()) / 1000) << " s\n";
  }
  if (bad.count()) {
    json::object out{
        {"bench", "decision_latency"}, {"ok", false}, {"problems", bad.list()}};
    std::cout << json::serialize(out) << "\n";
    return 3;
  }
  std::unordered_map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < total; ++i)
    index.emplace(ids[i], i);

  // 2. The agent's stream.
  std::vector<sclock::time_point> sched(total), sent(total), answered_at(total),
      delivered(total);
  std::vector<int> status(total, 0);
  std::size_t answers = 0, deliveries = 0, frames = 0, out_of_order = 0, duplicates = 0,
              strangers = 0;
  std::uint64_t last_seq = 0;
  bool open = false, ended = false;
  const auto request = events_request(o.room, o.agent_key);
  sse_stream stream(
      io, ep, request,
      {[&] { open = true; },
       [&](const sse_frame& f, sclock::time_point at) {
         ++frames;
         if (f.id) {
           if (*f.id <= last_seq) {
             ++out_of_order;
             bad.add("event seq " + std::to_string(*f.id) + " after seq " +
                     std::to_string(last_seq));
           }
           last_seq = *f.id;
         }
         if (f.event != "checkin.approved") return;
         auto it = index.find(std::string(json_string_field(f.data, "stream")));
         if (it == index.end()) {
           ++strangers;
           return bad.add("checkin.approved of a check-in this run did not approve");
         }
         if (delivered[it->second] != sclock::time_point()) {
           ++duplicates;
           return bad.add("checkin.approved of " + it->first + " twice");
         }
         delivered[it->second] = at;
         ++deliveries;
       },
       [&](const std::string& why) {
         ended = true;
         bad.add("the agent's stream ended: " + why);
       }});
  stream.start();
  if (!run_until(
          io, [&] { return open || ended; }, sclock::now() + std::chrono::seconds(10)))
    bad.add("the stream did not open within 10 s");

  http_pool person(io, ep, o.token);
  person.connect(o.connections);
  auto approve = [&](std::size_t i) {
    person.submit("POST", "/v1/check-ins/" + ids[i] + "/approve", "{}",
                  [&, i](int st, const std::string& body, sclock::time_point t) {
                    answered_at[i] = sclock::now();
                    sent[i] = t;
                    status[i] = st;
                    ++answers;
                    if (st != 200)
                      bad.add("approve answered " + std::to_string(st) + ": " +
                              body.substr(0, 200));
                    else if (body.find(R"("status":"approved")") == std::string::npos)
                      bad.add("approve answered 200 without status approved");
                  });
  };

  // 3. The probe: the stream is live once the first approval arrives on it.
  sched[0] = sclock::now();
  approve(0);
  if (!run_until(
          io, [&] { return deliveries == 1 || ended; },
          sclock::now() + std::chrono::seconds(10)))
    bad.add("the probe approval did not arrive on the stream within 10 s");

  // 4. The schedule: decision i at t0 + (i - 1) / rate, whatever happened before.
  const auto period = period_of(o.rate);
  const auto t0 = sclock::now() + std::chrono::milliseconds(20);
  for (std::size_t i = 1; i < total; ++i)
    sched[i] = t0 + (i - 1) * period;
  const std::size_t first_measured = 1 + warm;
  std::optional<cpu_snapshot> cpu_start;
  std::size_t next = 1;
  asio::steady_timer timer(io);
  std::function<void()> tick = [&] {
    const auto now = sclock::now();
    for (; next < total && sched[next] <= now; ++next) {
      if (next == first_measured) cpu_start = cpu_snapshot::take(o.server_pid);
      approve(next);
    }
    if (next == total || ended) return;
    timer.expires_at(sched[next]);
    timer.async_wait([&](beast::error_code ec) {
      if (!ec) tick();
    });
  };
  if (!bad.count()) {
    tick();
    const auto deadline =
        sched[total - 1] + std::chrono::duration_cast<sclock::duration>(
                               std::chrono::duration<double>(o.drain_timeout_s));
    if (!run_until(
            io, [&] { return (answers == total && deliveries == total) || ended; },
            deadline))
      bad.add("after the last decision: " + std::to_string(total - answers) +
              " approvals unanswered, " + std::to_string(total - deliveries) +
              " checkin.approved events missing (waited " +
              std::to_string(o.drain_timeout_s) + " s)");
  }
  const auto cpu_end = cpu_snapshot::take(o.server_pid);
  stream.stop();
  timer.cancel();

  // 5. The numbers, over the measured decisions.
  std::vector<double> delivery, approve_ms, service, lag;
  std::size_t before_answer = 0, non_2xx = 0;
  for (std::size_t i = first_measured; i < total; ++i) {
    if (status[i] != 200) ++non_2xx;
    if (answered_at[i] != sclock::time_point()) {
      approve_ms.push_back(ms_between(sched[i], answered_at[i]));
      service.push_back(ms_between(sent[i], answered_at[i]));
      lag.push_back(ms_between(sched[i], sent[i]));
    }
    if (delivered[i] != sclock::time_point()) {
      delivery.push_back(ms_between(sched[i], delivered[i]));
      if (answered_at[i] != sclock::time_point() && delivered[i] < answered_at[i])
        ++before_answer;
    }
  }
  json::object out;
  out["bench"] = "decision_latency";
  out["rate"] = o.rate;
  out["duration_s"] = o.duration_s;
  out["warmup_s"] = o.warmup_s;
  out["connections"] = o.connections;
  out["decisions"] = measured;
  out["check_ins_created"] = total;
  const bool complete = sent[first_measured] != sclock::time_point() &&
                        sent[total - 1] != sclock::time_point() && measured > 1;
  out["sent_per_s"] = complete ? round3(static_cast<double>(measured - 1) * 1000 /
                                        ms_between(sent[first_measured], sent[total - 1]))
                               : 0.0;
  out["delivery_ms"] = distribution(delivery);
  out["approve_ms"] = distribution(approve_ms);
  out["approve_service_ms"] = distribution(service);
  out["send_lag_ms"] = distribution(lag);
  out["event_before_answer_pct"] =
      delivery.empty() ? 0.0
                       : round3(100.0 * static_cast<double>(before_answer) /
                                static_cast<double>(delivery.size()));
  out["max_in_flight"] = person.max_in_flight();
  out["max_waiting"] = person.max_waiting();
  out["stream_frames"] = frames;
  out["missing_events"] = measured - delivery.size();
  out["duplicate_events"] = duplicates;
  out["out_of_order_events"] = out_of_order;
  out["unknown_events"] = strangers;
  out["non_2xx"] = non_2xx;
  if (cpu_start) {
    add_cpu(out, *cpu_start, cpu_end);
    out["server_cpu_us_per_decision"] = round3((cpu_end.server - cpu_start->server) *
                                               1e6 / static_cast<double>(measured));
  }
  out["server_rss_kib"] = rss_kib(o.server_pid);
  out["ok"] = bad.count() == 0;
  out["problems"] = bad.list();
  std::cout << json::serialize(out) << "\n";
  return bad.count() ? 3 : 0;
}

// --- fan-out ---------------------------------------------------------------------------

struct fanout_options : common_options {
  std::size_t subscribers = 100;
  int threads = 2;                  ///< io threads for the streams
  std::size_t connect_window = 128; ///< streams being opened at once, per thread
  std::size_t post_connections = 4;
  double connect_timeout_s = 300;
};

/// One io_context and its thread, with the streams it reads and what they received.
/// Only that thread touches it until it is joined.
struct reader_thread {
  asio::io_context io;
  std::vector<std::unique_ptr<sse_stream>> streams;
  struct subscriber {
    std::vector<bool> got; ///< per signal number
    std::size_t count = 0;
    std::uint64_t last_seq = 0;
    bool open = false;
  };
  std::vector<subscriber> subs;
  /// (signal number, receipt time) of each measured delivery
  std::vector<std::pair<std::size_t, sclock::time_point>> receipts;
  std::size_t opening = 0, launched = 0;
  std::thread thread;

  /// Starts streams until `window` are being opened at once.
  void launch(std::size_t window) {
    while (opening < window && launched < streams.size()) {
      ++opening;
      streams[launched++]->start();
    }
  }
};

int run_fanout(const fanout_options& o) {
  problems bad;
  const auto ep = endpoint_of(o);
  const auto warm = static_cast<std::size_t>(std::llround(o.rate * o.warmup_s));
  const auto measured = static_cast<std::size_t>(std::llround(o.rate * o.duration_s));
  const std::size_t signals = 1 + warm + measured; // #0 is the probe
  const std::size_t first_measured = 1 + warm;
  const auto n = o.subscribers;

  asio::io_context main_io;
  auto main_guard = asio::make_work_guard(main_io);
  http_pool person(main_io, ep, o.token);
  std::vector<sclock::time_point> sched(signals), answered_at(signals);
  std::vector<int> status(signals, 0);
  std::size_t answers = 0;
  auto post_signal = [&](std::int64_t k, std::size_t slot) {
    person.submit("POST", "/v1/rooms/" + o.room + "/signal",
                  R"({"type":"bench","payload":{"n":)" + std::to_string(k) + "}}",
                  [&, slot](int st, const std::string& body, sclock::time_point) {
                    if (slot < signals) {
                      answered_at[slot] = sclock::now();
                      status[slot] = st;
                    }
                    ++answers;
                    if (st != 202)
                      bad.add("signal answered " + std::to_string(st) + ": " +
                              body.substr(0, 200));
                  });
  };

  // A signal before any stream exists: the signal path is warm when memory is measured,
  // and no stream may ever see it (a stream without `since` starts at the head).
  person.connect(o.post_connections);
  post_signal(-1, signals);
  run_until(
      main_io, [&] { return answers == 1; }, sclock::now() + std::chrono::seconds(10));
  answers = 0;
  const long rss_before = rss_kib(o.server_pid);
  const long tcp_before = tcp_mem_kib();

  // 1. Open the streams, a window at a time per thread.
  const auto request = events_request(o.room, o.agent_key);
  std::vector<std::unique_ptr<reader_thread>> readers;
  for (int t = 0; t < o.threads; ++t)
    readers.push_back(std::make_unique<reader_thread>());
  std::atomic<std::size_t> opened{0}, probe_seen{0}, completed{0}, ended{0};
  // Signals posted concurrently may commit in any order, but every stream must see
  // each one as the same event (seq), and seqs only grow on a stream: the same order.
  std::vector<std::atomic<std::uint64_t>> seq_of(signals);
  const auto period = period_of(o.rate);
  for (std::size_t s = 0; s < n; ++s) {
    auto& r = *readers[s % readers.size()];
    const std::size_t local = r.subs.size();
    r.subs.emplace_back().got.assign(signals, false);
    r.streams.push_back(std::make_unique<sse_stream>(
        r.io, ep, request,
        sse_stream::handlers{
            [&, rp = &r, local] {
              rp->subs[local].open = true;
              ++opened;
              --rp->opening;
              rp->launch(o.connect_window);
            },
            [&, rp = &r, local](const sse_frame& f, sclock::time_point at) {
              auto& sub = rp->subs[local];
              if (f.id) {
                if (*f.id <= sub.last_seq)
                  bad.add("event seq " + std::to_string(*f.id) + " after seq " +
                          std::to_string(sub.last_seq));
                sub.last_seq = *f.id;
              }
              if (f.event != "signal.broadcast") return;
              auto at_n = f.data.find(R"("payload":{"n":)");
              std::int64_t k = -2;
              if (at_n != std::string_view::npos) {
                auto digits = f.data.substr(at_n + 15);
                std::from_chars(digits.data(), digits.data() + digits.size(), k);
              }
              if (k < 0 || static_cast<std::size_t>(k) >= signals)
                return bad.add("a stream received signal " + std::to_string(k) +
                               ", which was posted before it opened, or never");
              const auto slot = static_cast<std::size_t>(k);
              if (sub.got[slot])
                return bad.add("a stream received signal " + std::to_string(k) +
                               " twice");
              sub.got[slot] = true;
              std::uint64_t first = 0;
              const std::uint64_t seq = f.id.value_or(0);
              if (!seq_of[slot].compare_exchange_strong(first, seq) && first != seq)
                bad.add("signal " + std::to_string(k) + " arrived as seq " +
                        std::to_string(first) + " on one stream, " + std::to_string(seq) +
                        " on another");
              if (slot == 0) ++probe_seen;
              if (slot >= first_measured) rp->receipts.emplace_back(slot, at);
              if (++sub.count == signals) ++completed;
            },
            [&, rp = &r, local](const std::string& why) {
              ++ended;
              if (!rp->subs[local].open) {
                --rp->opening;
                rp->launch(o.connect_window);
              }
              bad.add("a stream ended: " + why);
            }}));
  }
  const auto connect_started = sclock::now();
  for (auto& r : readers) {
    r->receipts.reserve(r->streams.size() * measured);
    asio::post(r->io, [rp = r.get(), &o] { rp->launch(o.connect_window); });
  }
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards;
  for (auto& r : readers) {
    guards.push_back(asio::make_work_guard(r->io));
    r->thread = std::thread([rp = r.get()] { rp->io.run(); });
  }
  const auto deadline = [](double s) {
    return sclock::now() +
           std::chrono::duration_cast<sclock::duration>(std::chrono::duration<double>(s));
  };
  if (!run_until(
          main_io, [&] { return opened + ended >= n; }, deadline(o.connect_timeout_s)))
    bad.add("only " + std::to_string(opened.load()) + " of " + std::to_string(n) +
            " streams opened");
  const double connect_s = ms_between(connect_started, sclock::now()) / 1000;
  std::cerr << "waitroom_sse_bench: " << opened << " streams open in "
            << round3(connect_s) << " s\n";

  // 2. The probe: every stream is subscribed once signal #0 reached it.
  long rss_connected = -1, tcp_connected = -1;
  if (!bad.count()) {
    sched[0] = sclock::now();
    post_signal(0, 0);
    if (!run_until(
            main_io, [&] { return probe_seen == n || ended; }, deadline(60)))
      bad.add("the probe signal reached " + std::to_string(probe_seen.load()) + " of " +
              std::to_string(n) + " streams within 60 s");
    rss_connected = rss_kib(o.server_pid);
    tcp_connected = tcp_mem_kib();
  }
  const double probe_ms = ms_between(sched[0], sclock::now());

  // 3. Signals on a fixed schedule.
  std::optional<cpu_snapshot> cpu_start;
  cpu_snapshot cpu_end;
  long rss_after = -1, tcp_after = -1;
  // Meanwhile, a bystander: GET /healthz 20 times a second over its own connection
  // through the measured seconds, timed from its schedule like the signals. It shows
  // what the fan-out costs requests that have nothing to do with the room.
  const auto bystander_period = std::chrono::milliseconds(50);
  const auto bystanders = static_cast<std::size_t>(std::llround(o.duration_s * 20));
  std::vector<sclock::time_point> bystander_sched(bystanders), bystander_done(bystanders);
  if (!bad.count()) {
    const auto t0 = sclock::now() + std::chrono::milliseconds(20);
    for (std::size_t k = 1; k < signals; ++k)
      sched[k] = t0 + (k - 1) * period;
    for (std::size_t j = 0; j < bystanders; ++j)
      bystander_sched[j] = t0 + warm * period + j * bystander_period;
    http_pool bystander(main_io, ep, "");
    bystander.connect(1);
    std::size_t next_bystander = 0;
    asio::steady_timer bystander_timer(main_io);
    std::function<void()> tick_bystander = [&] {
      const auto now = sclock::now();
      for (; next_bystander < bystanders && bystander_sched[next_bystander] <= now;
           ++next_bystander)
        bystander.submit(
            "GET", "/healthz", "",
            [&, j = next_bystander](int st, const std::string&, sclock::time_point) {
              bystander_done[j] = sclock::now();
              if (st != 200) bad.add("healthz answered " + std::to_string(st));
            });
      if (next_bystander == bystanders) return;
      bystander_timer.expires_at(bystander_sched[next_bystander]);
      bystander_timer.async_wait([&](beast::error_code ec) {
        if (!ec) tick_bystander();
      });
    };
    tick_bystander();
    std::size_t next = 1;
    asio::steady_timer timer(main_io);
    std::function<void()> tick = [&] {
      const auto now = sclock::now();
      for (; next < signals && sched[next] <= now; ++next) {
        if (next == first_measured) cpu_start = cpu_snapshot::take(o.server_pid);
        post_signal(static_cast<std::int64_t>(next), next);
      }
      if (next == signals) return;
      timer.expires_at(sched[next]);
      timer.async_wait([&](beast::error_code ec) {
        if (!ec) tick();
      });
    };
    tick();
    const auto drain =
        sched[signals - 1] + std::chrono::duration_cast<sclock::duration>(
                                 std::chrono::duration<double>(o.drain_timeout_s));
    if (!run_until(
            main_io,
            [&] { return (answers == signals && completed + ended >= n) || ended; },
            drain))
      bad.add("after the last signal: " + std::to_string(n - completed) + " of " +
              std::to_string(n) + " streams did not receive every signal within " +
              std::to_string(o.drain_timeout_s) + " s");
    cpu_end = cpu_snapshot::take(o.server_pid);
    rss_after = rss_kib(o.server_pid);
    tcp_after = tcp_mem_kib();
    run_until(
        main_io,
        [&] { return bystanders == 0 || bystander_done.back() != sclock::time_point(); },
        deadline(o.drain_timeout_s));
    timer.cancel();
    bystander_timer.cancel();
  }

  // 4. Stop the readers, close the streams, merge what they measured.
  guards.clear();
  for (auto& r : readers) {
    r->io.stop();
    r->thread.join();
    for (auto& s : r->streams)
      s->stop();
  }
  std::vector<double> latency;
  latency.reserve(n * measured);
  std::vector<sclock::time_point> last_receipt(signals);
  for (auto& r : readers)
    for (auto [k, at] : r->receipts) {
      latency.push_back(ms_between(sched[k], at));
      last_receipt[k] = std::max(last_receipt[k], at);
    }
  std::vector<double> all_delivered;
  for (std::size_t k = first_measured; k < signals; ++k)
    if (last_receipt[k] != sclock::time_point())
      all_delivered.push_back(ms_between(sched[k], last_receipt[k]));
  std::vector<double> bystander_ms;
  for (std::size_t j = 0; j < bystanders; ++j)
    if (bystander_done[j] != sclock::time_point())
      bystander_ms.push_back(ms_between(bystander_sched[j], bystander_done[j]));
  std::vector<double> signal_ms;
  std::size_t non_2xx = 0;
  for (std::size_t k = first_measured; k < signals; ++k) {
    if (status[k] != 202) ++non_2xx;
    if (answered_at[k] != sclock::time_point())
      signal_ms.push_back(ms_between(sched[k], answered_at[k]));
  }

  json::object out;
  out["bench"] = "sse_fanout";
  out["subscribers"] = n;
  out["rate"] = o.rate;
  out["duration_s"] = o.duration_s;
  out["warmup_s"] = o.warmup_s;
  out["client_threads"] = o.threads;
  out["signals"] = measured;
  out["deliveries"] = latency.size();
  out["expected_deliveries"] = n * measured;
  out["delivery_ms"] = distribution(std::move(latency));
  out["all_delivered_ms"] = distribution(std::move(all_delivered));
  out["signal_ms"] = distribution(std::move(signal_ms));
  out["healthz_ms"] = distribution(std::move(bystander_ms));
  out["connect_s"] = round3(connect_s);
  out["probe_all_delivered_ms"] = round3(probe_ms);
  out["server_rss_before_kib"] = rss_before;
  out["server_rss_connected_kib"] = rss_connected;
  out["server_rss_after_kib"] = rss_after;
  if (rss_connected > 0)
    out["rss_kib_per_stream"] =
        round3(static_cast<double>(rss_connected - rss_before) / static_cast<double>(n));
  if (rss_after > 0)
    out["rss_kib_per_stream_after"] =
        round3(static_cast<double>(rss_after - rss_before) / static_cast<double>(n));
  if (tcp_connected >= 0)
    out["tcp_mem_kib_per_stream"] =
        round3(static_cast<double>(tcp_connected - tcp_before) / static_cast<double>(n));
  if (tcp_after >= 0)
    out["tcp_mem_kib_per_stream_after"] =
        round3(static_cast<double>(tcp_after - tcp_before) / static_cast<double>(n));
  if (cpu_start) {
    add_cpu(out, *cpu_start, cpu_end);
    out["server_cpu_us_per_delivery"] = round3((cpu_end.server - cpu_start->server) *
                                               1e6 / static_cast<double>(n * measured));
    out["client_cpu_us_per_delivery"] = round3((cpu_end.client - cpu_start->client) *
                                               1e6 / static_cast<double>(n * measured));
  }
  out["streams_ended"] = ended.load();
  out["non_2xx"] = non_2xx;
  out["ok"] = bad.count() == 0;
  out["problems"] = bad.list();
  std::cout << json::serialize(out) << "\n";
  return bad.count() ? 3 : 0;
}

void add_common(CLI::App* cmd, common_options& o) {
  cmd->add_option("--port", o.port, "Server port on 127.0.0.1")->required();
  cmd->add_option("--token", o.token,
                  "A person's token (member+): decides, posts signals")
      ->required();
  cmd->add_option("--agent-key", o.agent_key,
                  "An agent's key: creates check-ins, watches")
      ->required();
  cmd->add_option("--room", o.room, "Room slug")->capture_default_str();
  cmd->add_option("--server-pid", o.server_pid, "Server process (CPU and RSS from /proc)")
      ->required();
  cmd->add_option("--duration", o.duration_s, "Measured seconds")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--warmup", o.warmup_s, "Seconds on the schedule before measuring")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_option("--drain-timeout", o.drain_timeout_s,
                  "Seconds after the last send to wait for the last answer and event")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
}

} // namespace

int main(int argc, char** argv) {
  CLI::App cli{"Waitroom server-sent-event benchmarks (client side)"};
  cli.require_subcommand(1);
  decision_options d;
  auto* dcmd = cli.add_subcommand("decisions", "Decision-to-delivery latency");
  add_common(dcmd, d);
  dcmd->add_option("--rate", d.rate, "Approvals per second (open loop)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  dcmd->add_option("--connections", d.connections, "The person's keep-alive connections")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  fanout_options f;
  f.rate = 5;
  auto* fcmd = cli.add_subcommand("fanout", "N streams on one room, signals at a rate");
  add_common(fcmd, f);
  fcmd->add_option("--rate", f.rate, "Signals per second (open loop)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  fcmd->add_option("--subscribers", f.subscribers, "Streams on the room")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  fcmd->add_option("--threads", f.threads, "Client io threads reading the streams")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  CLI11_PARSE(cli, argc, argv);
  try {
    if (dcmd->parsed()) return run_decisions(d);
    return run_fanout(f);
  } catch (const std::exception& e) {
    std::cerr << "waitroom_sse_bench: " << e.what() << "\n";
    return 1;
  }
}
