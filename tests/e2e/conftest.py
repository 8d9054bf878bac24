from __future__ import annotations

import pytest

# Helpers for the tests here; the fixtures themselves live in the tests.browser plugin.
from tests.browser import (  # noqa: F401
    ADMIN,
    LiveServer,
    leader_with_a_new_conversation,
    log_in,
    screenshot,
    serious_axe_violations,
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.path):
            item.add_marker(pytest.mark.e2e)
