"""Office documents to PDF with a headless LibreOffice (``soffice --convert-to pdf``).

Runs in a background job, never on the event loop: a conversion takes a second or more.
Every call gets its own LibreOffice profile folder (two soffice processes sharing one profile
silently write nothing) and its own output folder, so calls may run in parallel.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

DEFAULT_TIMEOUT_S = 120.0

# LibreOffice import filters by file suffix. Without one, LibreOffice guesses from the content
# and falls back to importing unknown bytes as plain text (a random blob named .docx becomes a
# PDF full of noise); passing the filter of the sniffed type makes such a file fail instead.
INPUT_FILTERS: dict[str, str] = {
    ".docx": "MS Word 2007 XML",
    ".doc": "MS Word 97",
    ".odt": "writer8",
    ".rtf": "Rich Text Format",
}

_BINARIES = ("soffice", "libreoffice")
_OUTPUT_TAIL = 2000


class ConversionFailed(Exception):
    """The document could not be turned into a PDF; the message says why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def libreoffice_binary() -> str | None:
    for name in _BINARIES:
        found = shutil.which(name)
        if found:
            return found
    return None


def libreoffice_available() -> bool:
    return libreoffice_binary() is not None


def convert_to_pdf(
    source: Path,
    out_dir: Path,
    *,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    input_filter: str | None = None,
) -> Path:
    """Convert ``source`` to ``out_dir/<source stem>.pdf`` (replacing a file of that name).

    ``input_filter`` is a LibreOffice import filter name (see INPUT_FILTERS); None lets
    LibreOffice detect the type. Raises ConversionFailed.
    """
    binary = libreoffice_binary()
    if binary is None:
        raise ConversionFailed(
            "LibreOffice is not installed (neither soffice nor libreoffice is on PATH); "
            "cannot convert documents to PDF"
        )
    if not source.is_file():
        raise ConversionFailed(f"cannot convert {source.name}: the file does not exist")
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="plenary-soffice-") as work_name:
        work = Path(work_name)
        profile, produced_dir = work / "profile", work / "out"
        produced_dir.mkdir()
        command = [
            binary,
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--nologo",
            "--nodefault",
            f"-env:UserInstallation={profile.as_uri()}",
        ]
        if input_filter:
            command.append(f"--infilter={input_filter}")
        # An absolute path, so a file name starting with "-" is never taken for an option.
        command += ["--convert-to", "pdf", "--outdir", str(produced_dir), str(source.resolve())]
        returncode, output = _run(command, timeout_s, source)
        if returncode != 0:
            raise ConversionFailed(
                f"LibreOffice could not convert {source.name} (exit status {returncode})"
                + _tail(output)
            )
        produced = sorted(produced_dir.glob("*.pdf"))
        if not produced:
            raise ConversionFailed(
                f"LibreOffice produced no PDF for {source.name} (the file may be damaged or "
                "not a document it can read)" + _tail(output)
            )
        _check_pdf(produced[0], source)
        target = out_dir / f"{source.stem}.pdf"
        shutil.move(produced[0], target)
        return target


def _run(command: list[str], timeout_s: float, source: Path) -> tuple[int, str]:
    """Run soffice in its own process group, so a timeout can kill everything it started."""
    process = subprocess.Popen(  # noqa: S603 - a fixed binary, no shell, our own arguments
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    timed_out = False
    try:
        stdout, _ = process.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        stdout, timed_out = b"", True
    finally:
        # On every path: leftovers (e.g. soffice.bin) must not outlive the profile folder.
        _kill_group(process)
    if timed_out:
        raise ConversionFailed(
            f"LibreOffice took longer than {timeout_s:g} s to convert {source.name}; stopped it"
        )
    return process.returncode, stdout.decode("utf-8", "replace")


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    if process.returncode is None:
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.communicate(timeout=10)


def _check_pdf(path: Path, source: Path) -> None:
    with path.open("rb") as produced:
        head = produced.read(5)
    if head != b"%PDF-":
        detail = "an empty file" if not head else "a file that is not a PDF"
        raise ConversionFailed(f"LibreOffice produced {detail} for {source.name}")


def _tail(output: str) -> str:
    lines = [
        line
        for line in output.strip().splitlines()
        if line.strip() and "javaldx" not in line  # a harmless warning when Java is absent
    ]
    text = "\n".join(lines)[-_OUTPUT_TAIL:]
    return f": {text}" if text else ""
