"""Notifications: an outbox with pluggable channels (inbox, SMS, voice), campaigns, reminders."""
