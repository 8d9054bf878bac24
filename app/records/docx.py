"""The record as a Word document (python-docx), for people who want to edit it. Same view as
the PDF; user text goes in as runs of text, so nothing in it is ever read as markup."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.text.paragraph import Paragraph

from app.records.document import RecordDocument

ACCENT = RGBColor(0x2F, 0x5D, 0x50)
MUTED = RGBColor(0x5B, 0x67, 0x70)
RED = RGBColor(0xA2, 0x26, 0x1C)
THUMB = Cm(2.4)


def _text(paragraph: Paragraph, value: str, **style: Any) -> None:
    """A run per line, with real line breaks between them."""
    for i, line in enumerate(value.split("\n")):
        if i:
            paragraph.add_run().add_break()
        run = paragraph.add_run(line)
        for name, setting in style.items():
            if name == "color":
                run.font.color.rgb = setting
            elif name == "size":
                run.font.size = setting
            else:
                setattr(run, name, setting)


def _page_number(paragraph: Paragraph) -> None:
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)


def _shade(cell: Any, colour: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), colour)
    cell._tc.get_or_add_tcPr().append(shading)


def _picture(paragraph: Paragraph, document: RecordDocument, card: dict[str, Any]) -> None:
    if not card["image"]:
        return
    thumb = next((i for i in document.images.values() if i.filename == card["image"]), None)
    if thumb is not None:
        paragraph.add_run().add_picture(BytesIO(thumb.data), width=THUMB)


def render_docx(document: RecordDocument) -> bytes:
    v = document.view
    t = v["t"]
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2)
    section.top_margin = section.bottom_margin = Cm(2)
    normal = doc.styles["Normal"]
    normal.font.name = "DejaVu Sans"
    normal.font.size = Pt(10)
    doc.core_properties.title = f"{t['title']}: {v['employee']}"
    doc.core_properties.author = v["leader"]
    doc.settings.odd_and_even_pages_header_footer = False

    footer = section.footer.paragraphs[0]
    _text(footer, f"{t['confidential']} · {t['page']} ", size=Pt(8), color=MUTED)
    _page_number(footer)

    if v["organisation"]:
        _text(doc.add_paragraph(), v["organisation"].upper(), bold=True, color=MUTED)
    doc.add_heading(t["title"], level=0)
    _text(doc.add_paragraph(), t["subtitle"], color=MUTED)
    if v["draft"]:
        _text(doc.add_paragraph(), f"{t['draft']}: {t['draft_note']}", bold=True, color=RED)

    facts = [
        (t["employee"], v["employee"]),
        (t["leader"], v["leader"]),
        (t["date"], v["date"]),
        (t["status"], v["status"]),
        (t["follow_up"], v["follow_up_date"]),
    ]
    if v["team"]:
        facts.insert(1, (t["team"], v["team"]))
    if v["focus_areas"]:
        facts.append((t["focus_areas"], v["focus_areas"]))
    table = doc.add_table(rows=0, cols=2)
    for label, value in facts:
        cells = table.add_row().cells
        _text(cells[0].paragraphs[0], label, color=MUTED, size=Pt(9))
        _text(cells[1].paragraphs[0], value, bold=True)
        if label == t["date"] and v["corrected"]:
            # Beside the date it qualifies: the record was changed after it was finished.
            _text(cells[1].paragraphs[0], "\n" + v["corrected"], color=MUTED, size=Pt(9))
        cells[0].width, cells[1].width = Cm(4), Cm(13)
    _text(doc.add_paragraph(), t["record_intro"], italic=True, color=MUTED, size=Pt(9))

    doc.add_heading(t["status_cards"], level=1)
    if not v["status_cards"]:
        _text(doc.add_paragraph(), t["no_cards"], italic=True, color=MUTED)
    for card in v["status_cards"]:
        cells = doc.add_table(rows=1, cols=2).rows[0].cells
        cells[0].width, cells[1].width = Cm(3), Cm(14)
        _picture(cells[0].paragraphs[0], document, card)
        _text(cells[1].paragraphs[0], card["title"], bold=True)
        _text(cells[1].add_paragraph(), card["note"] or t["nothing"])

    # A follow-up or check-in has no board and no feedback of its own.
    if not v.get("short"):
        doc.add_heading(t["board"], level=1)
        for row in v["rows"]:
            heading = doc.add_heading(level=2)
            _text(heading, row["name"])
            _text(doc.add_paragraph(), row["question"], italic=True, color=MUTED)
            if not row["cards"]:
                _text(doc.add_paragraph(), t["no_cards"], italic=True, color=MUTED)
            else:
                grid = doc.add_table(rows=1, cols=len(row["cards"]))
                for cell, card in zip(grid.rows[0].cells, row["cards"], strict=True):
                    _picture(cell.paragraphs[0], document, card)
                    _text(cell.add_paragraph(), card["title"], bold=True)
                    if card["note"] and not row["long"]:
                        _text(cell.add_paragraph(), card["note"], size=Pt(9))
                if row["long"]:
                    for card in row["cards"]:
                        paragraph = doc.add_paragraph()
                        _text(paragraph, card["title"] + ": ", bold=True)
                        _text(paragraph, card["note"])
            if row["note"]:
                paragraph = doc.add_paragraph()
                _text(paragraph, t["row_note"] + ": ", bold=True)
                _text(paragraph, row["note"])

        doc.add_heading(t["feedback"], level=1)
        if not v["feedback"]:
            _text(doc.add_paragraph(), t["nothing"], italic=True, color=MUTED)
        for item in v["feedback"]:
            doc.add_heading(item["label"], level=3)
            _text(doc.add_paragraph(), item["text"])
        _text(doc.add_paragraph(), v["shareable"], italic=True, color=MUTED)

    if v["topics"]:
        doc.add_heading(t["topics"], level=1)
        for topic in v["topics"]:
            _text(doc.add_paragraph(style="List Bullet"), f"{topic['text']} ({topic['from']})")

    if v["previous"]:
        doc.add_heading(t["previous"], level=1)
        _agreement_table(
            doc,
            [t["what"], t["status"], t["comment"]],
            [[a["text"], a["status"], a["comment"]] for a in v["previous"]],
        )

    doc.add_heading(t["agreements"], level=1)
    if not v["agreements"]:
        message = t["no_agreements"] if v["no_agreements"] else t["none_yet"]
        _text(doc.add_paragraph(), message, italic=True, color=MUTED)
    else:
        _agreement_table(
            doc,
            ["#", t["what"], t["responsible"], t["deadline"], t["strategic_area"]],
            [
                [
                    a["n"],
                    a["text"] + (f"\n{t['from_cards']}: {a['cards']}" if a["cards"] else ""),
                    a["owner"],
                    a["due"],
                    a["area"],
                ]
                for a in v["agreements"]
            ],
        )

    doc.add_heading(t["follow_up"], level=1)
    _text(doc.add_paragraph(), v["follow_up"])
    doc.add_heading(t["signatures"], level=1)
    signatures = doc.add_table(rows=1, cols=2)
    for cell, (role, name) in zip(
        signatures.rows[0].cells,
        ((t["employee"], v["employee"]), (t["leader"], v["leader"])),
        strict=True,
    ):
        _text(cell.paragraphs[0], "\n\n\n" + "_" * 34)
        _text(cell.add_paragraph(), t["signature_date"], size=Pt(8), color=MUTED)
        paragraph = cell.add_paragraph()
        _text(paragraph, name, bold=True)
        _text(paragraph, f" ({role})", size=Pt(8), color=MUTED)
    _text(doc.add_paragraph(), t["generated"], size=Pt(8), color=MUTED)

    out = BytesIO()
    doc.save(out)
    return out.getvalue()


def _agreement_table(doc: Any, headers: list[str], rows: list[list[str]]) -> None:
    table = doc.add_table(rows=1, cols=len(headers))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.style = doc.styles["Table Grid"]
    # As in the PDF: the header repeats on every page, a row is never split across two.
    _row_property(table.rows[0], "w:tblHeader")
    for cell, header in zip(table.rows[0].cells, headers, strict=True):
        _text(cell.paragraphs[0], header, bold=True, size=Pt(9))
        _shade(cell, "F2F6F4")
    for values in rows:
        row = table.add_row()
        _row_property(row, "w:cantSplit")
        for cell, value in zip(row.cells, values, strict=True):
            _text(cell.paragraphs[0], value, size=Pt(9))


def _row_property(row: Any, name: str) -> None:
    row._tr.get_or_add_trPr().append(OxmlElement(name))
