"""``python -m helpers``: the ``report`` command."""

import sys

from helpers.commands.cli import main

sys.exit(main())
