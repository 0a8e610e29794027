"""The community platform around certification: events, notes, home visits."""
