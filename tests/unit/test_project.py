"""The project's promises about itself: set-up, Docker, documentation, catalogues."""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

from babel.messages.pofile import read_po

from app import PROJECT_DIR
from app.cli import build_parser
from app.config import Settings


def test_readme_starts_with_the_two_commands() -> None:
    readme = (PROJECT_DIR / "README.md").read_text(encoding="utf-8")
    first_block = readme.split("```")[1]
    commands = [line.split("#")[0].strip() for line in first_block.splitlines()[1:] if line]
    assert commands == ["make run", "make test"]


def test_dockerfile_uses_the_lock_file_a_non_root_user_and_a_health_check() -> None:
    dockerfile = (PROJECT_DIR / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.\d+-slim", dockerfile, re.M)
    assert "requirements.lock" in dockerfile
    assert re.search(r"^USER (?!root)\w+", dockerfile, re.M)
    assert "HEALTHCHECK" in dockerfile and "/healthz" in dockerfile
    assert 'VOLUME ["/app/var"]' in dockerfile


def test_lock_files_pin_every_dependency() -> None:
    for name in ("requirements.lock", "requirements-test.lock"):
        lines = [
            line.strip()
            for line in (PROJECT_DIR / name).read_text().splitlines()
            if line.strip() and not line.lstrip().startswith("#")
        ]
        assert lines
        assert all(re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[\w.\-+]+", line) for line in lines), lines


def test_every_command_and_setting_is_documented() -> None:
    readme = (PROJECT_DIR / "README.md").read_text(encoding="utf-8")
    commands = build_parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    for command in commands:
        assert f"arbejdsglaede {command}" in readme, command
    for name, field in Settings.model_fields.items():
        env = field.validation_alias if isinstance(field.validation_alias, str) else None
        assert (env or f"ARBEJDSGLAEDE_{name.upper()}") in readme, name


def test_catalogues_are_complete() -> None:
    catalogues = {}
    for lang in ("da", "en"):
        path = PROJECT_DIR / "app" / "locale" / lang / "LC_MESSAGES" / "messages.po"
        with path.open("rb") as handle:
            catalogues[lang] = read_po(handle, locale=lang)
    da, en = catalogues["da"], catalogues["en"]
    ids = {m.id for m in da if m.id}
    assert ids == {m.id for m in en if m.id}
    for message in da:
        if message.id:
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            assert all(strings), f"missing Danish for {message.id!r}"
            assert not message.fuzzy, message.id


def test_catalogues_cover_every_msgid_in_the_code() -> None:
    """Run the extractor: a string added to the code without a catalogue entry fails here."""
    import subprocess
    import sys
    import tempfile
    from pathlib import Path

    from scripts.update_catalogues import KEYWORDS

    with tempfile.TemporaryDirectory() as tmp:
        pot = Path(tmp) / "m.pot"
        command = [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg"]
        for keyword in KEYWORDS:
            command += ["-k", keyword]
        command += ["--no-default-keywords", "-o", str(pot), "."]
        subprocess.run(command, cwd=PROJECT_DIR, check=True, capture_output=True)
        with pot.open("rb") as handle:
            extracted = {m.id for m in read_po(handle) if m.id}
    path = PROJECT_DIR / "app" / "locale" / "da" / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        known = {m.id for m in read_po(handle) if m.id}
    assert extracted - known == set()


def _imported_modules(path: Path) -> list[str]:
    """The modules ``path`` imports, relative imports resolved from the tests package."""
    package = ".".join(path.relative_to(PROJECT_DIR).with_suffix("").parts[:-1])
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            found += [base, *(f"{base}.{alias.name}" for alias in node.names)]
    return found


def test_tests_import_helpers_never_a_conftest_or_another_test_module() -> None:
    """Fixtures live in conftest.py files, shared helpers in tests/support and the other
    modules that are not tests: one place for each, and no test depends on another's file."""
    offending = [
        f"{path.relative_to(PROJECT_DIR)} imports {module}"
        for path in sorted((PROJECT_DIR / "tests").rglob("*.py"))
        for module in _imported_modules(path)
        if module.startswith("tests.")
        and any(part == "conftest" or part.startswith("test_") for part in module.split("."))
    ]
    assert offending == []


def test_the_architecture_picture_shows_every_layer_the_build_holds() -> None:
    """docs/architecture.md draws the layers that import-linter holds in make test: a layer
    added to one and not the other fails here, so the picture stays the code's."""
    config = tomllib.loads((PROJECT_DIR / "pyproject.toml").read_text())["tool"]["importlinter"]
    (layers,) = [c["layers"] for c in config["contracts"] if c["type"] == "layers"]
    held = [[name.strip() for name in layer.split("|")] for layer in layers]
    picture = (PROJECT_DIR / "docs" / "architecture.md").read_text().split("```")[1]
    drawn = [names for line in picture.splitlines() if (names := re.findall(r"\bapp\.\w+", line))]
    assert drawn == held
    areas = {p.name for p in (PROJECT_DIR / "app").iterdir() if (p / "__init__.py").exists()}
    modules = {p.stem for p in (PROJECT_DIR / "app").glob("*.py") if p.stem != "__init__"}
    in_layers = {name.removeprefix("app.") for layer in held for name in layer}
    assert (areas | modules) - {"models"} <= in_layers | {"models"}, "a module no layer holds"


def test_every_test_security_md_names_exists() -> None:
    """A claim in SECURITY.md names the test that holds it: a renamed or removed test fails
    here, so no claim is left standing without its evidence."""
    security = (PROJECT_DIR / "SECURITY.md").read_text(encoding="utf-8")
    named = re.findall(r"`(tests/[\w/]+\.py)::(\w+)`", security)
    assert named
    missing = [
        f"{path}::{name}"
        for path, name in named
        if not re.search(
            rf"^(async )?def {name}\(", (PROJECT_DIR / path).read_text(encoding="utf-8"), re.M
        )
    ]
    assert missing == []
