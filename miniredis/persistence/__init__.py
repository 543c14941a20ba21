"""Persistence: the append-only file in Redis 7.0's multi-part format.

``aof`` (the ``Aof`` controller: feeding, fsync policies, on/off, rewrite life cycle), ``manifest``
(the manifest file and atomic replacement), ``aof_rewrite`` (serialising the keyspace into a base
file, in a forked child), ``aof_loader`` (start-up replay, truncation rules, ``check-aof``).
"""
