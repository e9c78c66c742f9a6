"""Models of the dispatch domain (see the issue tracker for what lands here)."""
