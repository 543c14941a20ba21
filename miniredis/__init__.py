"""miniredis: a Redis 7.0-compatible in-memory server in Python, for tests and small deployments."""

from miniredis._compiled import check_fresh

__version__ = "0.1.0"
REDIS_VERSION = "7.0.15"

check_fresh()
