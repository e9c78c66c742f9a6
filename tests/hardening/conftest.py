from tests.tickets.conftest import desk, other_desk  # noqa: F401 - the tickets cast, reused
