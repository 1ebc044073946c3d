"""``python -m qec``: the same as the ``qec`` command."""

import sys

from qec._entry import drop_working_folder

drop_working_folder()  # before qec.cli imports anything from the working folder

from qec.cli import main  # noqa: E402

sys.exit(main())
