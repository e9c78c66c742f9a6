"""Notification models (issue: SLA engine, notifications, live updates)."""
