"""PDF records with Typst (RECIPES §3): one reused compiler, the template in the repository,
fonts shipped with the project, every user-written value passed as JSON through sys_inputs."""

from __future__ import annotations

import json
import tempfile
import threading
from datetime import UTC, datetime
from pathlib import Path

import typst

from app.records.document import Kind, RecordDocument

HERE = Path(__file__).resolve().parent
TEMPLATE = HERE / "templates" / "record.typ"
FONTS = HERE / "fonts"

_compiler: typst.Compiler | None = None
# One compiler, reused (its font book and caches make a page take milliseconds, not a tenth
# of a second); it is not made for several threads at once, so renders take turns.
_lock = threading.Lock()


def _get_compiler() -> typst.Compiler:
    global _compiler
    if _compiler is None:
        # ignore_system_fonts: the same PDF on every machine, from the fonts in FONTS only.
        _compiler = typst.Compiler(font_paths=[str(FONTS)], ignore_system_fonts=True)
    return _compiler


def compile_pdf(template: Path, data: str, *, root: str, now: datetime) -> bytes:
    """One Typst template, its data as JSON text, a folder it may read: the PDF. Blocking."""
    with _lock:
        pdf = _get_compiler().compile(
            input=template.read_bytes(),
            root=root,
            sys_inputs={"data": data},
            # Typst wants a fixed offset and whole seconds for the PDF's creation date.
            timestamp=now.astimezone(UTC).replace(microsecond=0),
        )
    assert isinstance(pdf, bytes)
    return pdf


def render_pdf(document: RecordDocument, *, kind: Kind = "record", now: datetime) -> bytes:
    """Blocking (tens of milliseconds): call it from a worker thread, never the event loop."""
    data = json.dumps({**document.view, "kind": kind}, ensure_ascii=False)
    with tempfile.TemporaryDirectory(prefix="record-") as root:
        # The card images are the only files the template reads: the render folder is its
        # whole world (Typst cannot read outside its root).
        if kind == "record":
            for thumb in document.images.values():
                (Path(root) / thumb.filename).write_bytes(thumb.data)
        return compile_pdf(TEMPLATE, data, root=root, now=now)
