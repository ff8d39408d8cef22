"""Shared set-up helpers for the integration tests: people, organizations, agents,
tasks and audit reads. Black-box: everything goes through the HTTP API."""
import itertools
import re
import threading
import urllib.parse

from harness import OWNER_TOKEN

TIME_RE = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$"
HEX64_RE = r"^[0-9a-f]{64}$"

_counter = itertools.count(1)
_lock = threading.Lock()


def unique(prefix="x"):
    with _lock:
        return f"{prefix}{next(_counter)}"


def create_user(server, role, token=OWNER_TOKEN, name=None):
    """A user of the caller's organization: (token, id)."""
    name = name or unique(role)
    r = server.post("/v1/users", {"name": name, "email": f"{name}@example.test", "role": role},
                    token=token)
    assert r.status == 201, r
    return r.data["token"], r.data["user"]["id"]


def create_org(server, name=None, token=OWNER_TOKEN):
    """Another tenant: its data {org, owner, token}."""
    name = name or unique("org")
    r = server.post("/v1/orgs", {"name": name, "owner": {"name": f"{name}-owner",
                                                          "email": f"owner@{name}.test"}},
                    token=token)
    assert r.status == 201, r
    return r.data


def register_agent(server, token=OWNER_TOKEN, name=None):
    """A claimed agent registered by a member+: (api_key, id)."""
    r = server.post("/v1/agents/register", {"name": name or unique("agent"), "platform": "ci"},
                    token=token)
    assert r.status == 201, r
    return r.data["api_key"], r.data["agent"]["id"]


def self_register(server, name=None):
    """An unclaimed agent: the whole answer's data."""
    r = server.post("/v1/agents/self-register", {"name": name or unique("self")}, token=None)
    assert r.status == 201, r
    return r.data


def deactivated_agent(server, token=OWNER_TOKEN):
    key, agent_id = register_agent(server, token)
    r = server.post(f"/v1/agents/{agent_id}/deactivate", token=token)
    assert r.status == 200, r
    return key, agent_id


def new_task(server, room="general", token=OWNER_TOKEN, **fields):
    body = {"action": unique("task ")}
    body.update(fields)
    r = server.post(f"/v1/rooms/{room}/tasks", body, token=token)
    assert r.status == 201, r
    return r.data


def new_checkin(server, key, room="general", **fields):
    body = {"action": unique("deploy ")}
    body.update(fields)
    r = server.post(f"/v1/rooms/{room}/check-in", body, token=key)
    assert r.status == 201, r
    return r.data


def list_all(server, path, token=OWNER_TOKEN, limit=500):
    """Every item of a cursor-paged list."""
    items = []
    sep = "&" if "?" in path else "?"
    cursor = None
    for _ in range(10000):
        p = f"{path}{sep}limit={limit}"
        if cursor:
            p += "&cursor=" + urllib.parse.quote(cursor, safe="")
        r = server.get(p, token=token)
        assert r.status == 200, (p, r)
        items.extend(r.data)
        cursor = r.json["cursor"]
        if not r.json["has_more"]:
            assert cursor is None, r
            return items
        assert cursor, r
    raise AssertionError("too many pages")


def audit_all(server, token=OWNER_TOKEN, **filters):
    q = urllib.parse.urlencode(filters)
    return list_all(server, "/v1/audit" + (f"?{q}" if q else ""), token=token)


def event_count(server, token=OWNER_TOKEN):
    r = server.get("/v1/audit/verify", token=token)
    assert r.status == 200, r
    return r.data["events"]


def is_id(value, prefix):
    return isinstance(value, str) and re.fullmatch(re.escape(prefix) + r"[a-z0-9]{10}",
                                                   value) is not None
