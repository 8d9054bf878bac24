from __future__ import annotations

import pytest

# The fixtures of the e2e tests (a live server, Chromium) live in the tests.browser plugin.


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.path):
            item.add_marker(pytest.mark.e2e)
