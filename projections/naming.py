"""Quoting SQL identifiers: the schemas of the read tables are named at run time."""

NAME = "workforce"  # the name of a build's tracking row


def quoted(name: str) -> str:
    """``name`` as a quoted PostgreSQL identifier."""
    return '"' + name.replace('"', '""') + '"'
