from tests.tickets.conftest import Desk, _cast, captured_events, desk, other_desk  # noqa: F401 - shared ticket cast
