"""Fill Danish msgstrs from a Python file defining DA = {msgid: msgstr}; used while drafting."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "app" / "locale" / "da" / "LC_MESSAGES" / "messages.po"

if __name__ == "__main__":
    table = runpy.run_path(sys.argv[1])["DA"]
    with PO.open("rb") as handle:
        catalog = read_po(handle, locale="da")
    for message in catalog:
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        if key in table:
            message.string = table[key]
    with PO.open("wb") as handle:
        write_po(handle, catalog, sort_output=True, width=100, no_location=True)
