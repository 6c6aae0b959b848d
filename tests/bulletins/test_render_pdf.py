"""The document as PDF: A4, the text and figures of the layout, the shipped fonts, no network."""

import io

import pytest
from pypdf import PdfReader

from bulletins.render import fonts, render
from bulletins.render.pdf import LocalFetcher, RefusedURL, render_pdf
from tests.bulletins.conftest import load_payload, make_doc

A4 = (595.3, 841.9)  # points


@pytest.fixture(scope="module")
def city_month_pdf() -> bytes:
    return render(make_doc(load_payload("city_month")), "pdf")


@pytest.fixture(scope="module")
def reader(city_month_pdf) -> PdfReader:
    return PdfReader(io.BytesIO(city_month_pdf))


@pytest.fixture(scope="module")
def text(reader) -> str:
    return "\n".join(page.extract_text() for page in reader.pages)


def test_it_is_an_a4_pdf_of_several_pages(city_month_pdf, reader):
    assert city_month_pdf.startswith(b"%PDF-")
    assert len(reader.pages) > 1
    for page in reader.pages:
        assert float(page.mediabox.width) == pytest.approx(A4[0], abs=1)
        assert float(page.mediabox.height) == pytest.approx(A4[1], abs=1)


def test_text_has_the_head_and_the_headline_figures(text):
    assert "江临市公安局打击治理电信网络诈骗工作通报" in text
    assert "2026年第10期" in text
    assert "损失342.63万元" in text
    assert "立案97起" in text
    assert "各单位发案情况" in text
    assert "— 2 —" in text  # page numbers


def test_metadata_comes_from_the_layout_and_the_issue_date(reader):
    assert reader.metadata.title == "江临市公安局打击治理电信网络诈骗工作通报（2026年第10期）"
    assert reader.metadata.author == "江临市公安局"
    assert reader.metadata["/CreationDate"] == "D:20261102093000+08'00"


def test_only_the_shipped_fonts_are_embedded(reader):
    embedded = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
            assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
            embedded.add(font["/BaseFont"].split("+", 1)[-1].replace("-", ""))
    assert embedded == {"BulletinSerifSC", "BulletinSansSC", "BulletinSansSCBold"}


def test_a_draft_is_marked_and_the_output_is_reproducible(city_day_doc):
    first = render_pdf(city_day_doc)
    assert "草稿·未签发" in PdfReader(io.BytesIO(first)).pages[0].extract_text()
    assert render_pdf(city_day_doc) == first


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/logo.png",
        "https://example.com/font.otf",
        "ftp://example.com/x",
        "file:///etc/passwd",
        (fonts.FONT_DIR / ".." / "models.py").as_uri(),
    ],
)
def test_the_fetcher_refuses_the_network_and_files_beyond_the_fonts(url):
    with pytest.raises(RefusedURL):
        LocalFetcher().fetch(url)


def test_the_fetcher_reads_data_urls_and_the_fonts():
    assert LocalFetcher().fetch("data:text/plain;base64,5Y+N6K+I").read() == "反诈".encode()
    response = LocalFetcher().fetch(fonts.SERIF.as_uri())
    assert response.read(4) == b"OTTO"
    response.close()
