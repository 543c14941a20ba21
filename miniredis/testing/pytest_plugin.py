"""pytest plugin entry point (fixtures come with the test-server features)."""
