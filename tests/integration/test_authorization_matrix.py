"""The authorization matrix: every route of the server x every kind of caller -> the
status API.md prescribes.

The rows are written out by hand (an auditor reads them as a table); the set of routes
comes from the server itself: `/v1/openapi.json` is checked against the router's route
table by tests/http/openapi_test.cpp, so a route added to the router without a row here
fails this test, and so does a row for a route that no longer exists.

Each cell runs against fresh resources of organization A (a new check-in, task, user,
agent, room, ... made by its fixture), so one caller's success never changes what the
next caller sees. Organization B's owner and agent stand for "another tenant": A's
resources are 404 to them, never 403 and never data.
"""
import http.client
import unittest

from fixtures import create_org, create_user, new_checkin, new_task, register_agent, \
    self_register, unique
from harness import OWNER_TOKEN, Response, ServerTest, wait_until

# Column order of every row.
CALLERS = ("anonymous", "viewer", "member", "admin", "owner", "instance_admin",
           "unclaimed_agent", "agent", "deactivated_agent", "other_org_human",
           "other_org_agent")


class Ctx:
    """What a fixture may use: the server, the callers' credentials and ids."""

    def __init__(self, server, tokens, ids):
        self.server = server
        self.tokens = tokens
        self.ids = ids
        # A's room by id: organization B has a room with the slug `general` of its own
        self.general = server.get("/v1/rooms/general").data["id"]

    def post(self, path, body=None, token=OWNER_TOKEN):
        r = self.server.post(path, body, token=token)
        assert r.status in (200, 201, 202), (path, r)
        return r.data

    def agent_key(self):
        return self.tokens["agent"]

    def checkin(self):
        """A pending check-in created by another agent of A (not the `agent` column)."""
        return new_checkin(self.server, self.tokens["_other_agent"])["id"]

    def own_checkin(self):
        """A pending check-in created by the `agent` column's agent."""
        return new_checkin(self.server, self.agent_key())["id"]

    def task(self):
        return new_task(self.server)["id"]

    def claimed_task(self, key=None):
        tid = self.task()
        self.post(f"/v1/check-ins/{tid}/claim", token=key or self.agent_key())
        return tid

    def room(self):
        slug = unique("matrix-room-")
        self.post("/v1/rooms", {"name": slug, "slug": slug})
        return slug

    def member_user(self):
        return create_user(self.server, "member")[1]

    def fresh_agent(self):
        return register_agent(self.server)[1]


# Row: (method, path, statuses in CALLERS order, fixture -> (path params, body)).
# A body of STREAM marks a streaming answer: only its status and head are read.
STREAM = object()
# A body of UPGRADE marks a WebSocket: the opening handshake is sent; 101 is success.
UPGRADE = object()
def no_fixture(ctx):
    return {}, None


def row(method, path, statuses, fixture=no_fixture):
    cells = statuses.split()
    assert len(cells) == len(CALLERS), (method, path)
    return (method, path), (tuple(int(c) for c in cells), fixture)


def checkin_fx(body=None):
    return lambda ctx: ({"id": ctx.checkin()}, body)


def own_checkin_fx(body=None):
    return lambda ctx: ({"id": ctx.own_checkin()}, body)


def in_review_task(ctx):
    tid = ctx.claimed_task(ctx.tokens["_other_agent"])
    ctx.post(f"/v1/check-ins/{tid}/submit", {"content": "done"}, token=ctx.tokens["_other_agent"])
    return tid


def watcher_by_another_member(ctx):
    w = ctx.post("/v1/rooms/general/watch", {"webhook_url": "http://127.0.0.1:9/hook"},
                 token=ctx.tokens["_other_member"])
    return {"id": w["id"]}, None


def delivery_of_another_members_watcher(ctx):
    """A watcher of another member with one delivery attempt (to a closed port)."""
    w = ctx.post("/v1/rooms/general/watch", {"webhook_url": "http://127.0.0.1:9/hook",
                                             "event_types": ["signal.broadcast"]},
                 token=ctx.tokens["_other_member"])
    ctx.post("/v1/rooms/general/signal", {"type": "matrix"})
    rows = []
    assert wait_until(lambda: rows.extend(
        ctx.server.get(f"/v1/watchers/{w['id']}/deliveries").data) or rows, timeout=5)
    return {"id": w["id"], "delivery_id": rows[0]["delivery_id"]}, {}


# A well-formed browser subscription (this server has no VAPID keys: 503 for people).
PUSH_SUBSCRIPTION = {
    "endpoint": "https://push.example.com/send/abc",
    "keys": {"p256dh": "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4",
             "auth": "BTBZMqHH6r4Tts7J_aSIgg"}}


def room_with_member(ctx):
    slug = ctx.room()
    pid = ctx.fresh_agent()
    ctx.server.put(f"/v1/rooms/{slug}/members/{pid}", {"role": "agent"})
    return {"room": slug, "principal_id": pid}, None


#                                                         anon view memb admn ownr inst uncl agnt deac xhum xagt
ROWS = dict([
    row("GET", "/",                                       "200 200 200 200 200 200 200 200 200 200 200"),
    row("GET", "/dashboard/:file",                        "200 200 200 200 200 200 200 200 200 200 200",
        lambda ctx: ({"file": "main.js"}, None)),
    row("GET", "/healthz",                                "200 200 200 200 200 200 200 200 200 200 200"),
    row("GET", "/readyz",                                 "200 200 200 200 200 200 200 200 200 200 200"),
    row("GET", "/metrics",                                "200 200 200 200 200 200 200 200 200 200 200"),
    row("GET", "/v1/openapi.json",                        "200 200 200 200 200 200 200 200 200 200 200"),
    row("GET", "/v1/me",                                  "401 200 200 200 200 200 200 200 401 200 200"),
    row("POST", "/v1/orgs",                               "401 403 403 403 403 201 403 403 401 403 403",
        lambda ctx: ({}, {"name": unique("org"), "owner": {"name": "o", "email": "o@x.test"}})),
    row("POST", "/v1/users",                              "401 403 403 201 201 201 403 403 401 201 403",
        lambda ctx: ({}, {"name": unique("u"), "email": unique("u") + "@x.test",
                          "role": "member"})),
    row("GET", "/v1/users",                               "401 200 200 200 200 200 403 403 401 200 403"),
    row("POST", "/v1/users/:id/rotate-token",             "401 403 403 200 200 200 403 403 401 404 403",
        lambda ctx: ({"id": ctx.member_user()}, None)),
    row("DELETE", "/v1/users/:id",                        "401 403 403 200 200 200 403 403 401 404 403",
        lambda ctx: ({"id": ctx.member_user()}, None)),
    row("POST", "/v1/agents/register",                    "401 403 201 201 201 201 403 403 401 201 403",
        lambda ctx: ({}, {"name": unique("a")})),
    row("POST", "/v1/agents/self-register",               "201 201 201 201 201 201 201 201 201 201 201",
        lambda ctx: ({}, {"name": unique("s")})),
    row("POST", "/v1/agents/claim",                       "401 403 200 200 200 200 403 403 401 200 403",
        lambda ctx: ({}, {"claim_token": self_register(ctx.server)["claim_token"]})),
    row("GET", "/v1/agents",                              "401 200 200 200 200 200 403 403 401 200 403"),
    row("GET", "/v1/agents/:id",                          "401 200 200 200 200 200 403 403 401 404 403",
        lambda ctx: ({"id": ctx.fresh_agent()}, None)),
    row("POST", "/v1/agents/:id/rotate-key",              "401 403 403 200 200 200 403 403 401 404 403",
        lambda ctx: ({"id": ctx.fresh_agent()}, None)),
    row("POST", "/v1/agents/:id/deactivate",              "401 403 403 200 200 200 403 403 401 404 403",
        lambda ctx: ({"id": ctx.fresh_agent()}, None)),
    row("GET", "/v1/agents/:id/trust",                    "401 200 200 200 200 200 403 403 401 404 404",
        lambda ctx: ({"id": ctx.fresh_agent()}, None)),
    row("GET", "/v1/rooms",                               "401 200 200 200 200 200 403 200 401 200 200"),
    row("POST", "/v1/rooms",                              "401 403 403 201 201 201 403 403 401 201 403",
        lambda ctx: ({}, {"name": "r", "slug": unique("mr-")})),
    row("GET", "/v1/rooms/:room",                         "401 200 200 200 200 200 403 200 401 404 404",
        lambda ctx: ({"room": ctx.general}, None)),
    row("PATCH", "/v1/rooms/:room",                       "401 403 403 200 200 200 403 403 401 404 403",
        lambda ctx: ({"room": ctx.room()}, {"description": "patched"})),
    row("GET", "/v1/rooms/:room/policy",                  "401 200 200 200 200 200 403 200 401 404 404",
        lambda ctx: ({"room": ctx.general}, None)),
    row("PUT", "/v1/rooms/:room/policy",                  "401 403 403 200 200 200 403 403 401 404 403",
        lambda ctx: ({"room": ctx.room()}, {"default_action": "require_approval"})),
    row("GET", "/v1/rooms/:room/members",                 "401 200 200 200 200 200 403 403 401 404 403",
        lambda ctx: ({"room": ctx.general}, None)),
    row("PUT", "/v1/rooms/:room/members/:principal_id",   "401 403 403 200 200 200 403 403 401 404 403",
        lambda ctx: ({"room": ctx.room(), "principal_id": ctx.fresh_agent()}, {"role": "agent"})),
    row("DELETE", "/v1/rooms/:room/members/:principal_id", "401 403 403 200 200 200 403 403 401 404 403",
        room_with_member),
    row("POST", "/v1/rooms/:room/check-in",               "401 403 403 403 403 403 403 201 401 403 404",
        lambda ctx: ({"room": ctx.general}, {"action": "deploy"})),
    row("POST", "/v1/rooms/:room/tasks",                  "401 403 201 201 201 201 403 403 401 404 403",
        lambda ctx: ({"room": ctx.general}, {"action": "do it"})),
    row("GET", "/v1/rooms/:room/pending",                 "401 200 200 200 200 200 403 200 401 404 404",
        lambda ctx: ({"room": ctx.general}, None)),
    row("GET", "/v1/rooms/:room/trust",                   "401 200 200 200 200 200 403 200 401 404 404",
        lambda ctx: ({"room": ctx.general}, None)),
    row("POST", "/v1/rooms/:room/watch",                  "401 403 201 201 201 201 403 201 401 404 404",
        lambda ctx: ({"room": ctx.general}, {"webhook_url": "http://127.0.0.1:9/hook"})),
    row("GET", "/v1/rooms/:room/watchers",                "401 200 200 200 200 200 403 200 401 404 404",
        lambda ctx: ({"room": ctx.general}, None)),
    row("POST", "/v1/rooms/:room/signal",                 "401 403 202 202 202 202 403 403 401 404 403",
        lambda ctx: ({"room": ctx.general}, {"type": "deploy.done"})),
    row("GET", "/v1/rooms/:room/signals",                 "401 200 200 200 200 200 403 200 401 404 404",
        lambda ctx: ({"room": ctx.general}, None)),
    row("GET", "/v1/rooms/:room/events",                  "401 200 200 200 200 200 403 200 401 404 404",
        lambda ctx: ({"room": ctx.general}, STREAM)),
    row("GET", "/v1/events",                              "401 200 200 200 200 200 403 200 401 200 200",
        lambda ctx: ({}, STREAM)),
    row("GET", "/v1/ws",                                  "401 101 101 101 101 101 403 101 401 101 101",
        lambda ctx: ({}, UPGRADE)),
    row("GET", "/realtime/v1/websocket",                  "401 101 101 101 101 101 403 101 401 101 101",
        lambda ctx: ({}, UPGRADE)),
    row("POST", "/mcp",                                   "401 403 403 403 403 403 403 200 401 403 200",
        lambda ctx: ({}, {"jsonrpc": "2.0", "id": 1, "method": "ping"})),
    row("GET", "/v1/push/vapid-public-key",               "401 503 503 503 503 503 403 403 401 503 403"),
    row("POST", "/v1/push/subscriptions",                 "401 503 503 503 503 503 403 403 401 503 403",
        lambda ctx: ({}, PUSH_SUBSCRIPTION)),
    row("DELETE", "/v1/push/subscriptions",               "401 503 503 503 503 503 403 403 401 503 403",
        lambda ctx: ({}, {"endpoint": PUSH_SUBSCRIPTION["endpoint"]})),
    row("GET", "/v1/rooms/:room/audit",                   "401 200 200 200 200 200 403 403 401 404 403",
        lambda ctx: ({"room": ctx.general}, None)),
    row("GET", "/v1/rooms/:room/replay",                  "401 200 200 200 200 200 403 403 401 404 403",
        lambda ctx: ({"room": ctx.general}, None)),
    row("DELETE", "/v1/watchers/:id",                     "401 403 403 200 200 200 403 403 401 404 404",
        watcher_by_another_member),
    row("GET", "/v1/watchers/:id/deliveries",             "401 403 403 200 200 200 403 403 401 404 404",
        watcher_by_another_member),
    row("POST", "/v1/watchers/:id/deliveries/:delivery_id/redeliver",
                                                          "401 403 403 202 202 202 403 403 401 404 404",
        delivery_of_another_members_watcher),
    row("GET", "/v1/check-ins",                           "401 200 200 200 200 200 403 200 401 200 200"),
    row("GET", "/v1/check-ins/:id",                       "401 200 200 200 200 200 403 200 401 404 404",
        checkin_fx()),
    row("DELETE", "/v1/check-ins/:id",                    "401 403 403 403 403 403 403 200 401 404 404",
        own_checkin_fx()),
    row("GET", "/v1/check-ins/:id/status",                "401 200 200 200 200 200 403 200 401 404 404",
        checkin_fx()),
    row("POST", "/v1/check-ins/:id/approve",              "401 403 200 200 200 200 403 403 401 404 403",
        checkin_fx({})),
    row("POST", "/v1/check-ins/:id/reject",               "401 403 200 200 200 200 403 403 401 404 403",
        checkin_fx({})),
    row("POST", "/v1/check-ins/:id/modify",               "401 403 200 200 200 200 403 403 401 404 403",
        checkin_fx({"modifications": {"env": "staging"}})),
    row("POST", "/v1/check-ins/:id/withdraw",             "401 403 403 403 403 403 403 200 401 404 404",
        own_checkin_fx()),
    row("POST", "/v1/check-ins/:id/extend",               "401 403 200 200 200 200 403 403 401 404 403",
        checkin_fx({"by_ms": 60000})),
    row("POST", "/v1/check-ins/:id/claim",                "401 403 403 403 403 403 403 200 401 403 404",
        lambda ctx: ({"id": ctx.task()}, None)),
    row("POST", "/v1/check-ins/:id/release",              "401 403 403 403 403 403 403 200 401 403 404",
        lambda ctx: ({"id": ctx.claimed_task()}, None)),
    row("POST", "/v1/check-ins/:id/help",                 "401 403 403 403 403 403 403 200 401 403 404",
        lambda ctx: ({"id": ctx.claimed_task()}, {"description": "stuck"})),
    row("POST", "/v1/check-ins/:id/join",                 "401 403 403 403 403 403 403 200 401 403 404",
        lambda ctx: ({"id": ctx.claimed_task(ctx.tokens["_other_agent"])}, None)),
    row("POST", "/v1/check-ins/:id/submit",               "401 403 403 403 403 403 403 200 401 403 404",
        lambda ctx: ({"id": ctx.claimed_task()}, {"content": "done"})),
    row("POST", "/v1/check-ins/:id/messages",             "401 201 201 201 201 201 403 201 401 404 404",
        own_checkin_fx({"type": "comment", "content": "hello"})),
    row("GET", "/v1/check-ins/:id/messages",              "401 200 200 200 200 200 403 200 401 404 404",
        checkin_fx()),
    row("GET", "/v1/check-ins/:id/participants",          "401 200 200 200 200 200 403 200 401 404 404",
        checkin_fx()),
    row("GET", "/v1/audit",                               "401 403 403 200 200 200 403 403 401 200 403"),
    row("GET", "/v1/audit/verify",                        "401 403 403 200 200 200 403 403 401 200 403"),
    row("GET", "/v1/cluster",                             "401 403 403 200 200 200 403 403 401 200 403"),
])


def openapi_path_to_pattern(path):
    """`/v1/check-ins/{id}` -> `/v1/check-ins/:id` (the router's spelling)."""
    return "/".join(":" + seg[1:-1] if seg.startswith("{") and seg.endswith("}") else seg
                    for seg in path.split("/"))


class AuthorizationMatrix(ServerTest):
    # the matrix self-registers once per caller
    server_args = ("--self-register-per-minute", "1000", "--self-register-burst", "1000")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        tokens = {"anonymous": None, "instance_admin": OWNER_TOKEN}
        ids = {}
        for role in ("viewer", "member", "admin", "owner"):
            tokens[role], ids[role] = create_user(s, role)
        tokens["_other_member"], _ = create_user(s, "member")
        unclaimed = self_register(s)
        tokens["unclaimed_agent"] = unclaimed["api_key"]
        tokens["agent"], ids["agent"] = register_agent(s)
        tokens["_other_agent"], _ = register_agent(s)
        tokens["deactivated_agent"], agent_id = register_agent(s)
        assert s.post(f"/v1/agents/{agent_id}/deactivate").status == 200
        other = create_org(s)
        tokens["other_org_human"] = other["token"]
        tokens["other_org_agent"], _ = register_agent(s, token=other["token"])
        cls.ctx = Ctx(s, tokens, ids)

    def test_every_route_has_a_row_and_every_row_a_route(self):
        doc = self.server.get("/v1/openapi.json", token=None).json
        routed = {(method.upper(), openapi_path_to_pattern(path))
                  for path, ops in doc["paths"].items()
                  for method in ops if method in ("get", "post", "put", "patch", "delete")}
        self.assertEqual(sorted(routed - ROWS.keys()), [], "routes without a matrix row")
        self.assertEqual(sorted(ROWS.keys() - routed), [], "matrix rows without a route")

    def stream_status(self, path, token, upgrade=False):
        """The status of a streaming GET or a WebSocket opening handshake (and the error
        body when it is not 200 or 101)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=10)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        if upgrade:
            headers.update({"Connection": "Upgrade", "Upgrade": "websocket",
                            "Sec-WebSocket-Version": "13",
                            "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="})
        conn.request("GET", path, headers=headers)
        resp = conn.getresponse()
        body = "" if resp.status in (101, 200) else resp.read().decode()
        conn.close()
        return Response(resp.status, resp.getheaders(), body)

    def test_every_caller_gets_the_prescribed_status(self):
        mismatches = []
        for (method, pattern), (statuses, fixture) in ROWS.items():
            for caller, expected in zip(CALLERS, statuses):
                params, body = fixture(self.ctx)
                path = "/".join(params[seg[1:]] if seg.startswith(":") else seg
                                for seg in pattern.split("/"))
                if body is STREAM or body is UPGRADE:
                    r = self.stream_status(path, self.ctx.tokens[caller], body is UPGRADE)
                else:
                    r = self.server.request(method, path, body=body,
                                            token=self.ctx.tokens[caller])
                if r.status != expected:
                    mismatches.append(f"{method} {pattern} as {caller}: expected {expected}, "
                                      f"got {r.status} {r.json}")
                elif expected >= 400:
                    code = {401: "UNAUTHORIZED", 403: "FORBIDDEN", 404: "NOT_FOUND",
                            503: "UNAVAILABLE"}[expected]
                    if r.error.get("code") != code:
                        mismatches.append(f"{method} {pattern} as {caller}: code {r.error}")
                    if expected == 404 and caller.startswith("other_org"):
                        # nothing of organization A leaks into the answer
                        for value in params.values():
                            if value in r.raw:
                                mismatches.append(f"{method} {pattern} as {caller}: "
                                                  f"the answer names {value}")
        self.assertEqual(mismatches, [], "\n" + "\n".join(mismatches))


if __name__ == "__main__":
    unittest.main()
