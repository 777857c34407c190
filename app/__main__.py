"""``python -m app``: same as the ``autograd-ui`` console script."""

import sys

from .cli import main

sys.exit(main())
