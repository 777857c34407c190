"""``python -m app``: same as the ``autograd-ui`` console script.

Guarded: Panel's ``/components/<module>/...`` route imports any module named in a URL, and a
``sys.exit`` at import would end the server's event loop.
"""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
