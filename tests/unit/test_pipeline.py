from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import Engine

from app.errors import DomainError
from app.media.pipeline import process_image
from tests.factories import image_bytes

BUDGET = 50_000_000


def open_variant(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_variants_are_webp_at_each_width_not_wider_than_the_source() -> None:
    result = process_image(image_bytes((4000, 3000)), max_pixels=BUDGET)
    assert [(v.width, v.height) for v in result.variants] == [(320, 240), (640, 480), (1280, 960)]
    for variant in result.variants:
        assert open_variant(variant.data).format == "WEBP"


def test_small_image_gets_one_variant_at_its_own_width() -> None:
    result = process_image(image_bytes((200, 250)), max_pixels=BUDGET)
    assert [(v.width, v.height) for v in result.variants] == [(200, 250)]


def test_exif_orientation_is_applied() -> None:
    # Orientation 6: the camera was turned; the stored 800x600 is shown as 600x800.
    result = process_image(image_bytes((800, 600), orientation=6), max_pixels=BUDGET)
    assert (result.width, result.height) == (600, 800)
    largest = open_variant(result.variants[-1].data)
    assert largest.size == (600, 800)
    # The blue marker, top-left in the stored pixels, is top-right once rotated 90° clockwise.
    r, _g, b = largest.convert("RGB").getpixel((largest.width - 20, 20))
    assert b > 200 and r < 60


def test_metadata_and_gps_are_stripped() -> None:
    source = image_bytes((1000, 800), orientation=1, gps=True)
    assert Image.open(io.BytesIO(source)).getexif().get_ifd(0x8825)
    for variant in process_image(source, max_pixels=BUDGET).variants:
        image = open_variant(variant.data)
        assert not image.getexif()
        assert "exif" not in image.info and "icc_profile" not in image.info


def test_pixel_budget_is_refused_before_decoding() -> None:
    with pytest.raises(DomainError) as error:
        process_image(image_bytes((3000, 2000), fmt="PNG"), max_pixels=5_000_000)
    assert "too many pixels" in error.value.message


def test_not_an_image_is_refused() -> None:
    with pytest.raises(DomainError) as error:
        process_image(b"<html><script>alert(1)</script></html>", max_pixels=BUDGET)
    assert "supported format" in error.value.message


def test_svg_and_gif_are_refused() -> None:
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>'
    with pytest.raises(DomainError):
        process_image(svg, max_pixels=BUDGET)
    with pytest.raises(DomainError):
        process_image(image_bytes((40, 40), fmt="GIF", mode="P", colour=1), max_pixels=BUDGET)


def test_truncated_jpeg_is_refused() -> None:
    data = image_bytes((1200, 900))
    with pytest.raises(DomainError) as error:
        process_image(data[: len(data) // 2], max_pixels=BUDGET)
    assert "damaged" in error.value.message


def test_cmyk_and_16_bit_images_are_converted() -> None:
    cmyk = image_bytes((500, 400), mode="CMYK", colour=(0, 50, 100, 0))
    assert open_variant(process_image(cmyk, max_pixels=BUDGET).variants[0].data).mode == "RGB"
    grey16 = image_bytes((500, 400), fmt="PNG", mode="I;16", colour=40000)
    variant = open_variant(process_image(grey16, max_pixels=BUDGET).variants[0].data)
    value = variant.convert("L").getpixel((250, 200))
    assert 140 < value < 170  # 40000 / 65535 of white, not clipped to 255


def test_same_bytes_same_hash_and_variant_names() -> None:
    data = image_bytes((900, 700))
    first, second = (process_image(data, max_pixels=BUDGET) for _ in range(2))
    assert first.sha256 == second.sha256
    assert [v.sha256 for v in first.variants] == [v.sha256 for v in second.variants]


def test_variants_are_read_from_the_database_once_per_image(engine: Engine) -> None:
    from sqlalchemy import event

    from app.db import read_session, write_session
    from app.media.pipeline import process_image as process
    from app.media.service import store_image, variants_of

    processed = process(image_bytes((900, 600)), max_pixels=50_000_000)
    with write_session(engine) as session:
        store_image(session, processed)
        session.commit()
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    with read_session(engine) as session:
        first = variants_of(session, [processed.sha256, "0" * 64])
        second = variants_of(session, [processed.sha256])
    assert [v.width for v in first[processed.sha256]] == [320, 640, 900]
    assert first["0" * 64] == []  # unknown: asked again next time, never remembered as empty
    assert second == {processed.sha256: first[processed.sha256]}
    assert sum("image_variants" in s for s in statements) == 1
