"""Cross-age adaptation of face descriptors (issue 8): learned transform, robust views, templates."""
