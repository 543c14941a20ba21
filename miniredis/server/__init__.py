"""The server: the event-loop side (listening, connections) and the per-client state."""
