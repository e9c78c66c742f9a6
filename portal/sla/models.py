"""Business calendars and SLA policies (issue: SLA engine, notifications, live updates)."""
