"""Upload a 50 MB PDF to a real server and measure the server's memory growth and throughput.

    .venv/bin/python benchmarks/upload.py [--mb 50] [--keep]

Starts `python -m app serve --demo` in a subprocess on a free port with a temporary data folder
(the background worker off, so that only the request is measured: the text extraction job would
otherwise start reading the file as soon as it is committed). Signs in as the demo organiser to
raise the meeting's file limit to 60 MB, then as the demo NGO owner, warms the server up with a
one-page upload, and uploads a PDF of about `--mb` MiB (pages of incompressible image data,
like a scan) through the browser form, streamed from disk by the client.

Memory: the server's peak resident set (VmHWM) is reset through /proc/<pid>/clear_refs just
before the upload and read after it, and VmRSS is also sampled every 5 ms; growth is the peak
minus the resident set before the upload. The last line reads
`upload mb=<n> rss_growth_mb=<n> mb_per_s=<n>`.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import pikepdf

ROOT = Path(__file__).resolve().parent.parent
MIB = 1024 * 1024
PROCESS_SLUG = "issyk-kul-dialogue"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def make_pdf(path: Path, mib: int) -> int:
    """About `mib` MiB: one page per MiB, each showing a 1024x1024 grey image of random bytes."""
    pdf = pikepdf.new()
    for _ in range(mib):
        image = pdf.make_stream(
            os.urandom(1024 * 1024),
            Type=pikepdf.Name.XObject,
            Subtype=pikepdf.Name.Image,
            Width=1024,
            Height=1024,
            ColorSpace=pikepdf.Name.DeviceGray,
            BitsPerComponent=8,
        )
        page = pdf.add_blank_page(page_size=(595, 842))
        page.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image))
        page.Contents = pdf.make_stream(b"q 595 0 0 842 0 0 cm /Im0 Do Q")
    pdf.save(path, compress_streams=False)
    return path.stat().st_size


def small_pdf(path: Path) -> None:
    pdf = pikepdf.new()
    page = pdf.add_blank_page(page_size=(595, 842))
    page.Contents = pdf.make_stream(b"")
    pdf.save(path)


def proc_status(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM of a process, in bytes."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            values[name] = int(rest.split()[0]) * 1024
    return values


def reset_peak(pid: int) -> bool:
    """Reset VmHWM to the current RSS (Linux 4.0+, our own process); False if not possible."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        return False
    return True


class RssSampler(threading.Thread):
    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak, self.running = pid, 0, True

    def run(self) -> None:
        while self.running:
            self.peak = max(self.peak, proc_status(self.pid)["VmRSS"])
            time.sleep(0.005)


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    if not match:
        raise RuntimeError("no CSRF token on the page")
    return match.group(1)


def sign_in_as(client: httpx.Client, label: str) -> str:
    """Demo sign-in as the user whose button mentions `label`; returns the session's CSRF token."""
    page = client.get("/auth/signin").text
    forms = re.findall(
        r'action="/auth/demo/(\d+)">.*?Sign in as demo user ([^<]+)</button>', page, re.S
    )
    user_id = next(uid for uid, name in forms if label in name)
    client.post(f"/auth/demo/{user_id}", data={"csrf_token": csrf_of(page)})
    return csrf_of(client.get("/auth/me").text)


def wait_until_up(base: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("the server exited; run with --keep to see its log")
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError("the server did not start within 60 s")


def upload(
    client: httpx.Client, url: str, csrf: str, fields: dict[str, str], path: Path
) -> httpx.Response:
    data = {"csrf_token": csrf, **fields, "idempotency_key": secrets.token_urlsafe(16)}
    with path.open("rb") as file:
        files = {"file": (path.name, file, "application/pdf")}
        return client.post(url, data=data, files=files, timeout=600)


def run(mib: int, keep: bool) -> None:
    work = Path(tempfile.mkdtemp(prefix="plenary-bench-"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "PLENARY_DATA_DIR": str(work / "data"),
        "PLENARY_BASE_URL": base,
        "PLENARY_EMBEDDED_WORKER": "false",
        "PLENARY_SMTP_URL": "",
        "PLENARY_CLAMD_URL": "",
    }
    env.pop("PLENARY_DATABASE_URL", None)
    log = (work / "server.log").open("wb")
    server = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "app", "serve", "--demo", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_until_up(base, server)
        big, warm = work / "paper-50mb.pdf", work / "warm-up.pdf"
        size = make_pdf(big, mib)
        small_pdf(warm)
        with httpx.Client(base_url=base, follow_redirects=False) as client:
            csrf = sign_in_as(client, "(organiser)")
            process = client.get(f"/api/v1/processes/{PROCESS_SLUG}").json()
            meeting = process["meetings"][0]
            raised = client.patch(
                f"/api/v1/meetings/{meeting['id']}",
                json={"max_file_mb": 60},
                headers={"X-CSRF-Token": csrf},
            )
            raised.raise_for_status()
            item = client.get(f"/api/v1/meetings/{meeting['id']}/agenda-items").json()[0]
            client.post("/auth/logout", data={"csrf_token": csrf})

            csrf = sign_in_as(client, "(NGO owner)")
            orgs = client.get("/api/v1/organisations").json()
            org = next(o for o in orgs if o["name"] == "Migrant Workers Support Centre")
            url = f"/processes/{PROCESS_SLUG}/meetings/{meeting['slug']}/papers"
            fields = {
                "organisation_id": str(org["id"]),
                "title": "Benchmark paper",
                "summary": "A large scanned paper.",
                "language": "en",
                "agenda_item_ids": str(item["id"]),
                "consent": "public_named",
            }
            warm_up = upload(client, url, csrf, fields, warm)
            if warm_up.status_code != 303:
                raise RuntimeError(
                    f"warm-up upload failed: {warm_up.status_code} {warm_up.text[:300]}"
                )

            before = proc_status(server.pid)["VmRSS"]
            hwm_reset = reset_peak(server.pid)
            sampler = RssSampler(server.pid)
            sampler.start()
            started = time.perf_counter()
            response = upload(client, url, csrf, {**fields, "title": "Benchmark paper, 50 MB"}, big)
            elapsed = time.perf_counter() - started
            sampler.running = False
            sampler.join()
            status = proc_status(server.pid)
            if response.status_code != 303:
                raise RuntimeError(f"upload failed: {response.status_code} {response.text[:500]}")
        peak = max(sampler.peak, status["VmHWM"] if hwm_reset else 0)
        growth_mb = (peak - before) / MIB
        mb = size / MIB
        print(f"file: {size} bytes ({mb:.1f} MiB); server pid {server.pid}")
        print(f"server RSS before: {before / MIB:.1f} MiB; peak during upload: {peak / MIB:.1f} MiB"
              f" ({'VmHWM reset + ' if hwm_reset else ''}5 ms sampling)")  # fmt: skip
        print(f"upload + checks + commit: {elapsed:.2f} s")
        print(f"upload mb={mib} rss_growth_mb={growth_mb:.1f} mb_per_s={mb / elapsed:.1f}")
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
        if keep:
            print(f"kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=int, default=50, help="size of the PDF in MiB")
    parser.add_argument("--keep", action="store_true", help="keep the data folder and log")
    args = parser.parse_args()
    run(args.mb, args.keep)


if __name__ == "__main__":
    main()
