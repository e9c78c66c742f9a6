"""Tenant-isolation makers for the SLA module.

No GET route of either contract serves an SLA model yet (calendars and policies are managed in
the Django admin; tickets will expose their SLA fields through the tickets app), so there is
nothing to register. When an SLA route is added (e.g. a calendar or policy list), register a
``@maker("sla.BusinessCalendar")`` / ``@maker("sla.SLAPolicy")`` here that puts ``MARKER`` in
the row's ``name``."""
