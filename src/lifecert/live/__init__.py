"""Live lessons and live community events on nginx-rtmp (see docs/live.md)."""
