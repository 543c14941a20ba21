"""The keyspace: databases of keys with values and expiry times."""
