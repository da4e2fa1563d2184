"""The memory a bulk job may plan on: what the kernel says is available, of which a share is taken.

The first load's split (``replay.bulk.sharded.affordable``) and the rebuild's (``replay.split.plan``)
both choose their processes so that they fit in ``SHARE`` of it.
"""

SHARE = 0.8
"""Of MemAvailable: the rest is left to PostgreSQL and whatever else runs beside."""


def available() -> int | None:
    """MemAvailable in bytes (None where unknown: not Linux)."""
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None
