"""Models of the knowledge domain (see the issue tracker for what lands here)."""
