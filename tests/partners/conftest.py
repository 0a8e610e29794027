"""The app, the worker and the CLI install the outbox watcher; these tests call services
directly, so they install it too."""

from lifecert.partners import events

events.install()
