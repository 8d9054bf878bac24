"""The benchmarks' reports: figures where CI keeps artefacts, and in the test log."""

from __future__ import annotations

import json
from pathlib import Path

from app import PROJECT_DIR

REPORTS = PROJECT_DIR / "test-artifacts" / "bench"


def report(name: str, figures: dict[str, object]) -> Path:
    """Write the figures where CI keeps artefacts, and print them into the test log."""
    REPORTS.mkdir(parents=True, exist_ok=True)
    path = REPORTS / f"{name}.json"
    path.write_text(json.dumps(figures, indent=2, ensure_ascii=False))
    print(f"\n[bench] {name}: {json.dumps(figures, ensure_ascii=False)}")
    return path
