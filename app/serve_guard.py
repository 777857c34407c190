"""A guard in front of every route of the server: a request Panel cannot parse, or one for a host
this server does not answer to, gets a short HTML page saying what was wrong (400, 403 or 414)
instead of an HTTP 500, a blank page or a closed connection.

Why in front: Panel parses the query (``panel.util.parse_query``: ``int('²')`` and ints of more
than 4,300 digits raise) and decodes ``?theme=`` as UTF-8 while it builds the session, before
any code of this app runs, and Tornado closes the connection on a request line over its header
limit (64 KB) without an answer. So the check is a Tornado routing rule placed before Bokeh's
own routes (it matches only a refused request; every other request goes on to Panel), and the
CLI raises Tornado's header limit so that a long link reaches the check and gets its page.

``autograd-ui`` installs it (:func:`install`). ``panel serve`` builds its server itself, so there
it comes from ``--setup app/serve_setup.py``, which installs it when the server's loop starts.
"""

from __future__ import annotations

import html
from urllib.parse import parse_qsl

from tornado.routing import Matcher, Rule
from tornado.web import RequestHandler

#: Longest URL (path + query) answered. The longest link the app writes is an 8,000-character
#: expression percent-encoded (<= 24,000) plus at most 400 leaf values: well under this.
MAX_URL_CHARS = 65_536
#: Tornado's limit on the request line + headers, raised from 64 KB so that an over-long link
#: gets the 414 page; beyond this Tornado still closes the connection (browsers stop at 2 MB).
MAX_HEADER_BYTES = 1 << 20
#: Host names a server bound to localhost answers to (the Host header, port ignored).
LOCAL_HOSTS = ("localhost", "127.0.0.1", "[::1]")


def refusal(uri: str, host_name: str | None = None, allowed_hosts=None):
    """Why this request must not reach Panel: ``(status, reason)``, or None when it may.

    ``uri`` is the request's path and query as received; ``host_name`` its Host header without
    the port. ``allowed_hosts`` (names, ``"*"`` for any) is checked only when given."""
    if allowed_hosts is not None and "*" not in allowed_hosts and host_name not in allowed_hosts:
        names = ", ".join(h for h in allowed_hosts if h)
        return 403, (f"this server answers only to {names}, not to the host name "
                     f"{_shown(host_name or '')}. To serve a class under another name, start "
                     "it with --allow-websocket-origin NAME (see the README's Serving section)")
    if len(uri) > MAX_URL_CHARS:
        return 414, (f"the link is {len(uri):,} characters long; this app reads links of up to "
                     f"{MAX_URL_CHARS:,} characters")
    query = uri.partition("?")[2]
    for key, value in parse_qsl(query, keep_blank_values=True):
        if value.isdigit():          # Panel turns every all-digit value into an int
            try:
                int(value)
            except ValueError:
                return 400, (f"the value of {_shown(key)} in the link ({_shown(value)}) is not a "
                             "number this app can read")
    theme = [v for k, v in parse_qsl(query, encoding="latin-1") if k == "theme"]
    for value in theme:              # Panel decodes ?theme= as UTF-8 without a fallback
        try:
            value.encode("latin-1").decode("utf-8")
        except UnicodeDecodeError:
            return 400, "the link's theme is not UTF-8 text (try ?theme=dark)"
    return None


def _shown(text: str, limit: int = 40) -> str:
    """``text`` quoted for a message, cut to ``limit`` characters (a value may be 60 KB)."""
    cut = text if len(text) <= limit else text[:limit] + f"... ({len(text):,} characters)"
    return repr(cut)


def refusal_page(status: int, reason: str, home: str) -> str:
    """The HTML answer: what was wrong and a link to the app's default page."""
    return ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<title>autograd-ui: this link cannot be opened ({status})</title></head>"
            "<body style='font-family: sans-serif; max-width: 40em; margin: 3em auto'>"
            "<h1>This link cannot be opened</h1>"
            f"<p id='reason'>autograd-ui refused it: {html.escape(reason)}.</p>"
            f"<p><a id='home' href='{html.escape(home, quote=True)}'>Open autograd-ui's default "
            "page</a></p></body></html>")


class _Refused(Matcher):
    """Matches only a request :func:`refusal` refuses (the rest go on to Bokeh's routes)."""

    def __init__(self, allowed_hosts):
        self.allowed_hosts = allowed_hosts

    def match(self, request):
        why = refusal(request.uri or "", request.host_name, self.allowed_hosts)
        return None if why is None else {"target_kwargs": {"why": why}}


class RefusalHandler(RequestHandler):
    """Answers a refused request with :func:`refusal_page`, whatever its method."""

    def initialize(self, why):
        self.why = why

    def _answer(self, *args):
        status, reason = self.why
        # a same-origin path (never "//host"): the page without its query
        home = "/" + self.request.path.lstrip("/")
        self.set_status(status)
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(refusal_page(status, reason, home))

    get = post = put = delete = patch = options = _answer

    def _request_summary(self) -> str:
        # Tornado logs every answer with its URI: a 1 MB link would be a 1 MB log line
        uri = self.request.uri or ""
        shown = uri if len(uri) <= 200 else f"{uri[:200]}... ({len(uri):,} characters)"
        return f"{self.request.method} {shown} ({self.request.remote_ip})"

    def head(self, *args):
        self.set_status(self.why[0])
        self.finish()


def install(tornado_app, allowed_hosts=None) -> None:
    """Put the guard in front of every route of ``tornado_app`` (a ``tornado.web.Application``,
    e.g. Bokeh's ``BokehTornado``). ``allowed_hosts``: host names answered (None: any)."""
    router = tornado_app.default_router
    rule = router.process_rule(Rule(_Refused(allowed_hosts), RefusalHandler))
    router.rules.insert(0, rule)


def install_in_running_servers() -> int:
    """For ``panel serve`` (which builds its server itself): guard every Bokeh server of this
    process and raise its header limit; the host names answered are the local ones plus Bokeh's
    websocket origins (``--allow-websocket-origin``). Returns the number of servers guarded."""
    import gc

    from bokeh.server.tornado import BokehTornado
    from tornado.httpserver import HTTPServer

    guarded = 0
    for obj in gc.get_objects():    # panel serve keeps no handle on its server: find it
        if isinstance(obj, BokehTornado) and not getattr(obj, "_autograd_guarded", False):
            origins = [o.rsplit(":", 1)[0] if o.count(":") == 1 else o for o in obj.websocket_origins]
            install(obj, allowed_hosts=list(dict.fromkeys([*LOCAL_HOSTS, *origins])))
            obj._autograd_guarded = True
            guarded += 1
        elif isinstance(obj, HTTPServer):
            obj.conn_params.max_header_size = MAX_HEADER_BYTES   # read per new connection
    return guarded
