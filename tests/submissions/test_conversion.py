"""Document to PDF conversion with a real headless LibreOffice (a handful of ~1.5 s runs), and
stand-in `soffice` scripts for the failure paths that need no real conversion."""

from __future__ import annotations

import os
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader

from app.submissions.conversion import (
    INPUT_FILTERS,
    ConversionFailed,
    convert_to_pdf,
    libreoffice_available,
)

needs_libreoffice = pytest.mark.skipif(
    not libreoffice_available(),
    reason="LibreOffice is not installed (Debian package libreoffice-writer-nogui; CI installs it "
    "with .ci/install-system-packages)",
)


def _docx(path: Path, text: str) -> Path:
    document = docx.Document()
    document.add_heading("Written submission", level=1)
    document.add_paragraph(text)
    document.save(str(path))
    return path


_ODT_MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"
    manifest:version="1.2">
  <manifest:file-entry manifest:full-path="/" manifest:version="1.2"
      manifest:media-type="application/vnd.oasis.opendocument.text"/>
  <manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
  <manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml"/>
</manifest:manifest>
"""

_ODT_STYLES = """<?xml version="1.0" encoding="UTF-8"?>
<office:document-styles xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
    office:version="1.2"/>
"""


def _odt(path: Path, text: str) -> Path:
    """An OpenDocument text built by hand: `mimetype` first and stored, then the XML parts."""
    content = f"""<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
    xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">
  <office:body><office:text>
    <text:h text:outline-level="1">Written submission</text:h>
    <text:p>{text}</text:p>
  </office:text></office:body>
</office:document-content>
"""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"),
            "application/vnd.oasis.opendocument.text",
            compress_type=zipfile.ZIP_STORED,
        )
        archive.writestr("META-INF/manifest.xml", _ODT_MANIFEST, zipfile.ZIP_DEFLATED)
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        archive.writestr("styles.xml", _ODT_STYLES, zipfile.ZIP_DEFLATED)
    return path


def _pdf_text(path: Path) -> str:
    reader = PdfReader(path)
    assert len(reader.pages) >= 1
    return " ".join(page.extract_text() for page in reader.pages)


@needs_libreoffice
def test_docx_and_odt_convert_in_parallel(tmp_path: Path) -> None:
    """Two conversions at once (each has its own profile); both formats come out as PDFs."""
    sources = [
        _docx(tmp_path / "paper.docx", "Input from the Coalition for Clean Water."),
        _odt(tmp_path / "notes.odt", "Comments on agenda item 3.b from Friends of the Forest."),
    ]
    out_dir = tmp_path / "pdf"

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda source: convert_to_pdf(source, out_dir), sources))
    elapsed = time.monotonic() - started

    assert results == [out_dir / "paper.pdf", out_dir / "notes.pdf"]
    assert "Coalition for Clean Water" in _pdf_text(results[0])
    assert "Friends of the Forest" in _pdf_text(results[1])
    assert sorted(p.name for p in out_dir.iterdir()) == ["notes.pdf", "paper.pdf"]
    assert elapsed < 60


@needs_libreoffice
def test_a_corrupt_docx_fails(tmp_path: Path) -> None:
    corrupt = tmp_path / "broken.docx"
    corrupt.write_bytes(b"PK\x03\x04" + b"not really a zip archive" * 50)

    with pytest.raises(ConversionFailed, match=r"produced no PDF for broken\.docx"):
        convert_to_pdf(corrupt, tmp_path / "pdf")
    assert not (tmp_path / "pdf" / "broken.pdf").exists()


@needs_libreoffice
def test_with_an_input_filter_random_bytes_are_not_imported_as_text(tmp_path: Path) -> None:
    # Without a filter, LibreOffice would import these bytes as plain text and make a PDF of noise.
    blob = tmp_path / "paper.docx"
    blob.write_bytes(os.urandom(4096))

    with pytest.raises(ConversionFailed, match="produced no PDF"):
        convert_to_pdf(blob, tmp_path / "pdf", input_filter=INPUT_FILTERS[".docx"])


def test_without_libreoffice_it_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    source = tmp_path / "paper.docx"
    source.write_bytes(b"whatever")

    assert not libreoffice_available()
    with pytest.raises(ConversionFailed, match="LibreOffice is not installed"):
        convert_to_pdf(source, tmp_path / "pdf")


def test_a_missing_source_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_soffice(tmp_path, monkeypatch, "exit 0")

    with pytest.raises(ConversionFailed, match="does not exist"):
        convert_to_pdf(tmp_path / "nothing.docx", tmp_path / "pdf")


# Stand-in `soffice` scripts: the failure paths, quickly and without LibreOffice.

_FIND_OUTDIR = 'while [ $# -gt 0 ]; do [ "$1" = "--outdir" ] && out="$2"; shift; done\n'


def _fake_soffice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str) -> None:
    bin_dir = tmp_path / "fake-bin"
    bin_dir.mkdir(exist_ok=True)
    script = bin_dir / "soffice"
    script.write_text(f"#!/bin/sh\n{_FIND_OUTDIR}{body}\n")
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}/usr/bin{os.pathsep}/bin")


@pytest.fixture
def source(tmp_path: Path) -> Path:
    path = tmp_path / "paper.docx"
    path.write_bytes(b"stand-in")
    return path


def test_a_non_zero_exit_fails_with_its_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: Path
) -> None:
    _fake_soffice(tmp_path, monkeypatch, 'echo "Error: something broke"\nexit 3')

    with pytest.raises(ConversionFailed, match=r"exit status 3\): Error: something broke"):
        convert_to_pdf(source, tmp_path / "pdf")


def test_an_empty_output_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: Path
) -> None:
    _fake_soffice(tmp_path, monkeypatch, ': > "$out/paper.pdf"')

    with pytest.raises(ConversionFailed, match="produced an empty file"):
        convert_to_pdf(source, tmp_path / "pdf")


def test_an_output_that_is_not_a_pdf_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: Path
) -> None:
    _fake_soffice(tmp_path, monkeypatch, 'echo "<html>" > "$out/paper.pdf"')

    with pytest.raises(ConversionFailed, match="not a PDF"):
        convert_to_pdf(source, tmp_path / "pdf")


def test_the_result_replaces_an_older_pdf_of_the_same_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: Path
) -> None:
    _fake_soffice(tmp_path, monkeypatch, 'printf "%%PDF-1.7 new" > "$out/paper.pdf"')
    out_dir = tmp_path / "pdf"
    out_dir.mkdir()
    (out_dir / "paper.pdf").write_bytes(b"%PDF-1.4 old")

    assert convert_to_pdf(source, out_dir) == out_dir / "paper.pdf"
    assert (out_dir / "paper.pdf").read_bytes() == b"%PDF-1.7 new"


def test_a_timeout_kills_the_whole_process_group(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: Path
) -> None:
    pid_file = tmp_path / "child.pid"
    _fake_soffice(tmp_path, monkeypatch, f'sleep 60 &\necho $! > "{pid_file}"\nwait')

    started = time.monotonic()
    with pytest.raises(ConversionFailed, match=r"longer than 0\.5 s to convert paper\.docx"):
        convert_to_pdf(source, tmp_path / "pdf", timeout_s=0.5)

    assert time.monotonic() - started < 10
    child = int(pid_file.read_text())
    assert _gone(child), "the child of the timed-out soffice is still running"


def _gone(pid: int, wait_s: float = 5.0) -> bool:
    """True once `pid` has exited (absent, or a zombie waiting for its new parent to reap it)."""
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (FileNotFoundError, ProcessLookupError):
            return True
        if state in ("Z", "X"):
            return True
        time.sleep(0.05)
    return False
