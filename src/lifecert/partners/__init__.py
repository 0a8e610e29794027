"""Partners: other systems (pension payer, banks, insurance, provincial apps) using LifeCert
through scoped API keys, idempotent writes, signed webhooks and certification as a service."""
