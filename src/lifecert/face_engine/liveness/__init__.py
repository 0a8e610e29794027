"""Active liveness: server-issued challenges and their check on timed frames."""
