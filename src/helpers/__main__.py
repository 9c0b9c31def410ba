"""``python -m helpers``: the ``report`` command."""

from helpers.commands.cli import run

run()
