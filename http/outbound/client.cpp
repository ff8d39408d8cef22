#include "http/outbound/client.hpp"

#include "http/outbound/address_policy.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/url/parse.hpp>

#include <openssl/ssl.h>

#include <charconv>
#include <thread>

namespace waitroom::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;

struct outbound_client::impl {
  asio::io_context ioc{1};
  asio::executor_work_guard<asio::io_context::executor_type> work{ioc.get_executor()};
  ssl::context tls{ssl::context::tls_client};
  std::thread thread;
  bool stopped = false;

  impl() {
    tls.set_default_verify_paths();
    tls.set_verify_mode(ssl::verify_peer);
    thread = std::thread([this] { ioc.run(); });
  }
};

namespace {

using clock = std::chrono::steady_clock;

/// One request: resolve, connect, (TLS), write, read the head; then done.
class exchange : public std::enable_shared_from_this<exchange> {
 public:
  exchange(asio::io_context& ioc, ssl::context& tls, outbound_request req,
           std::function<void(outbound_result)> done)
      : resolver_(ioc)
      , tls_ctx_(tls)
      , plain_(ioc)
      , deadline_(ioc)
      , req_(std::move(req))
      , done_(std::move(done))
      , started_(clock::now()) {}

  void start() {
    auto url = boost::urls::parse_uri(req_.url);
    if (!url || (url->scheme() != "http" && url->scheme() != "https") ||
        url->host().empty())
      return refuse("not an http(s) URL");
    https_ = url->scheme() == "https";
    host_ = url->host_address();
    if (host_.size() > 2 && host_.front() == '[')
      host_ = host_.substr(1, host_.size() - 2);
    host_header_ = url->encoded_host_and_port();
    port_ = url->has_port() ? std::string(url->port()) : (https_ ? "443" : "80");
    target_ = std::string(url->encoded_path());
    if (target_.empty()) target_ = "/";
    if (url->has_query()) target_ += "?" + std::string(url->encoded_query());
    if (req_.deny_private && is_private_host(host_))
      return refuse("the address is private (--webhook-deny-private)");

    deadline_.expires_after(req_.timeout);
    deadline_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->time_out();
    });
    resolver_.async_resolve(
        host_, port_,
        [self = shared_from_this()](beast::error_code ec, tcp::resolver::results_type r) {
          self->on_resolved(ec, std::move(r));
        });
  }

 private:
  void time_out() {
    timed_out_ = true;
    resolver_.cancel();
    beast::error_code ignored;
    lowest().close(ignored);
  }

  tcp::socket& lowest() { return tls_ ? tls_->next_layer() : plain_; }

  std::string failure(const beast::error_code& ec, const std::string& what) const {
    if (timed_out_)
      return "timed out after " + std::to_string(req_.timeout.count()) + " ms";
    return std::string(what) + ": " + ec.message();
  }

  void on_resolved(beast::error_code ec, tcp::resolver::results_type results) {
    if (timed_out_) ec = asio::error::timed_out; // the deadline passed while resolving
    if (ec) return finish({}, failure(ec, "cannot resolve " + host_));
    std::vector<tcp::endpoint> endpoints;
    for (const auto& r : results)
      if (!req_.deny_private || !is_private_address(r.endpoint().address()))
        endpoints.push_back(r.endpoint());
    if (endpoints.empty())
      return refuse("every address of " + host_ + " is private (--webhook-deny-private)");
    if (https_) {
      tls_.emplace(std::move(plain_), tls_ctx_);
      // SNI and the certificate's name
      if (!SSL_set_tlsext_host_name(tls_->native_handle(), host_.c_str()))
        return finish({}, "cannot set the TLS server name");
      tls_->set_verify_callback(ssl::host_name_verification(host_));
    }
    asio::async_connect(
        lowest(), endpoints,
        [self = shared_from_this()](beast::error_code ec, const tcp::endpoint&) {
          self->on_connected(ec);
        });
  }

  void on_connected(beast::error_code ec) {
    if (timed_out_) ec = asio::error::timed_out;
    if (ec) return finish({}, failure(ec, "cannot connect"));
    if (!https_) return write();
    tls_->async_handshake(ssl::stream_base::client,
                          [self = shared_from_this()](beast::error_code ec) {
                            if (ec) return self->finish({}, self->failure(ec, "TLS"));
                            self->write();
                          });
  }

  void write() {
    msg_.method(bhttp::verb::post);
    msg_.target(target_);
    msg_.version(11);
    msg_.set(bhttp::field::host, host_header_);
    msg_.set(bhttp::field::user_agent, "waitroom");
    msg_.set(bhttp::field::connection, "close");
    for (const auto& [k, v] : req_.headers)
      msg_.set(k, v);
    msg_.body() = req_.body;
    msg_.prepare_payload();
    auto written = [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->finish({}, self->failure(ec, "cannot send"));
      self->read();
    };
    if (tls_)
      bhttp::async_write(*tls_, msg_, written);
    else
      bhttp::async_write(plain_, msg_, written);
  }

  void read() {
    parser_.skip(true); // the head is all we want
    auto got = [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->finish({}, self->failure(ec, "no answer"));
      const auto& head = self->parser_.get();
      std::optional<std::int64_t> retry_after;
      if (auto it = head.find(bhttp::field::retry_after); it != head.end()) {
        std::int64_t s = 0;
        auto v = it->value();
        auto [end, e] = std::from_chars(v.data(), v.data() + v.size(), s);
        if (e == std::errc() && end == v.data() + v.size() && s >= 0)
          retry_after = s * 1000;
      }
      self->finish(head.result_int(), {}, retry_after);
    };
    if (tls_)
      bhttp::async_read_header(*tls_, buffer_, parser_, got);
    else
      bhttp::async_read_header(plain_, buffer_, parser_, got);
  }

  void refuse(std::string why) {
    refused_ = true;
    finish({}, std::move(why));
  }

  void finish(std::optional<int> status, std::string error,
              std::optional<std::int64_t> retry_after = std::nullopt) {
    if (finished_) return;
    finished_ = true;
    deadline_.cancel();
    beast::error_code ignored;
    lowest().close(ignored);
    outbound_result r;
    r.status = status;
    r.error = std::move(error);
    r.retry_after_ms = retry_after;
    r.refused = refused_;
    r.latency =
        std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - started_);
    done_(std::move(r));
  }

  tcp::resolver resolver_;
  ssl::context& tls_ctx_;
  tcp::socket plain_;
  std::optional<ssl::stream<tcp::socket>> tls_;
  asio::steady_timer deadline_;
  outbound_request req_;
  std::function<void(outbound_result)> done_;
  clock::time_point started_;
  bool https_ = false;
  bool timed_out_ = false;
  bool refused_ = false;
  bool finished_ = false;
  std::string host_, host_header_, port_, target_;
  bhttp::request<bhttp::string_body> msg_;
  beast::flat_buffer buffer_;
  bhttp::response_parser<bhttp::empty_body> parser_;
};

} // namespace

outbound_client::outbound_client()
    : impl_(std::make_unique<impl>()) {}

outbound_client::~outbound_client() {
  stop();
}

void outbound_client::post(outbound_request req,
                           std::function<void(outbound_result)> done) {
  asio::post(impl_->ioc, [this, req = std::move(req), done = std::move(done)]() mutable {
    std::make_shared<exchange>(impl_->ioc, impl_->tls, std::move(req), std::move(done))
        ->start();
  });
}

asio::io_context& outbound_client::context() {
  return impl_->ioc;
}

void outbound_client::stop() {
  if (impl_->stopped) return;
  impl_->stopped = true;
  impl_->work.reset();
  impl_->ioc.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

} // namespace waitroom::http
