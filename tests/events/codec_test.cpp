// The event codec: the on-disk format. Every event type round-trips; bad records are
// errors, never crashes.

#include "events/codec.hpp"
#include "given_when_then.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace waitroom::events {
namespace {

using namespace waitroom::events::testing;
namespace json = boost::json;

const timestamp t0 = at("2026-11-24T10:00:00.123Z");

room::policy a_policy() {
  auto p = room::parse_policy(json::parse(R"({
    "rules": [
      {"id": "no-prod-friday", "effect": "forbid",
       "when": {"action": "deploy * production", "risk_level": ["high", "critical"],
                "urgency": ["urgent"], "agent": ["ag_builder001"]}},
      {"id": "docs", "effect": "auto_approve",
       "when": {"action_regex": "^update docs", "metadata": {"env": "staging", "n": 1.5}}}],
    "trust_thresholds": {"low": 25, "medium": 50.5, "high": null, "critical": null},
    "default_action": "forbid"})"));
  return std::move(*p);
}

recorded_event enveloped(event_data data, std::string stream, std::uint64_t seq,
                         std::uint32_t version, actor_ref actor) {
  auto e =
      make_event(std::move(stream), "org_acme000001", "rm_deploy0001", std::move(actor),
                 t0 + static_cast<duration_ms>(seq), std::move(data));
  e.meta.seq = seq;
  e.meta.version = version;
  return e;
}

/// One event of every type, with optional fields both set and unset.
std::vector<recorded_event> every_event() {
  using namespace checkin;
  std::vector<recorded_event> out;
  out.push_back(enveloped(org::created{"org_acme000001", "Acme \xE2\x80\x94 Inc."},
                          "org_acme000001", 1, 1, actor_ref::system()));
  out.push_back(enveloped(user::created{"us_owner00001", "org_acme000001", "Olivia",
                                        "olivia@example.com", user::user_role::owner,
                                        std::string(64, 'a'), true},
                          "us_owner00001", 2, 1, actor_ref::system()));
  out.push_back(enveloped(agent::registered{"ag_builder001", "", "builder", "d", "p",
                                            std::string(64, 'b'), "wr_abcdefghi",
                                            agent::agent_status::pending_claim},
                          "ag_builder001", 3, 1, actor_ref::system()));
  room::created rc;
  rc.id = "rm_deploy0001";
  rc.org_id = "org_acme000001";
  rc.slug = "deployments";
  rc.name = "Deployments";
  rc.description = "Where deploys wait";
  rc.settings.default_timeout_action = timeout_behavior::hold;
  rc.settings.default_required_approvals = 2;
  rc.policy = a_policy();
  out.push_back(enveloped(rc, "rm_deploy0001", 4, 1, actor_ref::user("us_owner00001")));
  out.push_back(enveloped(room::policy_updated{room::policy{}}, "rm_deploy0001", 5, 2,
                          actor_ref::user("us_owner00001")));

  created pending;
  pending.id = "ci_a1b2c3d4e5";
  pending.room_id = "rm_deploy0001";
  pending.org_id = "org_acme000001";
  pending.action = "deploy v2.3.1 to production \xF0\x9F\x9A\x80";
  pending.reason = "line\nbreak \"quoted\"";
  pending.risk_level = risk::critical;
  pending.urgency = urgency_level::urgent;
  pending.metadata =
      json::parse(R"({"version": "2.3.1", "n": 1.0, "big": 18446744073709551615,
                                     "neg": -3, "nested": {"a": [true, null]}})")
          .as_object();
  pending.agent_id = "ag_builder001";
  pending.created_by = actor_ref::agent("ag_builder001");
  pending.timeout_ms = 3'600'000;
  pending.timeout_action = timeout_behavior::auto_approve;
  pending.required_approvals = 3;
  pending.warn_before_ms = 300'000;
  pending.expires_at = t0 + 3'600'000;
  out.push_back(
      enveloped(pending, "ci_a1b2c3d4e5", 6, 1, actor_ref::agent("ag_builder001")));

  created forbidden = pending;
  forbidden.id = "ci_forbidden1";
  forbidden.expires_at.reset();
  forbidden.status = checkin_status::rejected;
  forbidden.decision = decision_record{
      resolution::rejected, actor_ref::policy(), t0, {}, "no-prod-friday", {}};
  out.push_back(
      enveloped(forbidden, "ci_forbidden1", 7, 1, actor_ref::agent("ag_builder001")));

  created trusted = pending;
  trusted.id = "ci_trusted001";
  trusted.expires_at.reset();
  trusted.status = checkin_status::approved;
  trusted.decision = decision_record{
      resolution::approved, actor_ref::policy(), t0, "default_action", {}, 73.4};
  out.push_back(
      enveloped(trusted, "ci_trusted001", 8, 1, actor_ref::agent("ag_builder001")));

  out.push_back(
      enveloped(approval_recorded{actor_ref::user("us_alice00001"), resolution::modified,
                                  json::object{{"replicas", 2}}, "careful"},
                "ci_a1b2c3d4e5", 9, 2, actor_ref::user("us_alice00001")));
  out.push_back(
      enveloped(approval_recorded{actor_ref::user("us_bob0000001"), resolution::approved,
                                  std::nullopt, std::nullopt},
                "ci_a1b2c3d4e5", 10, 3, actor_ref::user("us_bob0000001")));

  std::uint64_t seq = 11;
  for (auto r : {resolution::approved, resolution::rejected, resolution::modified,
                 resolution::expired, resolution::withdrawn}) {
    resolved ev;
    ev.decision =
        decision_record{r, actor_ref::user("us_alice00001"), t0 + 5, "why", {}, {}};
    if (r == resolution::modified)
      ev.modifications = json::object{{"replicas", 2}, {"region", "eu"}};
    if (r == resolution::expired) ev.decision.by = actor_ref::timeout();
    out.push_back(enveloped(ev, "ci_a1b2c3d4e5", seq, 4, ev.decision.by));
    ++seq;
  }

  out.push_back(enveloped(extended{1'800'000, t0 + 5'400'000}, "ci_a1b2c3d4e5", 16, 5,
                          actor_ref::user("us_alice00001")));
  out.push_back(
      enveloped(expiring{t0 + 5'400'000}, "ci_a1b2c3d4e5", 17, 6, actor_ref::timeout()));
  message_posted m;
  m.id = "msg_0000000001";
  m.type = message_kind::decision;
  m.author = actor_ref::user("us_alice00001");
  m.content = "Approved.";
  m.metadata = json::object{{"outcome", "approved"}, {"approvals", 1}};
  m.attachments = json::array{json::object{{"name", "log.txt"}, {"url", "https://x/y"}}};
  out.push_back(enveloped(m, "ci_a1b2c3d4e5", 18, 7, actor_ref::user("us_alice00001")));

  // Identity lifecycles.
  auto owner = actor_ref::user("us_owner00001");
  out.push_back(enveloped(user::token_rotated{std::string(64, 'c')}, "us_owner00001", 19,
                          2, owner));
  out.push_back(
      enveloped(user::deactivated{"us_owner00001"}, "us_owner00001", 20, 3, owner));
  out.push_back(enveloped(agent::self_registered{"ag_selfreg001", "scout", "", "cli",
                                                 std::string(64, 'd'), "wr_selfregis",
                                                 std::string(64, 'e')},
                          "ag_selfreg001", 21, 1, actor_ref::agent("ag_selfreg001")));
  out.push_back(
      enveloped(agent::claimed{"org_acme000001"}, "ag_selfreg001", 22, 2, owner));
  out.push_back(enveloped(agent::key_rotated{std::string(64, 'f'), "wr_rotatedxx"},
                          "ag_selfreg001", 23, 3, owner));
  out.push_back(
      enveloped(agent::deactivated{"ag_selfreg001"}, "ag_selfreg001", 24, 4, owner));

  // Rooms: settings and members.
  room::room_settings settings;
  settings.default_timeout_ms = 60'000;
  out.push_back(
      enveloped(room::updated{"Deploys", "", settings}, "rm_deploy0001", 25, 3, owner));
  out.push_back(enveloped(
      room::member_set{"ag_builder001", actor_kind::agent, room::member_role::agent},
      "rm_deploy0001", 26, 4, owner));
  out.push_back(
      enveloped(room::member_removed{"ag_builder001"}, "rm_deploy0001", 27, 5, owner));

  // Tasks.
  auto agent = actor_ref::agent("ag_builder001");
  out.push_back(enveloped(claimed{"ag_builder001"}, "ci_task000001", 28, 2, agent));
  out.push_back(enveloped(released{"ag_builder001"}, "ci_task000001", 29, 3, agent));
  out.push_back(enveloped(help_requested{"ag_builder001", "stuck on tests"},
                          "ci_task000001", 30, 4, agent));
  out.push_back(enveloped(helper_joined{"ag_helper0001"}, "ci_task000001", 31, 5,
                          actor_ref::agent("ag_helper0001")));
  out.push_back(enveloped(submitted{"ag_builder001", "msg_0000000002"}, "ci_task000001",
                          32, 6, agent));

  // Watchers and signals.
  out.push_back(enveloped(watcher::created{"w_hook000001",
                                           "rm_deploy0001",
                                           "https://hooks.example.com/w?x=1",
                                           {"checkin.created", "checkin.approved"},
                                           json::object{{"risk_level", "high"}},
                                           "00ff",
                                           owner},
                          "w_hook000001", 33, 1, owner));
  out.push_back(enveloped(watcher::disabled{"w_hook000001", 20}, "w_hook000001", 34, 2,
                          actor_ref::system()));
  out.push_back(
      enveloped(watcher::deleted{"w_hook000001"}, "w_hook000001", 35, 3, owner));
  out.push_back(enveloped(signal::broadcast{"sig_0000000001", "rm_deploy0001", "freeze",
                                            json::object{{"until", "friday"}}},
                          "sig_0000000001", 36, 1, owner));

  // The log's own events.
  out.push_back(enveloped(log::quarantined{18, "checkin.message", "ci_a1b2c3d4e5", 7,
                                           "malformed checkin.message data",
                                           std::string(64, 'f'), "written by 0.9"},
                          "log", 37, 1, actor_ref::system()));
  return out;
}

TEST(Codec, EveryEventTypeRoundTrips) {
  std::vector<std::string> seen_types;
  for (const auto& original : every_event()) {
    auto type = std::string(event_type(original.data));
    SCOPED_TRACE(type + " #" + std::to_string(original.meta.seq));
    seen_types.push_back(type);
    auto text = encode(original);
    auto decoded = decode(text);
    ASSERT_TRUE(decoded.ok()) << describe(decoded.error()) << "\n" << text;
    EXPECT_EQ(decoded->data.index(), original.data.index());
    EXPECT_EQ(event_type(decoded->data), type);
    EXPECT_EQ(data_to_json(decoded->data), data_to_json(original.data));
    EXPECT_EQ(decoded->meta.seq, original.meta.seq);
    EXPECT_EQ(decoded->meta.stream, original.meta.stream);
    EXPECT_EQ(decoded->meta.version, original.meta.version);
    EXPECT_EQ(decoded->meta.at, original.meta.at);
    EXPECT_EQ(decoded->meta.actor, original.meta.actor);
    EXPECT_EQ(decoded->meta.org_id, original.meta.org_id);
    EXPECT_EQ(decoded->meta.room_id, original.meta.room_id);
    EXPECT_EQ(encode(*decoded), text)
        << "re-encoding must give the same bytes (hash chain)";
    auto checked = encode_checked(original);
    ASSERT_TRUE(checked.ok()) << describe(checked.error());
    EXPECT_EQ(checked->bytes, text);
    EXPECT_EQ(encode(checked->event), text);
  }
  // The list above covers every wire type.
  std::vector<std::string> all{"org.created",
                               "user.created",
                               "agent.registered",
                               "room.created",
                               "room.policy_updated",
                               "checkin.created",
                               "checkin.approval_recorded",
                               "checkin.approved",
                               "checkin.rejected",
                               "checkin.modified",
                               "checkin.expired",
                               "checkin.withdrawn",
                               "checkin.extended",
                               "checkin.expiring",
                               "checkin.message",
                               "user.token_rotated",
                               "user.deactivated",
                               "agent.self_registered",
                               "agent.claimed",
                               "agent.key_rotated",
                               "agent.deactivated",
                               "room.updated",
                               "room.member_set",
                               "room.member_removed",
                               "checkin.claimed",
                               "checkin.released",
                               "checkin.help_requested",
                               "checkin.helper_joined",
                               "checkin.submitted",
                               "watcher.created",
                               "watcher.disabled",
                               "watcher.deleted",
                               "signal.broadcast",
                               "log.quarantined"};
  for (const auto& t : all)
    EXPECT_NE(std::find(seen_types.begin(), seen_types.end(), t), seen_types.end()) << t;
  EXPECT_EQ(std::variant_size_v<event_data>, 30u)
      << "a new event type needs a codec test";
}

TEST(Codec, DecodedPolicyStillEvaluates) {
  auto events = every_event();
  auto decoded = decode(encode(events[3]));
  ASSERT_TRUE(decoded.ok());
  const auto& p = std::get<room::created>(decoded->data).policy;
  ASSERT_EQ(p.rules.size(), 2u);
  ASSERT_NE(p.rules[1].when.compiled, nullptr);
  json::object meta{{"env", "staging"}, {"n", 1.5}};
  room::policy_input in{"update docs for v2",
                        checkin::risk::low,
                        checkin::urgency_level::normal,
                        "ag_x",
                        &meta,
                        0};
  auto v = room::evaluate(p, in);
  EXPECT_EQ(v.status, checkin::checkin_status::approved);
  EXPECT_EQ(v.rule_id, "docs");
}

TEST(Codec, EncodesTheDocumentedEnvelope) {
  auto e = every_event()[10]; // checkin.approved
  auto v = json::parse(encode(e)).as_object();
  EXPECT_EQ(v.at("seq"), 11);
  EXPECT_EQ(v.at("type"), "checkin.approved");
  EXPECT_EQ(v.at("v"), schema_version);
  EXPECT_EQ(v.at("stream"), "ci_a1b2c3d4e5");
  EXPECT_EQ(v.at("version"), 4);
  EXPECT_EQ(v.at("at"), "2026-11-24T10:00:00.134Z");
  EXPECT_EQ(v.at("actor"), json::parse(R"({"kind": "user", "id": "us_alice00001"})"));
  EXPECT_EQ(v.at("org_id"), "org_acme000001");
  EXPECT_EQ(v.at("room_id"), "rm_deploy0001");
  EXPECT_EQ(v.at("data").at("decision").at("outcome"), "approved");
  EXPECT_TRUE(v.at("data").at("modifications").is_null());
  auto env = envelope_to_json(e.meta, "checkin.approved");
  env["data"] = data_to_json(e.data);
  EXPECT_EQ(json::value(env), json::value(v));
}

TEST(Codec, SystemActorsHaveNoId) {
  auto e = every_event()[0];
  auto v = json::parse(encode(e));
  EXPECT_EQ(v.at("actor"), json::parse(R"({"kind": "system"})"));
}

TEST(Codec, WritesCompactJson) {
  auto text = encode(every_event()[5]);
  EXPECT_EQ(text, json::serialize(json::parse(text)));
  EXPECT_EQ(text.find('\n'), std::string::npos);
}

/// `encode(e)` with one envelope key replaced (or removed when `v` is absent).
std::string with(std::string_view key, std::optional<json::value> v) {
  auto o = json::parse(encode(every_event()[10])).as_object();
  if (v)
    o[key] = *v;
  else
    o.erase(key);
  return json::serialize(o);
}

TEST(Codec, RejectsUnknownEventTypes) {
  auto out = decode(with("type", json::value("checkin.teleported")));
  EXPECT_TRUE(fails_with(out, errc::internal));
}

TEST(Codec, RejectsMalformedInput) {
  for (std::string text : {"", "not json", "[]", "42", "null", "{}", "{\"seq\":1}",
                           "{\"seq\":", R"({"seq":1,"type":"org.created"})"}) {
    SCOPED_TRACE(text);
    EXPECT_TRUE(fails_with(decode(text), errc::internal));
  }
}

TEST(Codec, RejectsMissingOrMistypedEnvelopeFields) {
  for (auto key : {"seq", "type", "v", "stream", "version", "at", "actor", "org_id",
                   "room_id", "data"}) {
    SCOPED_TRACE(key);
    EXPECT_TRUE(fails_with(decode(with(key, std::nullopt)), errc::internal));
  }
  EXPECT_TRUE(fails_with(decode(with("seq", json::value("eleven"))), errc::internal));
  EXPECT_TRUE(fails_with(decode(with("seq", json::value(-1))), errc::internal));
  EXPECT_TRUE(fails_with(decode(with("at", json::value("yesterday"))), errc::internal));
  EXPECT_TRUE(fails_with(decode(with("at", json::value("2026-02-30T10:00:00.000Z"))),
                         errc::internal));
  EXPECT_TRUE(fails_with(decode(with("actor", json::parse(R"({"kind": "robot"})"))),
                         errc::internal));
  EXPECT_TRUE(
      fails_with(decode(with("actor", json::value("us_alice00001"))), errc::internal));
}

TEST(Codec, RejectsUnsupportedSchemaVersions) {
  EXPECT_TRUE(fails_with(decode(with("v", json::value(2))), errc::internal));
  EXPECT_TRUE(fails_with(decode(with("v", json::value(0))), errc::internal));
}

TEST(Codec, RejectsMalformedData) {
  EXPECT_TRUE(fails_with(decode(with("data", json::value(nullptr))), errc::internal));
  EXPECT_TRUE(fails_with(decode(with("data", json::parse("{}"))), errc::internal));
  EXPECT_TRUE(fails_with(decode(with("data", json::parse("[1,2]"))), errc::internal));
  auto data = json::parse(encode(every_event()[10])).at("data").as_object();
  data["decision"].as_object()["outcome"] = "maybe";
  EXPECT_TRUE(fails_with(decode(with("data", json::value(data))), errc::internal));
  data = json::parse(encode(every_event()[10])).at("data").as_object();
  data["surprise"] = 1;
  EXPECT_TRUE(fails_with(decode(with("data", json::value(data))), errc::internal));
}

TEST(Codec, ARepeatedKeyNeverStandsInForAMissingOne) {
  // every event type: repeat the first field of `data` under the name of its second
  for (const auto& e : every_event()) {
    auto text = encode(e);
    const auto data = text.find("\"data\":{");
    ASSERT_NE(data, std::string::npos);
    const auto first = data + 8;
    const auto first_end = text.find('"', first + 1);
    const auto first_key = text.substr(first, first_end - first + 1);
    const auto second = text.find(",\"", first_end);
    if (second == std::string::npos) continue; // one field only
    const auto second_end = text.find('"', second + 2);
    const auto second_key = text.substr(second + 1, second_end - second);
    SCOPED_TRACE(text);
    auto tampered = text;
    tampered.replace(second + 1, second_key.size(), first_key);
    EXPECT_TRUE(fails_with(decode(tampered), errc::internal)) << tampered;
  }
  // and the actor: a second "kind"
  auto text = encode(every_event()[0]);
  const auto actor = text.find("\"actor\":{");
  ASSERT_NE(actor, std::string::npos);
  text.insert(actor + 9, "\"kind\":\"user\",");
  EXPECT_TRUE(fails_with(decode(text), errc::internal)) << text;
}

TEST(Codec, RejectsAResolutionWhoseOutcomeContradictsTheType) {
  auto out = decode(with("type", json::value("checkin.rejected"))); // data says approved
  EXPECT_TRUE(fails_with(out, errc::internal));
}

TEST(Codec, RejectsAnInvalidPolicyInsideAnEvent) {
  auto o = json::parse(encode(every_event()[4])).as_object(); // room.policy_updated
  o["data"] = json::parse(R"({"policy": {"rules": [{"id": "r", "effect": "forbid",
                                                    "when": {"action_regex": "("}}]}})");
  EXPECT_TRUE(fails_with(decode(json::serialize(o)), errc::internal));
}

TEST(Codec, RefusesToEncodeAnEventItCannotReadBack) {
  // An enum that holds no enumerator (what a missing request field once left in a
  // command) is written as something `decode` refuses: it must never reach the log.
  auto e = every_event()[17]; // checkin.message
  std::get<checkin::message_posted>(e.data).type = static_cast<checkin::message_kind>(99);
  auto out = encode_checked(e);
  ASSERT_TRUE(fails_with(out, errc::internal));
  EXPECT_NE(out.error().message.find("checkin.message"), std::string::npos)
      << out.error().message;
  EXPECT_FALSE(decode(encode(e)).ok()) << "the plain encoder writes it regardless";

  auto actor = every_event()[0];
  actor.meta.actor.kind = static_cast<actor_kind>(42);
  EXPECT_TRUE(fails_with(encode_checked(actor), errc::internal));
}

TEST(Codec, RefusesToEncodeInvalidUtf8) {
  auto e = every_event()[17];
  std::get<checkin::message_posted>(e.data).content = "caf\xC3";
  EXPECT_TRUE(fails_with(encode_checked(e), errc::internal));
  auto lone = every_event()[0];
  std::get<org::created>(lone.data).name = "\xED\xA0\x80"; // a UTF-8 encoded surrogate
  EXPECT_TRUE(fails_with(encode_checked(lone), errc::internal));
}

TEST(Codec, PeeksAtTheEnvelopeOfAnUndecodableEvent) {
  auto e = every_event()[17];
  std::get<checkin::message_posted>(e.data).type = static_cast<checkin::message_kind>(99);
  auto fields = peek_envelope(encode(e));
  EXPECT_EQ(fields.seq, 18u);
  EXPECT_EQ(fields.type, "checkin.message");
  EXPECT_EQ(fields.stream, "ci_a1b2c3d4e5");
  EXPECT_EQ(fields.version, 7u);
  EXPECT_EQ(fields.at, e.meta.at);
  EXPECT_EQ(fields.org_id, "org_acme000001");
  EXPECT_EQ(fields.room_id, "rm_deploy0001");
  auto nothing = peek_envelope("\x00\xff not json");
  EXPECT_FALSE(nothing.seq.has_value());
  EXPECT_TRUE(nothing.type.empty());
}

TEST(Codec, NamesEveryResolutionType) {
  using checkin::resolution;
  EXPECT_EQ(checkin::resolved_wire_type(resolution::approved), "checkin.approved");
  EXPECT_EQ(checkin::resolved_wire_type(resolution::rejected), "checkin.rejected");
  EXPECT_EQ(checkin::resolved_wire_type(resolution::modified), "checkin.modified");
  EXPECT_EQ(checkin::resolved_wire_type(resolution::expired), "checkin.expired");
  EXPECT_EQ(checkin::resolved_wire_type(resolution::withdrawn), "checkin.withdrawn");
}

TEST(Codec, EveryErrorCodeHasItsOwnName) {
  std::set<std::string_view> names;
  for (auto c : all_error_codes)
    EXPECT_TRUE(names.insert(error_code_name(c)).second) << error_code_name(c);
  EXPECT_EQ(error_code_name(errc::conflict), "CONFLICT");
  EXPECT_EQ(error_code_name(errc::aborted), "ABORTED");
}

TEST(Codec, OnlyAPolicyForbidsRefusalWasRecorded) {
  for (auto c : all_error_codes)
    EXPECT_EQ(refusal_was_recorded(c), c == errc::policy_forbids) << error_code_name(c);
}

} // namespace
} // namespace waitroom::events
