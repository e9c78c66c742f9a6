"""Isolation makers for accounts models are in tests/isolation.py (they are the foundation's)."""
