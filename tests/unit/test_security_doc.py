"""SECURITY.md names the test that holds each claim: a named test that does not exist (renamed,
deleted, mistyped) fails here, so the document stays the tests' own."""

from __future__ import annotations

import ast
import re

from app import PROJECT_DIR

REFERENCE = re.compile(r"`(tests/[\w/]+\.py)::(\w+)`")


def test_every_test_security_md_names_exists() -> None:
    text = (PROJECT_DIR / "SECURITY.md").read_text()
    references = REFERENCE.findall(text)
    assert len(references) >= 10
    missing = []
    for path, name in references:
        source = PROJECT_DIR / path
        tree = ast.parse(source.read_text()) if source.exists() else ast.Module(body=[])
        names = {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}
        if name not in names:
            missing.append(f"{path}::{name}")
    assert missing == []


def test_security_md_says_how_to_report_a_vulnerability() -> None:
    text = (PROJECT_DIR / "SECURITY.md").read_text()
    assert "## Reporting a vulnerability" in text and "security advisory" in text


def test_every_web_test_security_md_names_runs_on_postgresql_too() -> None:
    """The PostgreSQL run takes the web tests marked ``postgresql`` (Makefile): each web test
    file SECURITY.md names must be one of them."""
    text = (PROJECT_DIR / "SECURITY.md").read_text()
    files = {path for path, _name in REFERENCE.findall(text) if path.startswith("tests/web/")}
    assert files
    marker = "pytestmark = pytest.mark.postgresql"
    unmarked = sorted(path for path in files if marker not in (PROJECT_DIR / path).read_text())
    assert unmarked == []
