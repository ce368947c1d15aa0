"""Real documents made on the fly for upload tests: good ones, broken ones and hostile ones.

Nothing binary is committed: every sample is generated here, with pikepdf (PDF), python-docx
(DOCX) or zipfile by hand (ODT and the tampered variants), and is small unless asked otherwise.
"""

from __future__ import annotations

import io
import random
import struct
import zipfile
import zlib
from collections.abc import Iterable, Mapping
from pathlib import Path

import docx
import pikepdf
from pikepdf import Array, Dictionary, Name, String

LOREM = (
    "Civil society organisations call on member states to strengthen public participation "
    "in the negotiations and to publish draft texts in good time before each session."
)

ODT_MIMETYPE = "application/vnd.oasis.opendocument.text"
DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
WORD_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
DOCM_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"


# --- PDF --------------------------------------------------------------------------------------


def _pdf_string(text: str) -> str:
    return "(" + text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"


def _new_pdf_page(pdf: pikepdf.Pdf, font: pikepdf.Object, content: bytes) -> None:
    page = Dictionary(
        Type=Name.Page,
        MediaBox=Array([0, 0, 595, 842]),
        Resources=Dictionary(Font=Dictionary(F1=font)),
        Contents=pdf.make_stream(content),
    )
    pdf.pages.append(pikepdf.Page(page))


def _helvetica(pdf: pikepdf.Pdf) -> pikepdf.Object:
    return pdf.make_indirect(
        Dictionary(
            Type=Name.Font,
            Subtype=Name.Type1,
            BaseFont=Name.Helvetica,
            Encoding=Name.WinAnsiEncoding,
        )
    )


def _to_bytes(pdf: pikepdf.Pdf, **save_options: object) -> bytes:
    out = io.BytesIO()
    pdf.save(out, **save_options)  # type: ignore[arg-type]
    return out.getvalue()


def build_pdf(pages: int = 1, *, lines_per_page: int = 40, text: str = LOREM) -> pikepdf.Pdf:
    """A plain text PDF; each page starts with 'Page N' (Latin-1 text, Helvetica)."""
    pdf = pikepdf.new()
    font = _helvetica(pdf)
    for number in range(1, pages + 1):
        lines = [f"Page {number}"] + [
            f"{line}. {text[: 60 + line % 30]}" for line in range(1, lines_per_page)
        ]
        body = " ".join(f"{_pdf_string(line)} '" for line in lines)
        content = f"BT /F1 10 Tf 14 TL 56 800 Td {body} ET".encode("cp1252")
        _new_pdf_page(pdf, font, content)
    return pdf


def pdf_document(pages: int = 1, *, lines_per_page: int = 40, text: str = LOREM) -> bytes:
    return _to_bytes(build_pdf(pages, lines_per_page=lines_per_page, text=text))


def pdf_with_object_streams(pages: int = 3) -> bytes:
    """PDF 1.5 compressed object and cross-reference streams, as modern producers write."""
    return _to_bytes(build_pdf(pages), object_stream_mode=pikepdf.ObjectStreamMode.generate)


def _to_unicode_cmap(codes: Mapping[str, int]) -> bytes:
    entries = []
    for char, code in codes.items():
        utf16 = char.encode("utf-16-be").hex().upper()
        entries.append(f"<{code:02X}> <{utf16}>")
    blocks = []
    for start in range(0, len(entries), 100):
        chunk = entries[start : start + 100]
        blocks.append(f"{len(chunk)} beginbfchar\n" + "\n".join(chunk) + "\nendbfchar")
    return (
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def /CMapType 2 def\n"
        "1 begincodespacerange <00> <FF> endcodespacerange\n"
        + "\n".join(blocks)
        + "\nendcmap CMapName currentdict /CMap defineresource pop end end\n"
    ).encode("ascii")


def unicode_pdf(text: str) -> bytes:
    """A PDF whose text layer is `text` in any script, with no font file needed.

    The glyphs drawn are Helvetica's (so it looks wrong on screen), but a /ToUnicode map gives
    each code its real character, which is what text extraction reads.
    """
    chars = sorted(set(text) - {" "})
    if len(chars) > 200:
        raise ValueError("at most 200 distinct characters")
    codes = {char: 0x21 + index for index, char in enumerate(chars)}
    codes[" "] = 0x20
    pdf = pikepdf.new()
    font = pdf.make_indirect(
        Dictionary(
            Type=Name.Font,
            Subtype=Name.Type1,
            BaseFont=Name.Helvetica,
            ToUnicode=pdf.make_stream(_to_unicode_cmap(codes)),
        )
    )
    lines = text.split("\n")
    body = " ".join(
        "<" + bytes(codes[c] for c in line).hex() + "> '" for line in lines if line is not None
    )
    _new_pdf_page(pdf, font, f"BT /F1 12 Tf 16 TL 56 800 Td {body} ET".encode("ascii"))
    return _to_bytes(pdf)


def encrypted_pdf(*, user_password: str = "secret", owner_password: str = "owner") -> bytes:  # noqa: S107
    """user_password="" gives a PDF that opens without a password but carries restrictions."""
    restricted = pikepdf.Permissions(extract=False, modify_other=False)
    encryption = pikepdf.Encryption(owner=owner_password, user=user_password, allow=restricted)
    return _to_bytes(build_pdf(2), encryption=encryption)


def pdf_with_javascript(where: str = "open_action") -> bytes:
    """JavaScript run on opening (OpenAction), named (Names tree) or on a link (annotation)."""
    pdf = build_pdf(2)
    script = Dictionary(Type=Name.Action, S=Name.JavaScript, JS=String("app.alert('hi');"))
    if where == "open_action":
        pdf.Root.OpenAction = script
    elif where == "names":
        names = Array([String("init"), pdf.make_indirect(script)])
        pdf.Root.Names = Dictionary(JavaScript=Dictionary(Names=names))
    elif where == "annotation":
        link = Dictionary(
            Type=Name.Annot, Subtype=Name.Link, Rect=Array([0, 0, 100, 100]), A=script
        )
        pdf.pages[1].obj.Annots = Array([pdf.make_indirect(link)])
    elif where == "object_stream":
        pdf.Root.OpenAction = pdf.make_indirect(script)
        return _to_bytes(pdf, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    else:
        raise ValueError(where)
    return _to_bytes(pdf)


def pdf_with_launch_action() -> bytes:
    pdf = build_pdf(1)
    pdf.Root.OpenAction = Dictionary(S=Name.Launch, F=String("calc.exe"))
    return _to_bytes(pdf)


def pdf_with_attachment() -> bytes:
    pdf = build_pdf(1)
    pdf.attachments["payload.exe"] = pikepdf.AttachedFileSpec(pdf, b"MZ\x90\x00 not really")
    return _to_bytes(pdf)


def pdf_with_harmless_open_action() -> bytes:
    """Opening at page 1, fit to width, with a web link: common and harmless."""
    pdf = build_pdf(2)
    pdf.Root.OpenAction = Array([pdf.pages[0].obj, Name.FitH, 842])
    link = Dictionary(
        Type=Name.Annot,
        Subtype=Name.Link,
        Rect=Array([0, 0, 100, 100]),
        A=Dictionary(S=Name.URI, URI=String("https://example.org/")),
    )
    pdf.pages[0].obj.Annots = Array([pdf.make_indirect(link)])
    return _to_bytes(pdf)


def pdf_without_pages() -> bytes:
    return _to_bytes(pikepdf.new())


def truncated(data: bytes, fraction: float = 0.5) -> bytes:
    return data[: int(len(data) * fraction)]


def pdf_with_broken_object(data: bytes) -> bytes:
    """Overwrite the header of an object in the middle: the cross-reference table lies."""
    marker = b"\n5 0 obj"
    at = data.index(marker)
    return data[:at] + b"\nXX garbage" + data[at + len(b"\nXX garbage") :]


# --- other kinds of file ----------------------------------------------------------------------


def png_image(width: int = 4, height: int = 4) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(pixels))
        + chunk(b"IEND", b"")
    )


OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def legacy_word_doc() -> bytes:
    """The first bytes of an old binary .doc (an OLE compound file); enough to be recognised."""
    return OLE_MAGIC + b"\x00" * 504


# --- ZIP-based documents ----------------------------------------------------------------------


def zip_bytes(
    members: Iterable[tuple[str, bytes]] | Mapping[str, bytes],
    *,
    compression: int = zipfile.ZIP_DEFLATED,
    stored: Iterable[str] = (),
) -> bytes:
    items = members.items() if isinstance(members, Mapping) else members
    stored = set(stored)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, body in items:
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED if name in stored else compression
            archive.writestr(info, body)
    return out.getvalue()


def zip_members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def rezip(
    data: bytes,
    *,
    add: Mapping[str, bytes] | None = None,
    drop: Iterable[str] = (),
    replace: Mapping[str, bytes] | None = None,
) -> bytes:
    """The same package with members added, dropped or replaced (order kept)."""
    members = zip_members(data)
    for name in drop:
        del members[name]
    members.update(replace or {})
    members.update(add or {})
    stored = ["mimetype"] if "mimetype" in members else []
    return zip_bytes(members, stored=stored)


def docx_document(paragraphs: Iterable[str] = (LOREM,), *, title: str = "Position paper") -> bytes:
    document = docx.Document()
    document.add_heading(title, level=1)
    for text in paragraphs:
        document.add_paragraph(text)
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "Cell one"
    table.rows[0].cells[1].text = "Cell two"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def large_docx(target_bytes: int = 1024 * 1024, *, seed: int = 1) -> bytes:
    """A text-only DOCX of about `target_bytes`: python-docx's package, a long generated body.

    Words are drawn from a few thousand made-up ones, so the part deflates about like prose.
    """
    rng = random.Random(seed)
    letters = "etaoinshrdlucmfwypvbgkqjxz"
    vocabulary = [
        "".join(rng.choice(letters[: 8 + n % 18]) for _ in range(2 + n % 9)) for n in range(3000)
    ]
    paragraphs = []
    size = 0
    while size < target_bytes * 2.6:  # the XML around the words inflates, deflate then shrinks
        text = " ".join(rng.choice(vocabulary) for _ in range(rng.randint(20, 120)))
        paragraphs.append(f"<w:p><w:r><w:t>{text}.</w:t></w:r></w:p>")
        size += len(text) + 40
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<w:document xmlns:w="{WORD_NS}"><w:body>{"".join(paragraphs)}</w:body></w:document>'
    )
    return rezip(docx_document(), replace={"word/document.xml": document.encode()})


def docx_with_macros() -> bytes:
    """A .docm: the macro-enabled main content type and a VBA project part."""
    data = docx_document()
    types = zip_members(data)["[Content_Types].xml"].decode()
    types = types.replace(DOCX_MAIN, DOCM_MAIN).replace(
        "</Types>",
        '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>',
    )
    return rezip(
        data,
        replace={"[Content_Types].xml": types.encode()},
        add={"word/vbaProject.bin": OLE_MAGIC + b"\x00" * 1000},
    )


def docx_with_hidden_vba_project() -> bytes:
    """The content types say plain DOCX, but a vbaProject.bin rides along."""
    return rezip(docx_document(), add={"word/vbaProject.bin": OLE_MAGIC + b"\x00" * 1000})


def docx_with_ole_object() -> bytes:
    return rezip(docx_document(), add={"word/embeddings/oleObject1.bin": OLE_MAGIC + b"\0" * 512})


def docx_with_doctype() -> bytes:
    """An entity-expansion ('billion laughs') attempt in the main document part."""
    bomb = (
        b'<?xml version="1.0"?>\n<!DOCTYPE w [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>\n'
        b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        b"<w:body><w:p><w:r><w:t>&b;</w:t></w:r></w:p></w:body></w:document>"
    )
    return rezip(docx_document(), replace={"word/document.xml": bomb})


ODT_BODY = f"<text:h text:outline-level='1'>Position paper</text:h><text:p>{LOREM}</text:p>"

ODT_CONTENT = """<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
  xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
  xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" office:version="1.3">
<office:body><office:text>{body}</office:text></office:body></office:document-content>
"""

ODT_MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"
  manifest:version="1.3">
 <manifest:file-entry manifest:full-path="/" manifest:version="1.3"
   manifest:media-type="{mimetype}"/>
 <manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
 <manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/>{entries}
</manifest:manifest>
"""

ODT_META = """<?xml version="1.0" encoding="UTF-8"?>
<office:document-meta xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
  xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" office:version="1.3">
<office:meta><meta:generator>Plenary tests</meta:generator>{statistic}</office:meta>
</office:document-meta>
"""


def odt_document(
    body_xml: str = ODT_BODY,
    *,
    page_count: int | None = 1,
    mimetype: str = ODT_MIMETYPE,
    extra: Mapping[str, bytes] | None = None,
) -> bytes:
    """An ODT built as LibreOffice does: 'mimetype' first and stored, then the XML parts."""
    statistic = (
        "" if page_count is None else f'<meta:document-statistic meta:page-count="{page_count}"/>'
    )
    entries = "".join(
        f'\n <manifest:file-entry manifest:full-path="{name}" manifest:media-type="text/xml"/>'
        for name in (extra or {})
    )
    members = [
        ("mimetype", mimetype.encode()),
        ("content.xml", ODT_CONTENT.format(body=body_xml).encode()),
        ("meta.xml", ODT_META.format(statistic=statistic).encode()),
        ("META-INF/manifest.xml", ODT_MANIFEST.format(mimetype=mimetype, entries=entries).encode()),
        *(extra or {}).items(),
    ]
    return zip_bytes(members, stored=["mimetype"])


def odt_with_basic_macro() -> bytes:
    """An ODT carrying a StarBasic library, laid out as LibreOffice stores one."""
    library = 'xmlns:library="http://openoffice.org/2000/library"'
    container = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<library:libraries {library}>'
        '<library:library library:name="Standard" library:link="false"/></library:libraries>'
    )
    index = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<library:library {library} '
        'library:name="Standard" library:readonly="false" library:passwordprotected="false">'
        '<library:element library:name="Module1"/></library:library>'
    )
    module = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<script:module xmlns:script="http://openoffice.org/2000/script" script:name="Module1"'
        ' script:language="StarBasic">Sub Main\nShell("calc")\nEnd Sub</script:module>'
    )
    return odt_document(
        extra={
            "Basic/script-lc.xml": container.encode(),
            "Basic/Standard/script-lb.xml": index.encode(),
            "Basic/Standard/Module1.xml": module.encode(),
        }
    )


# --- hostile archives -------------------------------------------------------------------------


def write_zip_bomb_docx(path: Path, *, member_size: int = 1024**3) -> None:
    """A DOCX-shaped archive whose document part is `member_size` zeros (1 GiB -> ~1 MB).

    Written in 1 MiB pieces, so the gigabyte never exists in memory.
    """
    base = zip_members(docx_document())
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as out:
        for name, body in base.items():
            if name != "word/document.xml":
                out.writestr(name, body)
        with out.open("word/document.xml", "w", force_zip64=True) as member:
            zeros = bytes(1024 * 1024)
            written = 0
            while written < member_size:
                piece = zeros[: min(len(zeros), member_size - written)]
                member.write(piece)
                written += len(piece)


def zip_with_high_ratio_member(size: int = 20 * 1024 * 1024) -> bytes:
    """Under the total cap, but one member of zeros deflates more than 1000:1."""
    return rezip(docx_document(), add={"word/media/padding.bin": bytes(size)})


def zip_with_many_members(count: int = 5000) -> bytes:
    return rezip(docx_document(), add={f"word/media/p{i}.xml": b"<x/>" for i in range(count)})


def zip_with_member_names(names: Iterable[str]) -> bytes:
    """A DOCX plus members with the given (hostile) names, written raw."""
    return rezip(docx_document(), add=dict.fromkeys(names, b"x"))


def zip_with_duplicate_member() -> bytes:
    """Two 'word/document.xml' entries: readers disagree about which one counts."""
    data = docx_document()
    members = list(zip_members(data).items())
    members.append(("word/document.xml", members[0][1]))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, body in members:
            archive.writestr(name, body)
    return out.getvalue()


def encrypted_zip_member(data: bytes, name: str = "word/document.xml") -> bytes:
    """Set the 'encrypted' flag on one member, as a password-protected ZIP has."""
    buffer = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        local = archive.getinfo(name).header_offset
        central = archive.start_dir
    buffer[local + 6] |= 0x01
    while buffer[central : central + 4] == b"PK\x01\x02":
        name_length, extra_length, comment_length = struct.unpack(
            "<HHH", buffer[central + 28 : central + 34]
        )
        if buffer[central + 46 : central + 46 + name_length] == name.encode():
            buffer[central + 8] |= 0x01
        central += 46 + name_length + extra_length + comment_length
    return bytes(buffer)


# --- polyglots --------------------------------------------------------------------------------


def pdf_with_zip_appended() -> bytes:
    """A PDF that is also a valid ZIP (a DOCX glued to its end)."""
    return pdf_document(1) + docx_document()


def zip_with_pdf_appended() -> bytes:
    """A DOCX followed by a whole PDF: starts as a ZIP, carries a PDF after the archive."""
    return docx_document() + pdf_document(1)


def pdf_header_before_zip() -> bytes:
    """'%PDF-' first, then a DOCX: a PDF reader and a ZIP reader see different files."""
    return b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + docx_document()


def zip_with_pdf_header_inside() -> bytes:
    """A ZIP whose first member is stored and holds a PDF header within the first 1024 bytes."""
    members = {"a.pdf": pdf_document(1)[:200], **zip_members(docx_document())}
    return zip_bytes(members, stored=["a.pdf"])


def html_before_pdf() -> bytes:
    return b"<html><script>alert(1)</script>\n" + pdf_document(1)
