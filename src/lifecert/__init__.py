"""LifeCert: proof-of-life certification for pensioners."""

__version__ = "0.1.0"
