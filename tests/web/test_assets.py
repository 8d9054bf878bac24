"""Static files: a link names the file's content, so the browser keeps it a year and asks
again only when the file changed; text is sent compressed (DESIGN §8, first load and second
visit)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from app import assets
from tests.support import Client


def test_pages_link_each_file_by_its_content_and_the_browser_keeps_it(client: Client) -> None:
    page = client.get("/login").text
    links = re.findall(r'(?:href|src)="(/static/[^"]+)"', page)
    assert links and all(re.search(r"\?v=[0-9a-f]{12}$", link) for link in links)
    css = next(link for link in links if link.startswith("/static/css/app.css"))
    kept = client.get(css)
    assert kept.headers["cache-control"] == "public, max-age=31536000, immutable"
    # Without the version a link may name any content: asked again each time.
    assert client.get("/static/css/app.css").headers["cache-control"] == "no-cache"
    manifest = client.get("/manifest.webmanifest").json()
    icon = client.get(manifest["icons"][0]["src"])
    assert icon.status_code == 200 and "immutable" in icon.headers["cache-control"]


def test_text_is_sent_compressed_and_pictures_as_they_are(client: Client) -> None:
    css = client.get(assets.asset_path("css/app.css"), headers={"accept-encoding": "gzip"})
    assert css.headers["content-encoding"] == "gzip"
    on_disk = (assets.STATIC_DIR / "css/app.css").read_bytes()
    assert css.content == on_disk  # httpx decodes what the server compressed
    assert css.num_bytes_downloaded < len(on_disk) / 3
    htmx = client.get(
        assets.asset_path("js/htmx-4.0.1.min.js"), headers={"accept-encoding": "gzip"}
    )
    assert htmx.headers["content-encoding"] == "gzip"
    icon = client.get(assets.asset_path("icons/icon-512.png"), headers={"accept-encoding": "gzip"})
    assert "content-encoding" not in icon.headers


def test_a_changed_file_gets_a_new_link(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "css").mkdir()
    file = tmp_path / "css" / "app.css"
    file.write_text("body { color: black; }")
    monkeypatch.setattr(assets, "STATIC_DIR", tmp_path)
    first = assets.asset_path("css/app.css")
    assert first == assets.asset_path("css/app.css")
    file.write_text("body { color: navy; }")
    later = file.stat().st_mtime + 1  # the same instant would look unchanged on some disks
    os.utime(file, (later, later))
    second = assets.asset_path("css/app.css")
    assert second != first and second.startswith("/static/css/app.css?v=")
