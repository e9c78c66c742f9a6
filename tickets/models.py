"""Models of the tickets domain (see the issue tracker for what lands here)."""
