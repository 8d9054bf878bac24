"""Extract every msgid and merge it into the Danish and English catalogues.

Run: .venv/bin/python scripts/update_catalogues.py   (then translate the new Danish entries)
English msgids are the English text, so the English catalogue is filled with them; a test
fails while any Danish entry is missing.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "app" / "locale"
KEYWORDS = ["N_", "translate:2", "translate_plural:2,3", "_", "ngettext:1,2"]


def extract() -> Path:
    pot = ROOT / "var" / "messages.pot"
    pot.parent.mkdir(exist_ok=True)
    command = [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg"]
    for keyword in KEYWORDS:
        command += ["-k", keyword]
    command += ["--no-location", "--sort-output", "--no-default-keywords", "-o", str(pot), "."]
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
    return pot


def merge(pot: Path, lang: str) -> list[str]:
    po_path = LOCALE / lang / "LC_MESSAGES" / "messages.po"
    po_path.parent.mkdir(parents=True, exist_ok=True)
    with pot.open("rb") as handle:
        template = read_po(handle)
    if po_path.exists():
        with po_path.open("rb") as handle:
            catalog = read_po(handle, locale=lang)
        catalog.update(template, no_fuzzy_matching=True)
    else:
        catalog = template
        catalog.locale = lang  # type: ignore[assignment]
    catalog.project = "Arbejdsglæde"
    catalog.version = ""
    catalog.copyright_holder = "Arbejdsglæde"
    catalog.fuzzy = False
    missing = []
    for message in catalog:
        if not message.id:
            continue
        if lang == "en":
            if isinstance(message.id, tuple):
                message.string = tuple(message.id)
            else:
                message.string = message.id
        elif not message.string or (isinstance(message.string, tuple) and not all(message.string)):
            missing.append(str(message.id))
    catalog.obsolete.clear()
    with po_path.open("wb") as handle:
        write_po(handle, catalog, omit_header=False, sort_output=True, width=100, no_location=True)
    return missing


if __name__ == "__main__":
    pot = extract()
    merge(pot, "en")
    missing = merge(pot, "da")
    for msgid in missing:
        print(f"missing Danish: {msgid}")
    sys.exit(1 if missing else 0)
