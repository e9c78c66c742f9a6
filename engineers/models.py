"""Models of the engineers domain (see the issue tracker for what lands here)."""
