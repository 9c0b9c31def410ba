"""The one error of the build: a message that says where (file, line, chapter, cell) and what."""


class BuildError(Exception):
    """A build failure with a message that says where (chapter, cell, line) and what."""
