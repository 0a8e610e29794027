"""Background jobs of the services domain."""
