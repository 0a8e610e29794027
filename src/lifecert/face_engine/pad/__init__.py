"""Passive presentation-attack detection (issue 10): colour texture, multi-face, rigid motion.

Importing loads nothing; the backend reads its parameter file when the engine builds it.
See ``pad-lbpcolour-v3.md`` (the model card) for what it can and cannot be trusted against.
"""
