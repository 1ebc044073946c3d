"""``python -m qec.cli``: the same as the ``qec`` command."""

import sys

from qec.cli import main

sys.exit(main())
