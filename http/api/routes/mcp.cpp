// The MCP endpoint (API.md "Agent integrations"): `POST /mcp`, the Model Context
// Protocol over Streamable HTTP, JSON-RPC 2.0. Each tool is one or more calls of the v1
// API made in-process with the caller's own credential, so a tool obeys exactly the
// rules, guards, limits and rendering of the endpoint it stands for; a tool adds only
// the mapping of its arguments and, for `wait_for_decision`, the long-poll loop.
#include "http/api/call.hpp"

#include "events/checkin/decider.hpp"
#include "http/api/openapi_document.hpp"
#include "waitroom/version.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>

namespace waitroom::http {

namespace {

/// Supported protocol revisions, oldest first (the last is the newest).
constexpr std::array<std::string_view, 3> protocol_versions{"2025-03-26", "2025-06-18",
                                                            "2025-11-25"};
/// How long `wait_for_decision` waits without `max_wait_seconds`: under the 60 s
/// request timeout MCP SDK clients use by default.
constexpr std::int64_t default_max_wait_s = 50;
constexpr std::int64_t max_wait_limit_s = 7 * 24 * 3600;

bool supported(std::string_view v) {
  return std::find(protocol_versions.begin(), protocol_versions.end(), v) !=
         protocol_versions.end();
}

json::object rpc_error(const json::value& id, int code, std::string message) {
  return {
      {"jsonrpc", "2.0"}, {"id", id}, {"error", {{"code", code}, {"message", message}}}};
}

json::object rpc_result(const json::value& id, json::value result) {
  return {{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}};
}

// --- tools: their input schemas and a checker for them --------------------------------

json::object str(std::string description) {
  return {{"type", "string"}, {"description", std::move(description)}};
}
json::object id_arg(std::string description) {
  return {{"type", "string"},
          {"pattern", "^[A-Za-z0-9_-]{1,100}$"},
          {"description", std::move(description)}};
}
/// A string argument taking the wire names of the domain enum `E` that pass `keep`.
template <class E>
json::object enumeration(std::string description, bool (*keep)(E) = nullptr) {
  json::array a;
  for (auto v : ev::wire_names_where<E>([keep](E e) { return !keep || keep(e); }))
    a.emplace_back(v);
  return {{"type", "string"},
          {"enum", std::move(a)},
          {"description", std::move(description)}};
}
json::object schema(json::object properties,
                    std::initializer_list<std::string_view> required) {
  json::array r;
  for (auto n : required)
    r.emplace_back(n);
  return {{"type", "object"},
          {"properties", std::move(properties)},
          {"required", std::move(r)},
          {"additionalProperties", false}};
}

/// The MCP tool annotations (hints for clients; the server enforces nothing by them).
struct hints {
  bool read_only = false;
  bool destructive = false;
  bool idempotent = false;
  bool open_world = false; ///< reaches beyond this server (a webhook URL)
};

struct tool {
  std::string_view name;
  std::string_view description;
  json::object input;
  std::string_view title = {};
  hints annotations = {};
  /// The component of the OpenAPI document its success answer is (`outputSchema`).
  std::string_view output = {};
  /// Whether agents may use it (MCP callers are agents): tools/list shows only these.
  bool for_agents = true;
};

/// `components/schemas/<name>` of the OpenAPI document with every `$ref` resolved: the
/// output schemas of the tools are the API's own shapes, never a second copy.
json::value resolved_schema(const json::object& schemas, const json::value& v,
                            int depth) {
  if (depth > 32) return json::object{}; // a cycle: anything goes
  if (const auto* o = v.if_object()) {
    json::object out;
    if (const auto* ref = o->if_contains("$ref"); ref && ref->is_string()) {
      std::string_view target = ref->get_string();
      constexpr std::string_view prefix = "#/components/schemas/";
      if (target.starts_with(prefix))
        if (const auto* s = schemas.if_contains(target.substr(prefix.size())))
          if (const auto* so = s->if_object())
            out = resolved_schema(schemas, *so, depth + 1).as_object();
    }
    for (const auto& [k, x] : *o)
      if (k != "$ref" && !k.starts_with("x-"))
        out[k] = resolved_schema(schemas, x, depth + 1);
    return out;
  }
  if (const auto* a = v.if_array()) {
    json::array out;
    for (const auto& x : *a)
      out.push_back(resolved_schema(schemas, x, depth + 1));
    return out;
  }
  return v;
}

/// A tool's `outputSchema`: its answer's component or, for an `isError` result, the
/// API's error object (both travel in `structuredContent`).
json::object output_schema(std::string_view component) {
  static const json::object schemas = [] {
    std::error_code ec;
    auto doc = json::parse(openapi_document(), ec);
    const auto* c = ec ? nullptr : doc.as_object().if_contains("components");
    const auto* s = c ? c->as_object().if_contains("schemas") : nullptr;
    return s && s->is_object() ? s->as_object() : json::object{};
  }();
  auto ref = [](std::string_view name) {
    return json::object{{"$ref", "#/components/schemas/" + std::string(name)}};
  };
  json::object out{{"type", "object"},
                   {"anyOf", json::array{ref(component), ref("ErrorObject")}}};
  return resolved_schema(schemas, out, 0).as_object();
}

json::object annotations_of(const tool& t) {
  json::object a{{"readOnlyHint", t.annotations.read_only},
                 {"openWorldHint", t.annotations.open_world}};
  if (!t.annotations.read_only) {
    a["destructiveHint"] = t.annotations.destructive;
    a["idempotentHint"] = t.annotations.idempotent;
  }
  if (!t.title.empty()) a["title"] = t.title;
  return a;
}

const std::vector<tool>& tools() {
  static const std::vector<tool> all = [] {
    const auto room = id_arg("The room's slug or rm_ id.");
    const auto checkin = id_arg("The check-in's ci_ id.");
    std::vector<tool> t;
    t.push_back(
        {"waitroom_check_in",
         "Ask the humans of a room before acting: creates a check-in. The room's policy "
         "may "
         "decide at once (approved, or forbidden: a tool error POLICY_FORBIDS); "
         "otherwise a "
         "person approves, rejects or modifies it. With wait_for_decision, waits for the "
         "decision (long-poll) and returns the status object; if max_wait_seconds runs "
         "out "
         "first, the status is still pending: call waitroom_check_status later.",
         schema(
             {{"room", room},
              {"action", str("What you want to do, 1-500 characters.")},
              {"reason", str("Why, up to 5000 characters.")},
              {"risk_level", enumeration<ev::checkin::risk>("Default medium.")},
              {"urgency", enumeration<ev::checkin::urgency_level>("Default normal.")},
              {"context",
               {{"type", "object"},
                {"description", "Metadata the room's policy can match (up to "
                                "10 KiB serialized)."}}},
              {"timeout_minutes",
               {{"type", "integer"},
                {"minimum", 1},
                {"maximum", 10080},
                {"description", "Minutes until the check-in times out (room default)."}}},
              {"timeout_action", enumeration<ev::checkin::timeout_behavior>(
                                     "What a timeout does (room default).")},
              {"wait_for_decision",
               {{"type", "boolean"}, {"description", "Wait for the decision."}}},
              {"max_wait_seconds",
               {{"type", "integer"},
                {"minimum", 0},
                {"maximum", max_wait_limit_s},
                {"description", "How long to wait (default 50; raise your client's "
                                "request timeout to match)."}}}},
             {"room", "action"})});
    t.push_back({"waitroom_check_status", "The status and decision of a check-in.",
                 schema({{"check_in_id", checkin}}, {"check_in_id"})});
    t.push_back({"waitroom_withdraw", "Withdraws your pending check-in.",
                 schema({{"check_in_id", checkin}}, {"check_in_id"})});
    t.push_back({"waitroom_list_rooms", "The rooms you can see.", schema({}, {})});
    t.push_back({"waitroom_watch",
                 "Creates a webhook watcher on a room; the answer carries its signing "
                 "secret once.",
                 schema({{"room", room},
                         {"webhook_url", str("An http(s) URL receiving signed POSTs.")},
                         {"event_types",
                          {{"type", "array"},
                           {"items", {{"type", "string"}}},
                           {"description", "Room event types (none: all)."}}}},
                        {"room", "webhook_url"})});
    t.push_back({"waitroom_signal", "Signals are for humans: always a tool error.",
                 schema({{"room", room},
                         {"type", str("The signal's type.")},
                         {"payload", {{"type", "object"}}}},
                        {"room", "type"})});
    t.push_back({"waitroom_list_tasks", "Open tasks (human to agent) you could claim.",
                 schema({{"room", room},
                         {"status", enumeration<ev::checkin::checkin_status>(
                                        "Default open.", ev::checkin::is_task_status)}},
                        {})});
    t.push_back({"waitroom_claim_task", "Claims an open task.",
                 schema({{"check_in_id", checkin}}, {"check_in_id"})});
    t.push_back({"waitroom_release_task", "Releases a task you claimed.",
                 schema({{"check_in_id", checkin}}, {"check_in_id"})});
    t.push_back({"waitroom_post_message", "Posts a message to a check-in's thread.",
                 schema({{"check_in_id", checkin},
                         {"type", enumeration<ev::checkin::message_kind>(
                                      "The message's type.", ev::checkin::may_be_posted)},
                         {"content", str("The text.")}},
                        {"check_in_id", "type", "content"})});
    t.push_back({"waitroom_submit_result", "Submits a claimed task's result for review.",
                 schema({{"check_in_id", checkin}, {"content", str("The result.")}},
                        {"check_in_id", "content"})});
    // Titles, hints and answers. A check-in asked with wait_for_decision answers the
    // status object; without, the whole check-in, which has every field of it.
    auto meta = [&](std::string_view name, std::string_view title, hints h,
                    std::string_view output, bool for_agents = true) {
      for (auto& x : t)
        if (x.name == name) {
          x.title = title;
          x.annotations = h;
          x.output = output;
          x.for_agents = for_agents;
        }
    };
    meta("waitroom_check_in", "Check in with the humans of a room", {}, "CheckInStatus");
    meta("waitroom_check_status", "Status of a check-in", {.read_only = true},
         "CheckInStatus");
    meta("waitroom_withdraw", "Withdraw a check-in",
         {.destructive = true, .idempotent = true}, "CheckIn");
    meta("waitroom_list_rooms", "List rooms", {.read_only = true}, "RoomList");
    meta("waitroom_watch", "Watch a room with a webhook", {.open_world = true},
         "Watcher");
    meta("waitroom_signal", "Signal a room (people only)", {}, "", false);
    meta("waitroom_list_tasks", "List tasks", {.read_only = true}, "CheckInList");
    meta("waitroom_claim_task", "Claim a task", {}, "CheckIn");
    meta("waitroom_release_task", "Release a task", {}, "CheckIn");
    meta("waitroom_post_message", "Post to a check-in's thread", {}, "Message");
    meta("waitroom_submit_result", "Submit a task's result", {}, "CheckIn");
    return t;
  }();
  return all;
}

const tool* find_tool(std::string_view name) {
  for (const auto& t : tools())
    if (t.name == name) return &t;
  return nullptr;
}

/// What `id_arg`'s pattern says: 1-100 of `[A-Za-z0-9_-]` (safe in a path segment).
bool is_slug_or_id(std::string_view s) {
  return !s.empty() && s.size() <= 100 && std::all_of(s.begin(), s.end(), [](char ch) {
    return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '-';
  });
}

/// Checks `args` against a tool's input schema (the subset the schemas above use).
std::optional<ev::error> check_arguments(const json::object& schema,
                                         const json::object& args) {
  const auto& props = schema.at("properties").as_object();
  for (const auto& r : schema.at("required").as_array())
    if (!args.contains(r.as_string()))
      return ev::validation_error(std::string(r.as_string()), "is required");
  for (const auto& [name, value] : args) {
    const auto* p = props.if_contains(name);
    if (p == nullptr)
      return ev::validation_error(std::string(name), "is not an argument of this tool");
    const auto& s = p->as_object();
    const auto type = s.at("type").as_string();
    const std::string field(name);
    if (type == "string") {
      if (!value.is_string()) return ev::validation_error(field, "must be a string");
      const auto& text = value.get_string();
      if (const auto* e = s.if_contains("enum")) {
        bool found = false;
        for (const auto& x : e->as_array())
          found = found || x.as_string() == text;
        if (!found)
          return ev::validation_error(field, "is not one of the allowed values");
      }
      if (s.contains("pattern") && !is_slug_or_id(text))
        return ev::validation_error(field, "must be a slug or an id");
    } else if (type == "integer") {
      if (!value.is_int64() && !value.is_uint64())
        return ev::validation_error(field, "must be an integer");
      const auto n = value.to_number<std::int64_t>();
      if ((s.contains("minimum") && n < s.at("minimum").to_number<std::int64_t>()) ||
          (s.contains("maximum") && n > s.at("maximum").to_number<std::int64_t>()))
        return ev::validation_error(field, "is out of range");
    } else if (type == "boolean") {
      if (!value.is_bool()) return ev::validation_error(field, "must be true or false");
    } else if (type == "object") {
      if (!value.is_object()) return ev::validation_error(field, "must be an object");
    } else if (type == "array") {
      if (!value.is_array()) return ev::validation_error(field, "must be a list");
      for (const auto& x : value.get_array())
        if (!x.is_string())
          return ev::validation_error(field, "must be a list of strings");
    }
  }
  return std::nullopt;
}

/// A tool result from an answer of the API: the object (or the list envelope), or
/// `isError` with the error object.
/// `content` (the object as JSON text), `structuredContent` (the object) and `isError`.
json::object tool_result(const json::value& object, bool error) {
  json::object out{{"content", json::array{json::object{
                                   {"type", "text"}, {"text", json::serialize(object)}}}},
                   {"isError", error}};
  if (object.is_object()) out["structuredContent"] = object;
  return out;
}

json::object tool_result(const response& r) {
  std::error_code ec;
  auto v = json::parse(r.body, ec);
  json::value object;
  bool error = r.status >= 400;
  if (ec || !v.is_object()) {
    error = true;
    object = error_object(ev::internal_error("unreadable answer"));
  } else if (error) {
    object = v.as_object().contains("error") ? v.as_object().at("error") : v;
  } else if (v.as_object().contains("has_more")) {
    object = v; // a list: data, cursor, has_more
  } else {
    object = v.as_object().contains("data") ? v.as_object().at("data") : v;
  }
  return tool_result(object, error);
}

json::object tool_error(const ev::error& e) {
  return tool_result(error_object(e), true);
}

} // namespace

/// One MCP request being answered: what its tool calls need after `mcp` returned.
struct mcp_call {
  services* s;
  responder respond;
  std::shared_ptr<deferrer> later;
  std::string authorization;
  std::string remote_address;
};

namespace {

void mcp_message(const std::shared_ptr<mcp_call>& m, const json::value& msg,
                 std::function<void(std::optional<json::value>)> done);
void run_tool(const std::shared_ptr<mcp_call>& m, std::string_view name,
              json::object args, std::function<void(json::object)> done);
void wait_for_decision(const std::shared_ptr<mcp_call>& m, const std::string& id,
                       std::chrono::steady_clock::time_point deadline,
                       std::function<void(json::object)> done);

/// A v1 request made in-process with the MCP caller's credential: `path` decoded, and
/// its query parameters as the server would have decoded them.
struct v1_request {
  std::string method;
  std::string path;
  std::multimap<std::string, std::string> query = {};
  std::string body = {};
};

void call_in_process(const std::shared_ptr<mcp_call>& m, v1_request v1,
                     std::function<void(response)> then) {
  auto req = std::make_shared<request>();
  req->method = std::move(v1.method);
  req->path = std::move(v1.path);
  req->query = std::move(v1.query);
  req->headers["authorization"] = m->authorization;
  req->headers["content-type"] = "application/json";
  req->remote_address = m->remote_address;
  req->body = std::move(v1.body);
  m->s->handler.handle(
      *req, [req, then = std::move(then)](response r) { then(std::move(r)); }, m->later);
}

/// A batch (2025-03-26): every reply, in order; notifications have none.
template <class Reply>
void mcp_batch(const std::shared_ptr<mcp_call>& m, const json::array& batch,
               Reply reply) {
  if (batch.empty()) return reply(400, rpc_error(nullptr, -32600, "empty batch"));
  struct gather {
    std::vector<std::optional<json::value>> replies;
    std::atomic<std::size_t> left;
  };
  auto g = std::make_shared<gather>();
  g->replies.resize(batch.size());
  g->left = batch.size();
  for (std::size_t i = 0; i < batch.size(); ++i)
    mcp_message(m, batch[i], [g, i, reply](std::optional<json::value> r) {
      g->replies[i] = std::move(r);
      if (--g->left > 0) return;
      json::array out;
      for (auto& x : g->replies)
        if (x) out.push_back(std::move(*x));
      if (out.empty()) return reply(202, std::nullopt);
      reply(200, json::value(std::move(out)));
    });
}

void mcp(call& c) {
  auto m = std::make_shared<mcp_call>(mcp_call{&c.s, c.respond, c.later,
                                               std::string(c.req.header("authorization")),
                                               c.req.remote_address});
  auto reply = [respond = c.respond](int status, std::optional<json::value> body) {
    response r;
    r.status = status;
    if (body) r.body = json::serialize(*body);
    if (!body) r.content_type = "text/plain; charset=utf-8";
    respond(std::move(r));
  };
  // The MCP transport asks servers to check Origin against DNS rebinding: a browser
  // page may only call from this server's own origin, or one --cors-origin names (`*`
  // names none).
  if (auto origin = c.req.header("origin"); !origin.empty()) {
    const auto host = std::string(c.req.header("host"));
    if (origin != "http://" + host && origin != "https://" + host &&
        !c.s.cors.lists(origin))
      return c.fail(ev::forbidden("cross-origin MCP requests are refused (Origin " +
                                  std::string(origin) + ")"));
  }
  if (auto v = c.req.header("mcp-protocol-version"); !v.empty() && !supported(v))
    return reply(400, rpc_error(nullptr, -32600,
                                "unsupported MCP-Protocol-Version " + std::string(v)));
  auto doc = parse_json(c.req.body);
  if (!doc)
    return reply(400, rpc_error(nullptr, -32700, "parse error: " + doc.error().message));
  if (doc->is_array()) return mcp_batch(m, doc->as_array(), reply);
  mcp_message(m, *doc, [reply](std::optional<json::value> r) {
    if (!r) return reply(202, std::nullopt);
    reply(200, std::move(*r));
  });
}

void mcp_message(const std::shared_ptr<mcp_call>& m, const json::value& msg,
                 std::function<void(std::optional<json::value>)> done) {
  const auto* o = msg.if_object();
  if (o == nullptr || !o->contains("jsonrpc") || o->at("jsonrpc") != "2.0")
    return done(rpc_error(nullptr, -32600, "not a JSON-RPC 2.0 message"));
  const auto* method = o->if_contains("method");
  const auto* id = o->if_contains("id");
  if (method == nullptr) {
    // a response to a request of ours (we send none) or garbage
    if (id != nullptr && (o->contains("result") || o->contains("error")))
      return done(std::nullopt);
    return done(rpc_error(nullptr, -32600, "a request needs a method"));
  }
  if (!method->is_string())
    return done(rpc_error(nullptr, -32600, "method must be a string"));
  if (id == nullptr) return done(std::nullopt); // a notification: nothing to answer
  if (!id->is_string() && !id->is_int64() && !id->is_uint64())
    return done(rpc_error(nullptr, -32600, "id must be a string or an integer"));
  const json::value rid = *id;
  const auto name = method->as_string();
  const json::object no_params;
  const auto* params = o->if_contains("params");
  if (params != nullptr && !params->is_object())
    return done(rpc_error(rid, -32600, "params must be an object"));
  const auto& p = params ? params->as_object() : no_params;

  if (name == "initialize") {
    std::string version(protocol_versions.back());
    if (const auto* v = p.if_contains("protocolVersion");
        v && v->is_string() && supported(v->as_string()))
      version = std::string(v->as_string());
    return done(rpc_result(
        rid, json::object{
                 {"protocolVersion", version},
                 {"capabilities", {{"tools", {{"listChanged", false}}}}},
                 {"serverInfo", {{"name", "waitroom"}, {"version", waitroom::version}}},
                 {"instructions",
                  "Check in with the humans of a room before consequential actions "
                  "(waitroom_check_in with wait_for_decision), and work on the tasks "
                  "they post (waitroom_list_tasks, waitroom_claim_task, "
                  "waitroom_submit_result)."}}));
  }
  if (name == "ping") return done(rpc_result(rid, json::object{}));
  if (name == "tools/list") {
    // What the caller may use: MCP callers are agents, so a tool for people (signals)
    // is not listed (calling it still answers its tool error).
    static const json::array list = [] {
      json::array l;
      for (const auto& t : tools()) {
        if (!t.for_agents) continue;
        json::object o{{"name", t.name},
                       {"title", t.title},
                       {"description", t.description},
                       {"inputSchema", t.input},
                       {"annotations", annotations_of(t)}};
        if (!t.output.empty()) o["outputSchema"] = output_schema(t.output);
        l.push_back(std::move(o));
      }
      return l;
    }();
    return done(rpc_result(rid, json::object{{"tools", list}}));
  }
  if (name != "tools/call")
    return done(rpc_error(rid, -32601, "method not found: " + std::string(name)));

  const auto* tool_name = p.if_contains("name");
  if (tool_name == nullptr || !tool_name->is_string())
    return done(rpc_error(rid, -32600, "tools/call needs the tool's name"));
  const auto* t = find_tool(tool_name->as_string());
  if (t == nullptr)
    return done(
        rpc_error(rid, -32602, "unknown tool: " + std::string(tool_name->as_string())));
  json::object args;
  if (const auto* a = p.if_contains("arguments"); a && !a->is_null()) {
    if (!a->is_object())
      return done(rpc_result(
          rid, tool_error(ev::validation_error("arguments", "must be an object"))));
    // null means absent, as in every request body (API.md)
    for (const auto& [k, v] : a->as_object())
      if (!v.is_null()) args.emplace(k, v);
  }
  if (auto bad = check_arguments(t->input, args))
    return done(rpc_result(rid, tool_error(*bad)));
  run_tool(m, t->name, std::move(args), [rid, done](json::object result) {
    done(rpc_result(rid, std::move(result)));
  });
}

void run_tool(const std::shared_ptr<mcp_call>& m, std::string_view name,
              json::object args, std::function<void(json::object)> done) {
  auto arg = [&](std::string_view k) { return std::string(args.at(k).as_string()); };
  auto simple = [&](v1_request r) {
    call_in_process(m, std::move(r), [done](response r) { done(tool_result(r)); });
  };
  auto with_body = [](const json::object& body) { return json::serialize(body); };
  if (name == "waitroom_check_status")
    return simple({"GET", "/v1/check-ins/" + arg("check_in_id") + "/status"});
  if (name == "waitroom_withdraw")
    return simple({"POST", "/v1/check-ins/" + arg("check_in_id") + "/withdraw"});
  if (name == "waitroom_list_rooms")
    return simple({"GET", "/v1/rooms", {{"limit", "500"}}});
  if (name == "waitroom_claim_task")
    return simple({"POST", "/v1/check-ins/" + arg("check_in_id") + "/claim"});
  if (name == "waitroom_release_task")
    return simple({"POST", "/v1/check-ins/" + arg("check_in_id") + "/release"});
  if (name == "waitroom_post_message")
    return simple(
        {"POST",
         "/v1/check-ins/" + arg("check_in_id") + "/messages",
         {},
         with_body({{"type", args.at("type")}, {"content", args.at("content")}})});
  if (name == "waitroom_submit_result")
    return simple({"POST",
                   "/v1/check-ins/" + arg("check_in_id") + "/submit",
                   {},
                   with_body({{"content", args.at("content")}})});
  if (name == "waitroom_signal") // API.md: signals are for humans
    return done(tool_error(
        ev::forbidden("signals are for humans: post a message on a check-in instead")));
  if (name == "waitroom_watch") {
    json::object body{{"webhook_url", args.at("webhook_url")}};
    if (args.contains("event_types")) body["event_types"] = args.at("event_types");
    return simple({"POST", "/v1/rooms/" + arg("room") + "/watch", {}, with_body(body)});
  }
  if (name == "waitroom_list_tasks") {
    v1_request list{"GET",
                    "/v1/check-ins",
                    {{"direction", "human_to_agent"},
                     {"limit", "100"},
                     {"status", args.contains("status") ? arg("status") : "open"}}};
    if (args.contains("room")) list.query.emplace("room", arg("room"));
    return simple(std::move(list));
  }
  // waitroom_check_in
  const bool wait =
      args.contains("wait_for_decision") && args.at("wait_for_decision").as_bool();
  const auto max_wait_s = args.contains("max_wait_seconds")
                              ? args.at("max_wait_seconds").to_number<std::int64_t>()
                              : default_max_wait_s;
  const auto room = arg("room");
  for (auto k : {"room", "wait_for_decision", "max_wait_seconds"})
    args.erase(k);
  call_in_process(m,
                  {"POST", "/v1/rooms/" + room + "/check-in", {}, json::serialize(args)},
                  [m, wait, max_wait_s, done](response r) {
                    if (!wait || r.status >= 400) return done(tool_result(r));
                    std::error_code ec;
                    auto v = json::parse(r.body, ec);
                    if (ec || !v.is_object() || !v.as_object().contains("data"))
                      return done(tool_result(r));
                    const auto id = std::string(v.at("data").at("id").as_string());
                    const auto deadline = std::chrono::steady_clock::now() +
                                          std::chrono::seconds(max_wait_s);
                    wait_for_decision(m, id, deadline, done);
                  });
}

void wait_for_decision(const std::shared_ptr<mcp_call>& m, const std::string& id,
                       std::chrono::steady_clock::time_point deadline,
                       std::function<void(json::object)> done) {
  using namespace std::chrono;
  const auto left = duration_cast<milliseconds>(deadline - steady_clock::now()).count();
  const auto wait_ms = std::clamp<std::int64_t>(left, 0, 60000);
  call_in_process(
      m,
      {"GET", "/v1/check-ins/" + id + "/status", {{"wait_ms", std::to_string(wait_ms)}}},
      [m, id, deadline, done](response r) {
        if (r.status >= 400) return done(tool_result(r));
        std::error_code ec;
        auto v = json::parse(r.body, ec);
        const auto* status =
            !ec && v.is_object() ? v.as_object().if_contains("data") : nullptr;
        const bool still =
            status && status->is_object() && status->as_object().contains("status") &&
            ev::checkin::is_waiting_status(status->at("status").as_string());
        // decided, out of time, or the server is draining (SIGTERM): answer
        // now
        if (!still || std::chrono::steady_clock::now() >= deadline || !m->s->ready)
          return done(tool_result(r));
        wait_for_decision(m, id, deadline, done);
      });
}

} // namespace

void add_mcp_routes(route_table& t) {
  t.add("POST", "/mcp", guard::claimed_agent, mcp);
}

} // namespace waitroom::http
