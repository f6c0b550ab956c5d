"""Home tests use the meetings built by tests/meetings."""

from tests.meetings.conftest import meetings  # noqa: F401  (a fixture)
