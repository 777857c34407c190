"""``autograd-ui`` / ``python -m app``: serve the app (one fresh instance per browser session)."""

from __future__ import annotations

import argparse
import sys

#: A closed tab's session (its graph, and its trainer if it trained) is freed after this long,
#: checked this often: memory comes back within ~20 s. A page whose websocket takes longer than
#: the lifetime to connect after its first request would lose its session, so not much less.
UNUSED_SESSION_LIFETIME_MS = 15_000
CHECK_UNUSED_SESSIONS_MS = 5_000


def build_parser() -> argparse.ArgumentParser:
    from .presets import DEFAULT_PRESET, PRESETS

    p = argparse.ArgumentParser(prog="autograd-ui", description="Serve the autograd-ui Panel app.")
    p.add_argument("--port", type=int, default=5006, help="port to serve on (default 5006)")
    p.add_argument("--address", default="localhost", help="address to bind (default localhost)")
    p.add_argument("--show", action="store_true", help="open the app in a browser tab")
    p.add_argument("--allow-websocket-origin", action="append", default=[], metavar="HOST[:PORT]",
                   help="also answer to this host name (repeatable), e.g. the public name of a "
                   "reverse proxy; by default only localhost, 127.0.0.1 and --address")
    p.add_argument("--unused-session-lifetime", type=int, default=UNUSED_SESSION_LIFETIME_MS,
                   metavar="MS", help="free a session this long after its tab closed "
                   f"(default {UNUSED_SESSION_LIFETIME_MS} ms; training stops within 1 s anyway)")
    p.add_argument("--check-unused-sessions", type=int, default=CHECK_UNUSED_SESSIONS_MS,
                   metavar="MS", help="how often to look for closed sessions "
                   f"(default {CHECK_UNUSED_SESSIONS_MS} ms)")
    p.add_argument("--num-procs", type=int, default=1, metavar="N",
                   help="serve from N forked processes (default 1); each session lives in one "
                   "process, and each process trains its sessions in its own worker pool")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--expr", help="expression to show, e.g. \"a = 2; b = -3; L = a*b\"")
    g.add_argument("--preset", choices=sorted(PRESETS), default=None,
                   help=f"built-in example (default {DEFAULT_PRESET})")
    return p


def main(argv=None) -> int:
    """Parse ``argv`` and serve until interrupted. Returns a process exit code. Run as the
    program (no ``argv``), it first restarts itself with ``PYTHONMALLOC=malloc`` (see
    ``app.memory``: closed sessions' memory is then given back to the system)."""
    if argv is None:
        from .memory import use_system_malloc

        use_system_malloc(sys.argv[1:])
    args = build_parser().parse_args(argv)
    import panel as pn

    from . import serve_guard
    from .factory import create_app

    if args.expr is not None:
        from engine import ExpressionError, parse

        try:
            parse(args.expr)
        except ExpressionError as exc:
            print(f"autograd-ui: bad --expr: {exc}", file=sys.stderr)
            return 2

    def session():
        return create_app(args.expr, preset=args.preset)

    pn.extension("katex")
    from .memory import freeze_startup, freeze_when_idle
    from .serve_warmup import warm_up

    try:
        warm_up(args.expr, args.preset)   # a first session's lasting imports and caches, packed
    except Exception as exc:   # noqa: BLE001 - only memory depends on it: serve anyway
        print(f"autograd-ui: warm-up failed ({exc!r}); serving without it", file=sys.stderr)

    freeze_when_idle()      # see app.memory: cheaper full collections once startup is over
    from .closed_tabs import quiet_closed_tabs

    quiet_closed_tabs()     # a tab closed mid-update logs no traceback (app.closed_tabs says why)
    hosts = allowed_hosts(args.address, args.allow_websocket_origin)
    freeze_startup()        # before --num-procs forks (app.memory: pages stay shared)
    if args.num_procs > 1:
        from . import serve_supervisor

        if serve_supervisor.available():
            serve_supervisor.exec_after_forks(args.num_procs)   # a small waiter, not a server
    try:
        server = pn.serve(
            {"/": session}, port=args.port, address=args.address, show=args.show, title="autograd-ui",
            # a name given without a port is also allowed on this port (Bokeh assumes :80)
            websocket_origin=[f"{h}:{args.port}" for h in hosts if ":" not in h]
            + args.allow_websocket_origin,
            print_url=True, start=False,
            unused_session_lifetime_milliseconds=args.unused_session_lifetime,
            check_unused_sessions_milliseconds=args.check_unused_sessions,
            http_server_kwargs={"max_header_size": serve_guard.MAX_HEADER_BYTES},
            num_procs=args.num_procs,
        )
    except OSError as exc:       # port taken, address not on this machine, ...
        print(f"autograd-ui: cannot serve on {args.address or 'localhost'}:{args.port}: "
              f"{exc.strerror or exc} (try --port {args.port + 1})", file=sys.stderr)
        return 1
    # Panel keeps no public handle on the Tornado application; Bokeh's Server holds it as _tornado
    serve_guard.install(server._tornado, allowed_hosts=hosts)
    server.start()
    try:
        server.io_loop.start()
    finally:
        from .graph_page.refine_pool import use_refine_pool
        from .train.pool import use_pool

        use_pool(None)      # stop this process's training workers (bounded: never hangs exit)
        use_refine_pool(None)   # and its layout worker (a polish would hold the exit up to ~8 s)
    return 0


def allowed_hosts(address: str, extra=()) -> list[str]:
    """Host names the server answers to: the local names, ``address`` and each ``extra`` (a
    ``HOST[:PORT]`` as for Bokeh's websocket origins; ``*`` answers any host)."""
    from .serve_guard import LOCAL_HOSTS

    bound = f"[{address}]" if address.count(":") > 1 and not address.startswith("[") else address
    names = [*LOCAL_HOSTS, bound.lower()] + [h.rsplit(":", 1)[0].lower() if h.count(":") == 1
                                               else h.lower() for h in extra]
    return list(dict.fromkeys(n for n in names if n))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
