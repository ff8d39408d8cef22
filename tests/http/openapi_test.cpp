// The OpenAPI document (http/api/openapi.json, embedded) against the server's route
// table: every route documented, nothing documented that is not routed, guards as the
// server checks them, a success answer per operation, and no dangling `$ref`.
#include "actors/clock.hpp"
#include "actors/runtime.hpp"
#include "http/api/api.hpp"
#include "http/api/openapi_document.hpp"
#include "http/crypto/secret_box.hpp"
#include "http/live/status_waiters.hpp"
#include "storage/event_log.hpp"
#include "waitroom/version.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <future>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace waitroom::http {
namespace {

namespace json = boost::json;

/// The guard's name as in auth.hpp (and in `x-waitroom-guard`).
std::string guard_name(guard g) {
  switch (g) {
  case guard::none:
    return "none";
  case guard::authenticated:
    return "authenticated";
  case guard::any:
    return "any";
  case guard::human:
    return "human";
  case guard::member:
    return "member";
  case guard::admin:
    return "admin";
  case guard::member_or_agent:
    return "member_or_agent";
  case guard::claimed_agent:
    return "claimed_agent";
  case guard::instance_admin:
    return "instance_admin";
  }
  return "?";
}

/// `/v1/rooms/:room/members/:principal_id` -> `/v1/rooms/{room}/members/{principal_id}`.
std::string to_template(std::string_view pattern) {
  std::string out;
  std::size_t i = 0;
  while (i < pattern.size()) {
    if (pattern[i] == ':' && (i == 0 || pattern[i - 1] == '/')) {
      auto end = pattern.find('/', i);
      if (end == std::string_view::npos) end = pattern.size();
      out += '{';
      out += pattern.substr(i + 1, end - i - 1);
      out += '}';
      i = end;
    } else {
      out += pattern[i++];
    }
  }
  return out;
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

using route_key = std::pair<std::string, std::string>; // (METHOD, path template)

std::string describe(const std::set<route_key>& keys) {
  std::string out;
  for (const auto& [m, p] : keys)
    out += "\n    " + m + " " + p;
  return out;
}

constexpr std::array<std::string_view, 8> http_methods{
    "get", "put", "post", "delete", "options", "head", "patch", "trace"};

/// Every `$ref` string in `v`, with the JSON pointer of where it occurs.
void collect_refs(const json::value& v, const std::string& where,
                  std::vector<std::pair<std::string, std::string>>& out) {
  if (const auto* o = v.if_object()) {
    for (const auto& kv : *o) {
      std::string key(kv.key());
      if (key == "$ref" && kv.value().is_string())
        out.emplace_back(where, std::string(kv.value().get_string()));
      else
        collect_refs(kv.value(), where + "/" + key, out);
    }
  } else if (const auto* a = v.if_array()) {
    for (std::size_t i = 0; i < a->size(); ++i)
      collect_refs((*a)[i], where + "/" + std::to_string(i), out);
  }
}

/// The server's route table, read from a real `http::api` over an in-memory log.
class openapi_test : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto parsed = json::parse(openapi_document());
    doc_ = new json::value(std::move(parsed));
  }
  static void TearDownTestSuite() {
    delete doc_;
    doc_ = nullptr;
  }

  void SetUp() override {
    log_ = storage::make_memory_log();
    rt_ = std::make_unique<actors::runtime>(*log_, clock_);
    auto started = rt_->start();
    ASSERT_TRUE(started.ok()) << started.error().message;
    api_ = std::make_unique<api>(*rt_, waiters_,
                                 secret_box(std::array<unsigned char, 32>{}));
  }

  void TearDown() override {
    api_.reset();
    log_->close();
    if (rt_) rt_->shutdown();
    rt_.reset();
  }

  const json::object& paths() const { return doc_->as_object().at("paths").as_object(); }

  /// (METHOD, template) -> operation object, for every operation in the document.
  std::map<route_key, const json::object*> operations() const {
    std::map<route_key, const json::object*> out;
    for (const auto& [path, item] : paths())
      for (const auto& kv : item.as_object())
        if (std::find(http_methods.begin(), http_methods.end(), kv.key()) !=
            http_methods.end())
          out[{upper(kv.key()), std::string(path)}] = &kv.value().as_object();
    return out;
  }

  /// (METHOD, template) -> guard name, from the route table.
  std::map<route_key, std::string> routes() const {
    std::map<route_key, std::string> out;
    for (const auto& r : api_->routes())
      out[{r.method, to_template(r.pattern)}] = guard_name(r.g);
    return out;
  }

  static json::value* doc_;
  std::unique_ptr<storage::event_log> log_;
  actors::manual_clock clock_{events::timestamp{1795514400000}};
  std::unique_ptr<actors::runtime> rt_;
  status_waiters waiters_;
  std::unique_ptr<api> api_;
};

json::value* openapi_test::doc_ = nullptr;

TEST_F(openapi_test, declares_openapi_3_1) {
  ASSERT_TRUE(doc_->is_object());
  const auto* version = doc_->as_object().if_contains("openapi");
  ASSERT_NE(version, nullptr);
  ASSERT_TRUE(version->is_string());
  EXPECT_TRUE(std::string_view(version->get_string()).starts_with("3.1."))
      << "openapi: " << version->get_string();
  EXPECT_TRUE(doc_->as_object().contains("info"));
  EXPECT_TRUE(doc_->as_object().contains("paths"));
}

TEST_F(openapi_test, says_the_version_the_binary_says) {
  // one truth: `waitroom --version`, the MCP serverInfo and the document
  const auto& info = doc_->at("info").as_object();
  EXPECT_EQ(std::string_view(info.at("version").as_string()), waitroom::version);
}

TEST_F(openapi_test, documents_exactly_the_route_table) {
  auto routed = routes();
  ASSERT_FALSE(routed.empty());
  auto documented = operations();
  std::set<route_key> undocumented, unrouted;
  for (const auto& [key, g] : routed)
    if (!documented.contains(key)) undocumented.insert(key);
  for (const auto& [key, op] : documented)
    if (!routed.contains(key)) unrouted.insert(key);
  EXPECT_TRUE(undocumented.empty() && unrouted.empty())
      << "route without documentation:" << describe(undocumented)
      << "\n  documentation without a route:" << describe(unrouted);
}

TEST_F(openapi_test, guards_match_the_route_table) {
  auto documented = operations();
  for (const auto& [key, g] : routes()) {
    auto it = documented.find(key);
    if (it == documented.end()) continue; // reported by documents_exactly_the_route_table
    const auto* doc_guard = it->second->if_contains("x-waitroom-guard");
    ASSERT_NE(doc_guard, nullptr)
        << key.first << " " << key.second << ": no x-waitroom-guard";
    ASSERT_TRUE(doc_guard->is_string()) << key.first << " " << key.second;
    EXPECT_EQ(std::string(doc_guard->get_string()), g) << key.first << " " << key.second;
    // Routes without a guard need no credential; the others need the bearer scheme.
    const auto* security = it->second->if_contains("security");
    ASSERT_NE(security, nullptr) << key.first << " " << key.second << ": no security";
    ASSERT_TRUE(security->is_array()) << key.first << " " << key.second;
    EXPECT_EQ(security->as_array().empty(), g == "none")
        << key.first << " " << key.second;
  }
}

TEST_F(openapi_test, every_operation_has_a_success_answer_and_an_id) {
  std::set<std::string> ids;
  for (const auto& [key, op] : operations()) {
    const auto* responses = op->if_contains("responses");
    ASSERT_NE(responses, nullptr) << key.first << " " << key.second;
    const auto& r = responses->as_object();
    EXPECT_TRUE(r.contains("200") || r.contains("201") || r.contains("202") ||
                r.contains("101"))
        << key.first << " " << key.second << ": no 101/200/201/202 response";
    const auto* id = op->if_contains("operationId");
    ASSERT_NE(id, nullptr) << key.first << " " << key.second << ": no operationId";
    EXPECT_TRUE(ids.insert(std::string(id->as_string())).second)
        << "duplicate operationId " << id->as_string();
  }
}

TEST_F(openapi_test, path_parameters_are_declared) {
  auto resolve = [&](const json::value& p) -> const json::object* {
    const auto* r = p.as_object().if_contains("$ref");
    if (r == nullptr) return &p.as_object();
    std::error_code ec;
    const auto* target = doc_->find_pointer(std::string(r->as_string()).substr(1), ec);
    return target && target->is_object() ? &target->as_object() : nullptr;
  };
  for (const auto& [key, op] : operations()) {
    std::set<std::string> in_template, declared;
    const auto& path = key.second;
    for (std::size_t i = path.find('{'); i != std::string::npos;
         i = path.find('{', i + 1))
      in_template.insert(path.substr(i + 1, path.find('}', i) - i - 1));
    auto add = [&](const json::value* params) {
      if (params == nullptr) return;
      for (const auto& p : params->as_array()) {
        const auto* o = resolve(p);
        ASSERT_NE(o, nullptr) << key.first << " " << path << ": unresolved parameter";
        if (o->at("in").as_string() == "path")
          declared.insert(std::string(o->at("name").as_string()));
      }
    };
    add(paths().at(path).as_object().if_contains("parameters"));
    add(op->if_contains("parameters"));
    EXPECT_EQ(in_template, declared) << key.first << " " << path;
  }
}

TEST_F(openapi_test, every_ref_resolves_to_a_component) {
  std::vector<std::pair<std::string, std::string>> refs;
  collect_refs(*doc_, "", refs);
  EXPECT_FALSE(refs.empty());
  for (const auto& [where, ref] : refs) {
    EXPECT_TRUE(ref.starts_with("#/components/")) << where << ": $ref " << ref;
    if (!ref.starts_with("#/")) continue;
    std::error_code ec;
    const auto* target = doc_->find_pointer(ref.substr(1), ec);
    EXPECT_NE(target, nullptr) << where << ": $ref " << ref << " does not resolve";
  }
}

TEST_F(openapi_test, the_server_serves_the_document) {
  request req;
  req.method = "GET";
  req.path = "/v1/openapi.json";
  req.remote_address = "127.0.0.1";
  std::promise<response> answered;
  auto answer = answered.get_future();
  api_->handle(
      req, [&answered](response r) { answered.set_value(std::move(r)); }, nullptr);
  ASSERT_EQ(answer.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  auto r = answer.get();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, openapi_document());
}

} // namespace
} // namespace waitroom::http
