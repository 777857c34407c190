"""``autograd-ui`` / ``python -m app``: serve the app (one fresh instance per browser session)."""

from __future__ import annotations

import argparse
import sys


def build_parser() -> argparse.ArgumentParser:
    from .presets import DEFAULT_PRESET, PRESETS

    p = argparse.ArgumentParser(prog="autograd-ui", description="Serve the autograd-ui Panel app.")
    p.add_argument("--port", type=int, default=5006, help="port to serve on (default 5006)")
    p.add_argument("--address", default="localhost", help="address to bind (default localhost)")
    p.add_argument("--show", action="store_true", help="open the app in a browser tab")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--expr", help="expression to show, e.g. \"a = 2; b = -3; L = a*b\"")
    g.add_argument("--preset", choices=sorted(PRESETS), default=None,
                   help=f"built-in example (default {DEFAULT_PRESET})")
    return p


def main(argv=None) -> int:
    """Parse ``argv`` and serve until interrupted. Returns a process exit code."""
    args = build_parser().parse_args(argv)
    import panel as pn

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
    try:
        pn.serve(
            {"/": session}, port=args.port, address=args.address, show=args.show, title="autograd-ui",
            websocket_origin=[f"{args.address}:{args.port}", f"localhost:{args.port}",
                              f"127.0.0.1:{args.port}"],
            print_url=True,
        )
    except OSError as exc:       # port taken, address not on this machine, ...
        print(f"autograd-ui: cannot serve on {args.address or 'localhost'}:{args.port}: "
              f"{exc.strerror or exc} (try --port {args.port + 1})", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
