"""One date format per language on every page (``FORMAT_MODULE_PATH``): a bare ``{{ when }}``,
the ``portal_datetime`` / ``portal_date`` filters and Django's admin all print the same
``2026-12-01 00:17`` instead of mixing it with ``2026年12月1日 00:17``."""
