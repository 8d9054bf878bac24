"""The leader's guide on every step, the agreement's strategic area from the conversation's
focus areas, and neither guide nor bank questions in any record (issue 15, DESIGN §1)."""

from __future__ import annotations

import io
import re

import docx
from pypdf import PdfReader

from app.conversations.guide import PROMPTS, all_prompts
from app.db import write_session
from app.i18n import translate
from app.models import Step
from app.settings import defaults
from app.settings import service as settings
from tests.support import PARTIAL, Client, engine_of
from tests.support.record_pages import setup


def one_line(text: str) -> str:
    return " ".join(text.split())


def with_focus_area(client: Client, name: str = "Grøn omstilling") -> int:
    with write_session(engine_of(client)) as session:
        return settings.add_focus_area(session, name_da=name, name_en="Green transition").id or 0


def test_every_step_has_a_closed_guide_with_its_prompts_and_questions(
    decks_client: Client,
) -> None:
    with_focus_area(decks_client)
    c = setup(decks_client, finish=False)
    for step in Step:
        page = decks_client.get(f"/conversations/{c.id}/{step.value}?lang=en").text
        guide = re.search(r'<details class="guide"[^>]*>(.*?)</details>', page, re.S)
        assert guide is not None, step
        assert "<summary>Leader&#39;s guide</summary>" in guide.group(0)
        assert " open" not in guide.group(0).split(">")[0]
        shown = one_line(guide.group(1)).replace("&#39;", "'").replace("&#34;", '"')
        for prompt in PROMPTS[step]:
            assert one_line(prompt) in shown
        for _, english in defaults.BANK[step]:
            assert english in shown
        appreciative = [en for _, en in defaults.APPRECIATIVE]
        assert all((q in shown) == (step == Step.feedback) for q in appreciative)


def test_the_guide_speaks_danish_in_danish(decks_client: Client) -> None:
    c = setup(decks_client, finish=False)
    page = one_line(decks_client.get(f"/conversations/{c.id}/slut?lang=da").text)
    assert "<summary>Lederens guide</summary>" in page
    assert one_line(translate("da", PROMPTS[Step.slut][0])) in page


def test_the_agreement_form_offers_the_conversations_focus_areas(decks_client: Client) -> None:
    area_id = with_focus_area(decks_client)
    c = setup(decks_client, finish=False)
    page = decks_client.get(f"/conversations/{c.id}/aftaler?lang=en").text
    select = re.search(r'<select id="a-area-new" name="focus_area">(.*?)</select>', page, re.S)
    assert select is not None
    assert '<label for="a-area-new">Strategic area</label>' in page
    assert '<option value="">None</option>' in select.group(1)
    assert f'<option value="{area_id}" >Green transition</option>' in select.group(1)
    added = decks_client.post(
        f"/conversations/{c.id}/agreements",
        data={"text": "Ny rutine", "owner": "both", "focus_area": str(area_id)},
        headers={**PARTIAL, "x-csrftoken": decks_client.csrf},
    )
    assert added.status_code == 200
    record = decks_client.get(f"/conversations/{c.id}/export.json").json()
    mine = [a for a in record["agreements"] if a["text"] == "Ny rutine"]
    # The conversation is in Danish: the record names the area as it does.
    assert [a["strategic_area"] for a in mine] == ["Grøn omstilling"]


def test_an_area_not_offered_is_refused_beside_the_form(decks_client: Client) -> None:
    c = setup(decks_client, finish=False)
    area_id = with_focus_area(decks_client)  # after planning: not in this conversation
    refused = decks_client.post(
        f"/conversations/{c.id}/agreements?lang=en",
        data={"text": "Ny rutine", "owner": "both", "focus_area": str(area_id)},
        headers={**PARTIAL, "x-csrftoken": decks_client.csrf},
    )
    assert refused.status_code == 422
    assert "Choose one of the offered strategic areas." in refused.text


def test_no_record_or_export_holds_the_guide(decks_client: Client) -> None:
    c = setup(decks_client)
    base = f"/conversations/{c.id}"
    texts = {
        "md": decks_client.get(f"{base}/export.md").text,
        "json": decks_client.get(f"{base}/export.json").text,
        "pdf": "\n".join(
            page.extract_text()
            for page in PdfReader(io.BytesIO(decks_client.get(f"{base}/export.pdf").content)).pages
        ),
        "agreements": "\n".join(
            page.extract_text()
            for page in PdfReader(
                io.BytesIO(decks_client.get(f"{base}/agreements.pdf").content)
            ).pages
        ),
        "docx": "\n".join(
            p.text
            for p in docx.Document(
                io.BytesIO(decks_client.get(f"{base}/export.docx").content)
            ).paragraphs
        ),
    }
    assert "Leder Åby" in texts["pdf"] or "Medarbejder" in texts["pdf"]  # the text was read
    hidden = [one_line(translate(lang, p)) for p in all_prompts() for lang in ("da", "en")]
    hidden += [q for questions in defaults.BANK.values() for pair in questions for q in pair]
    hidden += ["Leader's guide", "Lederens guide"]
    for name, text in texts.items():
        flat = one_line(text)
        for phrase in hidden:
            assert phrase not in flat, (name, phrase)
            assert phrase[:40] not in flat, (name, phrase)


def test_an_older_agreement_keeps_its_own_wording_when_edited(decks_client: Client) -> None:
    """Agreements made before focus areas existed have a typed area: the edit form offers
    it, selected, and saving keeps it."""
    c = setup(decks_client, finish=False)  # its agreements have typed areas ("Faglighed")
    page = decks_client.get(f"/conversations/{c.id}/aftaler?lang=en").text
    first = re.search(r'id="agreement-(\d+)"', page)
    assert first is not None
    agreement_id = first.group(1)
    form = re.search(rf'<form[^>]*id="agreement-form-{agreement_id}".*?</form>', page, re.S)
    assert form is not None
    assert '<option value="text:Faglighed" selected>Faglighed</option>' in form.group(0)
    saved = decks_client.post(
        f"/conversations/{c.id}/agreements/{agreement_id}",
        data={"text": "Rettet aftale", "owner": "both", "focus_area": "text:Faglighed"},
        headers={**PARTIAL, "x-csrftoken": decks_client.csrf},
    )
    assert saved.status_code == 200
    record = decks_client.get(f"/conversations/{c.id}/export.json").json()
    edited = [a for a in record["agreements"] if a["text"] == "Rettet aftale"]
    assert [a["strategic_area"] for a in edited] == ["Faglighed"]
    cleared = decks_client.post(
        f"/conversations/{c.id}/agreements/{agreement_id}",
        data={"text": "Rettet aftale", "owner": "both", "focus_area": ""},
        headers={**PARTIAL, "x-csrftoken": decks_client.csrf},
    )
    assert cleared.status_code == 200
    record = decks_client.get(f"/conversations/{c.id}/export.json").json()
    edited = [a for a in record["agreements"] if a["text"] == "Rettet aftale"]
    assert [a["strategic_area"] for a in edited] == [None]
