"""``python -m tcpedu``: the same as the ``tcpedu`` command."""

import sys

from .cli import main

sys.exit(main())
