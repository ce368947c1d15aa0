"""Browser journeys: a real server process, the real OpenID Connect provider and SMTP server,
and Debian's Chromium driven by Playwright (never `playwright install`).

Skipped, with the reason, where Chromium or Playwright is missing; CI installs both.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.database import throwaway_database
from tests.support.oidc_provider import OidcAccount, OidcClient, OidcProvider
from tests.support.smtp import SmtpServer

CHROMIUM = os.environ.get("PLENARY_CHROMIUM", "/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "e2e"
AXE_JS = Path(__file__).parent / "node" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
VIEWPORTS: dict[str, Any] = {
    "desktop": {"width": 1280, "height": 900},
    "phone": {"width": 390, "height": 844},
}
NGO_ACCOUNT = OidcAccount("amina", "amina@example.org", "amina-password", "Amina Diallo")

try:
    from playwright.sync_api import (
        Browser,
        BrowserContext,
        Locator,
        Page,
        expect,
        sync_playwright,
    )
except ImportError:  # pragma: no cover - the dev extra installs it
    sync_playwright = None  # type: ignore[assignment]

if sync_playwright is None or not Path(CHROMIUM).exists():
    pytest.skip(
        f"browser journeys need Playwright and Chromium at {CHROMIUM} "
        "(CI installs Debian's chromium via .ci/install-system-packages)",
        allow_module_level=True,
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _ensure_axe() -> None:
    if AXE_JS.exists():
        return
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("npm is needed once to install axe-core for the accessibility checks")
    subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=AXE_JS.parents[2],
        check=True,
        timeout=300,
    )


@dataclass
class LiveSite:
    base_url: str
    idp: OidcProvider
    smtp: SmtpServer
    data_dir: Path

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"


class _Boot:
    """The portal as `plenary serve --demo` runs it, with a real sign-in provider and mail.

    Started as soon as collection shows that journeys will run, so that its start (migrations,
    demo data: many seconds) overlaps the tests that run before them."""

    def __init__(self) -> None:
        self.data_dir = Path(tempfile.mkdtemp(prefix="plenary-e2e-"))
        port = _free_port()
        self.base_url = f"http://127.0.0.1:{port}"
        client = OidcClient("plenary-e2e", "e2e-secret", (f"{self.base_url}/auth/callback/test",))
        self.smtp = SmtpServer()
        self.smtp.start()
        self.idp = OidcProvider(clients=[client], accounts=[NGO_ACCOUNT]).start()
        providers = {
            "test": {
                "discovery_url": self.idp.discovery_url,
                "client_id": client.client_id,
                "client_secret": client.client_secret,
                "label": "Test ID",
            }
        }
        env = {
            **os.environ,
            "PLENARY_DATA_DIR": str(self.data_dir),
            "PLENARY_BASE_URL": self.base_url,
            "PLENARY_OIDC_PROVIDERS": json.dumps(providers),
            "PLENARY_SMTP_URL": self.smtp.url,
        }
        # The server's own database: SQLite in its data folder, or a throwaway PostgreSQL
        # database in the PostgreSQL pass (PLENARY_TEST_DATABASE_URL), as in production.
        self.database = ExitStack()
        url = self.database.enter_context(throwaway_database(self.data_dir))
        if url.startswith("sqlite"):
            env.pop("PLENARY_DATABASE_URL", None)
        else:
            env["PLENARY_DATABASE_URL"] = url
        self.log_path = self.data_dir / "server.log"
        self.log = self.log_path.open("wb")
        command = [sys.executable, "-m", "app", "serve", "--demo", "--port", str(port)]
        self.server = subprocess.Popen(command, env=env, stdout=self.log, stderr=subprocess.STDOUT)

    def wait(self) -> LiveSite:
        _wait_until_up(self.base_url, self.server, self.log_path)
        return LiveSite(self.base_url, self.idp, self.smtp, self.data_dir)

    def stop(self) -> None:
        self.server.terminate()
        try:
            self.server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.server.kill()
        self.log.close()
        self.database.close()
        self.idp.stop()
        self.smtp.stop()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self.log_path, ARTIFACTS / "server.log")
        shutil.rmtree(self.data_dir, ignore_errors=True)


_boot: _Boot | None = None
_boot_error: Exception | None = None


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    global _boot, _boot_error
    here = Path(__file__).parent
    if _boot is None and any(here in Path(str(item.path)).parents for item in items):
        try:
            _boot = _Boot()
        except Exception as exc:  # reported by the journeys that need the site, not the session
            _boot_error = exc


def pytest_sessionfinish() -> None:
    global _boot
    if _boot is not None:
        _boot.stop()
        _boot = None


@pytest.fixture(scope="session")
def site() -> LiveSite:
    global _boot
    _ensure_axe()
    if _boot_error is not None:
        raise _boot_error
    if _boot is None:  # collected some other way: start it now
        _boot = _Boot()
    return _boot.wait()


def _wait_until_up(base_url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 180  # a busy machine: migrations and demo data take long
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited:\n{log.read_text()}")
        try:
            if httpx.get(f"{base_url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the server did not start:\n{log.read_text()}")


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    assert sync_playwright is not None
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if report.when == "call":
        item.stash[_FAILED] = report.failed
    return report


_FAILED = pytest.StashKey[bool]()


@pytest.fixture(params=list(VIEWPORTS))
def viewport(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


@pytest.fixture
def context(
    browser: Browser, viewport: str, request: pytest.FixtureRequest
) -> Iterator[BrowserContext]:
    """A fresh browser profile per test; a failing test keeps its Playwright trace."""
    ctx = browser.new_context(viewport=VIEWPORTS[viewport], locale="en-GB")
    ctx.tracing.start(screenshots=True, snapshots=True)
    yield ctx
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name)
    if request.node.stash.get(_FAILED, False):
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        ctx.tracing.stop(path=str(ARTIFACTS / f"{name}-trace.zip"))
    else:
        ctx.tracing.stop()
    ctx.close()


class Journey:
    """A page plus the checks every visited page must pass: axe, no CSP violation, no sideways
    scrolling at phone width; screenshots of key pages are kept as test artefacts."""

    def __init__(self, page: Page, site: LiveSite, viewport: str, name: str) -> None:
        self.page = page
        self.site = site
        self.viewport = viewport
        self.name = name
        self.console_errors: list[str] = []
        page.on("console", self._on_console)
        # Chromium's own console line does not say which element broke the policy; this does.
        page.add_init_script(
            """document.addEventListener("securitypolicyviolation", (e) => console.error(
                "Content Security Policy violation: " + e.violatedDirective + " by " +
                (e.target && e.target.outerHTML ? e.target.outerHTML.slice(0, 300) : e.target) +
                " from " + e.sourceFile + ":" + e.lineNumber))"""
        )

    def _on_console(self, message: Any) -> None:
        if message.type == "error":
            loc = message.location or {}
            where = f"{loc.get('url', '')}:{loc.get('lineNumber')}:{loc.get('columnNumber')}"
            self.console_errors.append(f"{message.text} (at {where}, on {self.page.url})")

    def goto(self, path: str, *, screenshot: str | None = None) -> None:
        self.page.goto(self.site.url(path))
        self.check(screenshot=screenshot)

    def settle(self) -> None:
        """The page has loaded and htmx has no request, swap or settle under way (quicker
        than waiting for the network to stay idle for half a second, on every page)."""
        self.page.wait_for_load_state("load")
        self.page.wait_for_function(
            """() => window.htmx !== undefined &&
                document.querySelector(".htmx-request, .htmx-swapping, .htmx-settling") === null"""
        )

    def check(self, screenshot: str | None = None) -> None:
        self.settle()
        violations = self.page.evaluate(
            """async () => {
                const result = await axe.run(document, {resultTypes: ['violations'],
                    runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
                return result.violations
                  .filter(v => v.impact === 'serious' || v.impact === 'critical')
                  .map(v => `${v.id} (${v.impact}): ${v.help} — ` +
                            v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '));
            }"""
            if self._axe_loaded()
            else "() => []"
        )
        assert violations == [], f"{self.page.url}: accessibility violations:\n" + "\n".join(
            violations
        )
        csp = [e for e in self.console_errors if "Content Security Policy" in e]
        assert csp == [], f"{self.page.url}: CSP violations: {csp}"
        if self.viewport == "phone":
            overflow = self.page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            if overflow > 0:
                wide = self.page.evaluate(
                    """() => Array.from(document.querySelectorAll("main *"))
                        .filter(e => e.getBoundingClientRect().right >
                                     document.documentElement.clientWidth + 1)
                        .filter(e => !Array.from(e.children).some(c =>
                                     c.getBoundingClientRect().right >
                                     document.documentElement.clientWidth + 1))
                        .slice(0, 5).map(e => e.outerHTML.slice(0, 160))"""
                )
                raise AssertionError(
                    f"{self.page.url} scrolls sideways by {overflow}px at phone width; "
                    "too wide: " + " | ".join(wide)
                )
        if screenshot:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            self.page.screenshot(
                path=str(ARTIFACTS / f"{self.name}-{screenshot}-{self.viewport}.png"),
                full_page=True,
            )

    def sign_in_as_demo_user(self, name: str) -> None:
        """Demo mode's sign-in page: one button per demo user."""
        self.goto("/auth/signin")
        self.page.get_by_role("button", name=f"Sign in as demo user {name}").click()
        expect(self.page.get_by_role("button", name="Sign out")).to_be_visible()

    def sign_in_with_provider(self, account: OidcAccount) -> None:
        """Through the OpenID Connect provider's own login and consent pages."""
        page = self.page
        self.goto("/auth/signin")
        page.get_by_role("link", name="Sign in with Test ID").click()
        page.locator("input[name=login]").fill(account.email)
        page.locator("input[name=password]").fill(account.password)
        page.locator("#login-form [type=submit]").first.click()
        page.locator(
            "#consent-form button[type=submit], #consent-form input[type=submit]"
        ).first.click()
        expect(page.get_by_role("link", name=account.name)).to_be_visible()

    def tab_to(self, target: Locator, *, backwards: bool = False, limit: int = 60) -> None:
        """Press Tab (or Shift+Tab) until the target has the focus, as a keyboard user does;
        fails if it is never reached (a keyboard trap or an unreachable control)."""
        key = "Shift+Tab" if backwards else "Tab"
        for _ in range(limit):
            if target.evaluate("element => element === document.activeElement"):
                outline = target.evaluate(
                    """element => element.matches(":focus-visible") &&
                        getComputedStyle(element).outlineStyle !== "none" """
                )
                assert outline, f"{target} has the focus but shows no focus outline"
                return
            self.page.keyboard.press(key)
        raise AssertionError(f"{target} was not reached with {key} in {limit} presses")

    def _axe_loaded(self) -> bool:
        # page.evaluate runs through DevTools, so the page's strict CSP does not block axe.
        if not self.page.evaluate("typeof window.axe !== 'undefined'"):
            self.page.evaluate(AXE_JS.read_text() + "\n;undefined")
        return True


@pytest.fixture
def journey(
    context: BrowserContext, site: LiveSite, viewport: str, request: pytest.FixtureRequest
) -> Journey:
    name = re.sub(r"[^A-Za-z0-9_]+", "-", request.node.originalname)
    return Journey(context.new_page(), site, viewport, name)
