"""The API's token fixture, for the tests that read and translate through /api/v1."""

from tests.api.conftest import token_for  # noqa: F401
