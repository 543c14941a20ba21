"""Data structures behind the keyspace types: the radix tree and packed nodes of streams."""
