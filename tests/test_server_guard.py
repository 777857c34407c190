"""Hostile URLs and foreign hosts get a page saying why (400/403/414), never an HTTP 500, a blank
page or a closed connection, and the server goes on serving (``app.serve_guard``), under both
``autograd-ui`` and the README's ``panel serve ... --setup app/serve_setup.py`` line."""

from __future__ import annotations

import html
import http.client
import urllib.error
import urllib.request
from urllib.parse import quote, urlsplit

import pytest

from app.cli import allowed_hosts
from app.serve_guard import LOCAL_HOSTS, MAX_URL_CHARS, refusal
from app.share.url_state import MAX_EXPR_CHARS
from browser_support import serve_app, stop

#: (query, status, words the page must say). Each answered 500 or nothing before the guard.
HOSTILE = [
    ("?theme=%FF", 400, "theme is not UTF-8"),
    ("?a=%C2%B2", 400, "'a'"),                       # '²'.isdigit() but int('²') raises
    ("?a=" + "7" * 4301, 400, "not a number"),       # over Python's int-string limit
    ("?a=" + "7" * 60_000, 400, "not a number"),
    ("?q=" + "x" * 100_000, 414, "characters long"),  # was a closed connection
]
IDS = ["theme-not-utf8", "superscript-digit", "4301-digits", "60000-digits", "100kB-query"]


def _get(url: str, host: str | None = None):
    """(status, body text) of a GET, whatever the status."""
    req = urllib.request.Request(url, headers={"Host": host} if host else {})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, html.unescape(r.read().decode())
    except urllib.error.HTTPError as exc:
        return exc.code, html.unescape(exc.read().decode())


# ------------------------------------------------------------------------------ the rule itself

@pytest.mark.parametrize("query, status, words", HOSTILE, ids=IDS)
def test_refusal_names_the_problem(query, status, words):
    why = refusal("/" + query)
    assert why is not None and why[0] == status and words in why[1]


@pytest.mark.parametrize("query", [
    "", "?preset=neuron&a=3&step=4&theme=dark", "?a=-2.5e3", "?a=1234567890",
    "?expr=%FF",                                     # the app answers this with a notice
    "?expr=" + quote("a = 1; " * (MAX_EXPR_CHARS // 7)),   # the longest link the app reads
])
def test_links_the_app_reads_pass(query):
    assert refusal("/" + query, "localhost", LOCAL_HOSTS) is None
    assert len("/" + query) < MAX_URL_CHARS


def test_host_allowlist():
    hosts = allowed_hosts("localhost")
    assert refusal("/", "localhost", hosts) is None and refusal("/", "127.0.0.1", hosts) is None
    status, reason = refusal("/", "evil.example", hosts)
    assert status == 403 and "'evil.example'" in reason and "--allow-websocket-origin" in reason
    opened = allowed_hosts("127.0.0.1", ["class.example.org", "proxy.example.org:443"])
    assert refusal("/", "class.example.org", opened) is None
    assert refusal("/", "proxy.example.org", opened) is None
    assert refusal("/", "evil.example", opened)[0] == 403
    assert refusal("/", "evil.example", allowed_hosts("localhost", ["*"])) is None
    assert refusal("/", "[fe80::1]", allowed_hosts("fe80::1")) is None   # Host brackets IPv6


# ------------------------------------------------------------------------------ served

@pytest.fixture(scope="module", params=["autograd-ui", "panel-serve"])
def server(request):
    panel_serve = request.param == "panel-serve"
    args = ("--address", "127.0.0.1", "--setup", "app/serve_setup.py") if panel_serve else ()
    proc, url = serve_app(args, panel_serve=panel_serve)
    yield proc, url
    stop(proc)


@pytest.mark.parametrize("query, status, words", HOSTILE, ids=IDS)
def test_hostile_link_gets_a_page_saying_why(server, query, status, words):
    proc, url = server
    got, body = _get(url + query)
    assert got == status, body[:300]
    assert "This link cannot be opened" in body and words in body
    home = urlsplit(url).path
    assert f"href='{home}'" in body               # a way back to the default page
    assert proc.poll() is None
    assert _get(url)[0] == 200                    # and the server still serves the app


def test_foreign_host_refused_local_served(server):
    proc, url = server
    got, body = _get(url, host="evil.example")
    assert got == 403 and "'evil.example'" in body
    port = urlsplit(url).port
    assert _get(url, host=f"localhost:{port}")[0] == 200
    assert _get(url.replace("localhost", "127.0.0.1"))[0] == 200


def _websocket_status(url: str, host: str) -> int:
    """Status of a websocket upgrade to the app whose Host and Origin are ``host``."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    conn.request("GET", parts.path.rstrip("/") + "/ws", headers={
        "Host": host, "Origin": f"http://{host}", "Upgrade": "websocket",
        "Connection": "Upgrade", "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="})
    try:
        return conn.getresponse().status
    finally:
        conn.close()


def test_websocket_from_foreign_host_refused(server):
    """A DNS-rebinding page sends its own name as Host and Origin: the upgrade is refused."""
    assert _websocket_status(server[1], "evil.example") == 403


def test_a_class_host_is_let_in_by_the_cli_option():
    """``autograd-ui --allow-websocket-origin class.example.org`` (behind a proxy that passes
    ``Host: class.example.org``): that name gets the page and its websocket, others still not."""
    proc, url = serve_app(("--allow-websocket-origin", "class.example.org"))
    try:
        assert _get(url, host="class.example.org")[0] == 200
        assert _websocket_status(url, "class.example.org") != 403
        assert _get(url, host="evil.example")[0] == 403
        assert _websocket_status(url, "evil.example") == 403
    finally:
        stop(proc)
