from __future__ import annotations

import pytest

# The benchmarks whose budgets are CPU seconds or bytes, which tests running beside them do
# not change: `make test` runs them with the rest, on every core. The others report (and
# test_many_tablets.py asserts) what the clock and a busy server say, so `make test` runs
# them after the rest, one at a time, with the machine to themselves (marker `alone`).
BESIDE_OTHERS = {"test_import_speed.py", "test_page_weight.py", "test_observability_overhead.py"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/bench/" in str(item.path):
            item.add_marker(pytest.mark.bench)
            if item.path.name not in BESIDE_OTHERS:
                item.add_marker(pytest.mark.alone)
