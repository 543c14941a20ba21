"""Test support: run a server in-process on its own thread, a pytest plugin, clock control."""
