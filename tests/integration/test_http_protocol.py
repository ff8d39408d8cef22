"""HTTP beyond the routes: HEAD answers wherever GET does (but the streams), OPTIONS
names the methods, CORS is off unless `--cors-origin` allows an origin, a body that is
not JSON is 415, JSON answers end with a newline, and OAuth discovery paths say that
there is no OAuth."""
import http.client
import socket
import unittest

from harness import OWNER_TOKEN, Server, ServerTest


class Head(ServerTest):
    def test_head_is_get_without_the_body(self):
        for path, token in [("/healthz", None), ("/readyz", None), ("/v1/rooms", OWNER_TOKEN),
                            ("/v1/rooms/general", OWNER_TOKEN), ("/v1/openapi.json", None),
                            ("/", None), ("/metrics", None)]:
            with self.subTest(path=path):
                get = self.server.get(path, token=token)
                head = self.server.request("HEAD", path, token=token)
                self.assertEqual(head.status, get.status, head)
                self.assertEqual(head.raw, "")
                self.assertEqual(head.headers["content-type"], get.headers["content-type"])
                if path not in ("/metrics", "/readyz"):  # these change between two calls
                    self.assertEqual(head.headers["content-length"],
                                     get.headers["content-length"])
        # errors too: the head of the 401
        r = self.server.request("HEAD", "/v1/rooms", token=None)
        self.assertEqual(r.status, 401)
        self.assertEqual(r.raw, "")

    def test_a_head_answer_really_has_no_body(self):
        # http.client never reads a body after HEAD: ask on one raw keep-alive socket,
        # HEAD then GET; the GET's answer must follow the HEAD's headers at once
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=10) as sock:
            sock.sendall(b"HEAD /healthz HTTP/1.1\r\nHost: t\r\n\r\n"
                         b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
            data = b""
            while data.count(b"HTTP/1.1 200") < 2 or not data.endswith(b"}\n"):
                chunk = sock.recv(65536)
                if not chunk:
                    break
                data += chunk
        head, rest = data.split(b"\r\n\r\n", 1)
        self.assertIn(b"Content-Length: 16", head)
        self.assertTrue(rest.startswith(b"HTTP/1.1 200"), data)
        self.assertTrue(rest.endswith(b'{"status":"ok"}\n'), data)

    def test_head_is_not_offered_on_streams(self):
        for path in ("/v1/events", "/v1/rooms/general/events", "/v1/ws"):
            with self.subTest(path=path):
                r = self.server.request("HEAD", path)
                self.assertEqual(r.status, 405, r)
                self.assertNotIn("HEAD", r.headers["allow"])
                self.assertIn("GET", r.headers["allow"])


class Options(ServerTest):
    def test_options_names_the_methods_and_cors_is_off_by_default(self):
        r = self.server.request("OPTIONS", "/v1/rooms", token=None,
                                headers={"Origin": "https://ops.example",
                                         "Access-Control-Request-Method": "POST"})
        self.assertEqual(r.status, 204, r)
        self.assertEqual(r.raw, "")
        self.assertEqual(r.headers["allow"], "GET, HEAD, POST, OPTIONS")
        self.assertNotIn("access-control-allow-origin", r.headers)
        self.assertNotIn("content-length", r.headers)
        g = self.server.get("/v1/rooms", headers={"Origin": "https://ops.example"})
        self.assertEqual(g.status, 200)
        self.assertNotIn("access-control-allow-origin", g.headers)
        self.assertEqual(self.server.request("OPTIONS", "/v1/nothing").status, 404)


class Cors(ServerTest):
    server_args = ("--cors-origin", "https://ops.example", "--cors-origin", "http://localhost:5173")

    def test_an_allowed_origin_gets_preflights_and_readable_answers(self):
        pre = self.server.request("OPTIONS", "/v1/check-ins/ci_x/approve", token=None,
                                  headers={"Origin": "https://ops.example",
                                           "Access-Control-Request-Method": "POST",
                                           "Access-Control-Request-Headers": "authorization, content-type"})
        self.assertEqual(pre.status, 204, pre)
        self.assertEqual(pre.headers["access-control-allow-origin"], "https://ops.example")
        self.assertIn("POST", pre.headers["access-control-allow-methods"])
        allowed = pre.headers["access-control-allow-headers"].lower()
        for h in ("authorization", "content-type", "idempotency-key", "last-event-id"):
            self.assertIn(h, allowed)
        self.assertEqual(pre.headers["vary"], "Origin")
        r = self.server.get("/v1/rooms", headers={"Origin": "http://localhost:5173"})
        self.assertEqual(r.status, 200)
        self.assertEqual(r.headers["access-control-allow-origin"], "http://localhost:5173")
        self.assertIn("Waitroom-Log-Id", r.headers["access-control-expose-headers"])
        # errors are readable by the page too
        e = self.server.get("/v1/rooms", token=None, headers={"Origin": "https://ops.example"})
        self.assertEqual(e.status, 401)
        self.assertEqual(e.headers["access-control-allow-origin"], "https://ops.example")
        # another origin gets nothing (but the Vary that keeps caches apart)
        other = self.server.get("/v1/rooms", headers={"Origin": "https://evil.example"})
        self.assertNotIn("access-control-allow-origin", other.headers)
        self.assertEqual(other.headers.get("vary"), "Origin")
        self.assertEqual(self.server.get("/v1/rooms").headers.get("vary"), "Origin")
        # a listed origin may call /mcp too
        key, _ = self.server.register_agent()
        ping = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
        self.assertEqual(self.server.post("/mcp", ping, token=key,
                                          headers={"Origin": "https://ops.example"}).status, 200)
        self.assertEqual(self.server.post("/mcp", ping, token=key,
                                          headers={"Origin": "https://evil.example"}).status, 403)
        pre = self.server.request("OPTIONS", "/v1/rooms", token=None,
                                  headers={"Origin": "https://evil.example",
                                           "Access-Control-Request-Method": "POST"})
        self.assertNotIn("access-control-allow-origin", pre.headers)
        self.assertNotIn("access-control-allow-methods", pre.headers)


class AnyOrigin(ServerTest):
    server_args = ("--cors-origin", "*")

    def test_star_allows_every_origin_but_not_into_mcp(self):
        r = self.server.get("/healthz", token=None, headers={"Origin": "https://a.example"})
        self.assertEqual(r.headers["access-control-allow-origin"], "*")
        self.assertNotIn("vary", r.headers)
        # the MCP endpoint's DNS-rebinding check is not opened by a wildcard
        key, _ = self.server.register_agent()
        r = self.server.post("/mcp", {"jsonrpc": "2.0", "id": 1, "method": "ping"}, token=key,
                             headers={"Origin": "https://a.example"})
        self.assertEqual(r.status, 403)


class MediaTypes(ServerTest):
    def test_a_body_that_is_not_sent_as_json_is_415_and_writes_nothing(self):
        before = self.server.get("/v1/audit/verify").data["events"]
        for ct in ("text/plain", "application/x-www-form-urlencoded", "",
                   "application/jsonx", "text/json"):
            with self.subTest(content_type=ct):
                r = self.server.request("POST", "/v1/rooms", raw=b'{"name":"x","slug":"x"}',
                                        headers={"Content-Type": ct})
                self.assertError(r, 415, "UNSUPPORTED_MEDIA_TYPE")
        # and with no Content-Type header at all
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=10)
        conn.putrequest("POST", "/v1/rooms")
        conn.putheader("Authorization", "Bearer " + OWNER_TOKEN)
        conn.putheader("Content-Length", "23")
        conn.endheaders(b'{"name":"x","slug":"x"}')
        self.assertEqual(conn.getresponse().status, 415)
        conn.close()
        self.assertEqual(self.server.get("/v1/audit/verify").data["events"], before)
        for ct in ("application/json", "application/json; charset=utf-8", "Application/JSON",
                   "application/merge-patch+json"):
            with self.subTest(content_type=ct):
                r = self.server.request("PATCH", "/v1/rooms/general", raw=b'{"name":"General"}',
                                        headers={"Content-Type": ct})
                self.assertEqual(r.status, 200, r)
        # no body, or only whitespace, needs no content type
        key, _ = self.server.register_agent()
        ci = self.server.check_in(key).data["id"]
        r = self.server.request("POST", f"/v1/check-ins/{ci}/approve", raw=b"  \n",
                                headers={"Content-Type": "text/plain"})
        self.assertEqual(r.status, 200, r)


class Bodies(ServerTest):
    def test_json_answers_end_with_a_newline(self):
        for r in (self.server.get("/healthz", token=None), self.server.get("/v1/rooms"),
                  self.server.get("/v1/nothing"), self.server.get("/v1/rooms", token=None)):
            self.assertTrue(r.raw.endswith("}\n"), r)
        big = self.server.request("POST", "/v1/rooms", raw=b'{"x":"' + b"a" * 70000 + b'"}')
        self.assertEqual(big.status, 413)
        self.assertTrue(big.raw.endswith("}\n"), big)

    def test_oauth_discovery_paths_say_there_is_no_oauth(self):
        for method, path in (("GET", "/.well-known/oauth-protected-resource"),
                             ("GET", "/.well-known/oauth-authorization-server"),
                             ("GET", "/.well-known/openid-configuration"),
                             ("POST", "/register"), ("POST", "/token")):
            with self.subTest(path=path):
                r = self.server.request(method, path, token=None)
                self.assertError(r, 404, "NOT_FOUND")
                self.assertIn("does not support OAuth", r.error["message"])


if __name__ == "__main__":
    unittest.main()
