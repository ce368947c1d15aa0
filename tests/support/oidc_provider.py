"""Start and drive the real OpenID Connect provider in ``tests/oidc`` (npm ``oidc-provider``).

Typical use in a pytest fixture::

    with OidcProvider(clients=[OidcClient("plenary", "secret", (redirect_uri,))]) as idp:
        settings.oidc_discovery_url = idp.discovery_url
        ...
        callback = login_through_provider(authorize_url, "alice@example.org", "alice-password")

The provider keeps everything in memory; a new process starts with no sessions or grants.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import hashlib
import json
import os
import queue
import secrets
import shutil
import subprocess
import tempfile
import threading
import time
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import httpx

OIDC_DIR = Path(__file__).resolve().parent.parent / "oidc"
SERVER_SCRIPT = OIDC_DIR / "server.mjs"
READY_PREFIX = "OIDC READY "


@dataclass(frozen=True)
class OidcClient:
    """A static client registered at the provider (client_secret_basic or _post, PKCE S256)."""

    client_id: str
    client_secret: str
    redirect_uris: tuple[str, ...]
    post_logout_redirect_uris: tuple[str, ...] | None = None  # None: origin + "/" of each redirect

    @property
    def redirect_uri(self) -> str:
        return self.redirect_uris[0]

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "redirect_uris": list(self.redirect_uris),
        }
        if self.post_logout_redirect_uris is not None:
            data["post_logout_redirect_uris"] = list(self.post_logout_redirect_uris)
        return data


@dataclass(frozen=True)
class OidcAccount:
    """An end-user of the provider; ``login`` on the form accepts ``email`` or ``id``."""

    id: str
    email: str
    password: str
    name: str
    email_verified: bool = True

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "email": self.email,
            "email_verified": self.email_verified,
            "name": self.name,
            "password": self.password,
        }


DEFAULT_CLIENTS: tuple[OidcClient, ...] = (
    OidcClient("plenary", "plenary-test-secret", ("http://127.0.0.1:8000/auth/callback",)),
    OidcClient("other-app", "other-app-secret", ("http://127.0.0.1:8001/callback",)),
)
DEFAULT_ACCOUNTS: tuple[OidcAccount, ...] = (
    OidcAccount("alice", "alice@example.org", "alice-password", "Alice Example"),
    OidcAccount("bob", "bob@example.org", "bob-password", "Bob Example"),
    OidcAccount(
        "carol", "carol@example.org", "carol-password", "Carol Unverified", email_verified=False
    ),
)


class OidcProviderError(RuntimeError):
    """The provider could not be installed, started, or did not behave as expected."""


class OidcLoginError(OidcProviderError):
    """The login flow did not reach the client's redirect URI (e.g. wrong password)."""

    def __init__(self, message: str, *, url: str = "", status: int = 0, body: str = "") -> None:
        super().__init__(f"{message} (at {url}, HTTP {status})\n{body[:2000]}")
        self.url = url
        self.status = status
        self.body = body


# --------------------------------------------------------------------------- npm install


def ensure_node_modules(npm: str = "npm", node: str = "node") -> None:
    """Run ``npm ci`` in tests/oidc unless its node_modules is already there."""
    if shutil.which(node) is None:
        raise OidcProviderError(
            f"{node!r} not found on PATH: the test OpenID provider needs Node.js (>= 20)"
        )
    marker = OIDC_DIR / "node_modules" / "oidc-provider" / "package.json"
    if marker.exists():
        return
    npm_path = shutil.which(npm)
    if npm_path is None:
        raise OidcProviderError(
            f"{npm!r} not found on PATH: needed once to install tests/oidc (npm ci)"
        )
    digest = hashlib.sha256(str(OIDC_DIR).encode()).hexdigest()[:16]
    lock_path = Path(tempfile.gettempdir()) / f"plenary-oidc-npm-{digest}.lock"
    with lock_path.open("w") as lock:  # parallel test workers install only once
        fcntl.flock(lock, fcntl.LOCK_EX)
        if marker.exists():
            return
        result = subprocess.run(
            [npm_path, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=OIDC_DIR,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if result.returncode != 0 or not marker.exists():
            raise OidcProviderError(
                f"`npm ci` in {OIDC_DIR} failed (exit {result.returncode}):\n"
                f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
            )


# --------------------------------------------------------------------------- provider process


@dataclass
class OidcProvider:
    """A running ``tests/oidc/server.mjs``; use as a context manager or call start()/stop().

    ``port=0`` (the default) lets the provider bind a free port itself and report it in its
    READY line, so there is no race between choosing a port and binding it.
    """

    clients: Sequence[OidcClient] = DEFAULT_CLIENTS
    accounts: Sequence[OidcAccount] = DEFAULT_ACCOUNTS
    port: int = 0
    host: str = "127.0.0.1"
    startup_timeout: float = 20.0
    cookie_keys: Sequence[str] = ("plenary-test-cookie-key-1",)
    node: str = "node"
    npm: str = "npm"
    issuer: str = field(default="", init=False)
    _process: subprocess.Popen[str] | None = field(default=None, init=False, repr=False)
    _stderr: deque[str] = field(default_factory=lambda: deque(maxlen=200), init=False, repr=False)
    _stdout: deque[str] = field(default_factory=lambda: deque(maxlen=200), init=False, repr=False)

    # -- derived URLs --------------------------------------------------------------------

    @property
    def discovery_url(self) -> str:
        return f"{self._require_issuer()}/.well-known/openid-configuration"

    @property
    def authorization_endpoint(self) -> str:
        return f"{self._require_issuer()}/auth"

    @property
    def token_endpoint(self) -> str:
        return f"{self._require_issuer()}/token"

    @property
    def userinfo_endpoint(self) -> str:
        return f"{self._require_issuer()}/me"

    @property
    def jwks_uri(self) -> str:
        return f"{self._require_issuer()}/jwks"

    @property
    def end_session_endpoint(self) -> str:
        return f"{self._require_issuer()}/session/end"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    @property
    def stderr_tail(self) -> str:
        """The provider's recent stderr lines (errors it logged), for failure messages."""
        return "\n".join(self._stderr)

    def client(self, client_id: str) -> OidcClient:
        for client in self.clients:
            if client.client_id == client_id:
                return client
        raise KeyError(client_id)

    def account(self, login: str) -> OidcAccount:
        wanted = login.strip().lower()
        for account in self.accounts:
            if wanted in (account.id.lower(), account.email.lower()):
                return account
        raise KeyError(login)

    def _require_issuer(self) -> str:
        if not self.issuer:
            raise OidcProviderError("the OIDC provider is not started")
        return self.issuer

    # -- lifecycle -----------------------------------------------------------------------

    def start(self) -> Self:
        if self.running:
            return self
        ensure_node_modules(self.npm, self.node)
        env = {
            **os.environ,
            "OIDC_HOST": self.host,
            "OIDC_PORT": str(self.port),
            "OIDC_CLIENTS": json.dumps([c.to_json() for c in self.clients]),
            "OIDC_ACCOUNTS": json.dumps([a.to_json() for a in self.accounts]),
            "OIDC_COOKIE_KEYS": ",".join(self.cookie_keys),
            "OIDC_EXIT_ON_STDIN_CLOSE": "1",
            "NODE_ENV": "test",
        }
        env.pop("OIDC_ISSUER", None)
        self._stderr.clear()
        self._stdout.clear()
        process = subprocess.Popen(
            [self.node, str(SERVER_SCRIPT)],
            cwd=OIDC_DIR,
            env=env,
            stdin=subprocess.PIPE,  # closed by stop(), or by the OS if Python dies
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        self._process = process
        ready: queue.Queue[str] = queue.Queue()
        assert process.stdout is not None
        assert process.stderr is not None
        threading.Thread(
            target=self._drain, args=(process.stdout, self._stdout, ready), daemon=True
        ).start()
        threading.Thread(
            target=self._drain, args=(process.stderr, self._stderr, None), daemon=True
        ).start()

        deadline = time.monotonic() + self.startup_timeout
        line = ""
        while time.monotonic() < deadline:
            try:
                line = ready.get(timeout=0.1)
                break
            except queue.Empty:
                if process.poll() is not None:
                    time.sleep(0.2)  # let the drain threads read the last words
                    if not ready.empty():
                        line = ready.get()
                        break
                    self._fail(f"exited with code {process.returncode} before it was ready")
        if not line:
            self._fail(f"was not ready within {self.startup_timeout:.0f} s")
        self.issuer = line[len(READY_PREFIX) :].strip()
        self.port = urlsplit(self.issuer).port or self.port
        return self

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        if process.stdin is not None:
            with contextlib.suppress(OSError):
                process.stdin.close()
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @staticmethod
    def _drain(stream: Any, lines: deque[str], ready: queue.Queue[str] | None) -> None:
        for raw in stream:
            line = raw.rstrip("\n")
            lines.append(line)
            if ready is not None and line.startswith(READY_PREFIX):
                ready.put(line)
        stream.close()

    def _fail(self, what: str) -> None:
        self.stop()
        raise OidcProviderError(
            f"test OpenID provider ({SERVER_SCRIPT}) {what}.\n"
            f"stdout:\n{chr(10).join(self._stdout)}\nstderr:\n{self.stderr_tail}"
        )

    # -- flows ---------------------------------------------------------------------------

    def authorization_url(
        self,
        client_id: str,
        *,
        redirect_uri: str | None = None,
        scope: str = "openid email profile",
        state: str | None = None,
        nonce: str | None = None,
        code_challenge: str | None = None,
        **extra: str,
    ) -> str:
        """An authorization URL for the code flow with PKCE S256 (challenge required)."""
        params = {
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": redirect_uri or self.client(client_id).redirect_uri,
            "scope": scope,
            "state": state or secrets.token_urlsafe(16),
            "code_challenge_method": "S256",
            **extra,
        }
        if code_challenge is not None:
            params["code_challenge"] = code_challenge
        if nonce is not None:
            params["nonce"] = nonce
        return f"{self.authorization_endpoint}?{urlencode(params)}"

    def obtain_tokens(
        self,
        client_id: str,
        login: str,
        password: str,
        *,
        nonce: str | None = None,
        client_secret: str | None = None,
        redirect_uri: str | None = None,
        scope: str = "openid email profile",
    ) -> dict[str, Any]:
        """Run the whole code flow with PKCE for ``client_id``; return the token response.

        Secret and redirect URI default to the registered client's.
        """
        registered = next((c for c in self.clients if c.client_id == client_id), None)
        if client_secret is None:
            if registered is None:
                raise KeyError(client_id)
            client_secret = registered.client_secret
        if redirect_uri is None:
            if registered is None:
                raise KeyError(client_id)
            redirect_uri = registered.redirect_uri
        verifier, challenge = make_pkce_pair()
        state = secrets.token_urlsafe(16)
        url = self.authorization_url(
            client_id,
            redirect_uri=redirect_uri,
            scope=scope,
            state=state,
            nonce=nonce,
            code_challenge=challenge,
        )
        callback = login_through_provider(url, login, password)
        query = parse_qs(urlsplit(callback).query)
        if "code" not in query:
            raise OidcLoginError("no code in the callback", url=callback)
        if query.get("state") != [state]:
            raise OidcLoginError("state mismatch in the callback", url=callback)
        with httpx.Client(timeout=10) as http:
            response = http.post(
                self.token_endpoint,
                data={
                    "grant_type": "authorization_code",
                    "code": query["code"][0],
                    "redirect_uri": redirect_uri,
                    "code_verifier": verifier,
                },
                auth=(client_id, client_secret),
            )
        if response.status_code != 200:
            raise OidcProviderError(
                f"token endpoint answered {response.status_code}: {response.text}"
            )
        tokens: dict[str, Any] = response.json()
        return tokens

    def obtain_id_token(
        self,
        client_id: str,
        login: str,
        password: str,
        *,
        nonce: str | None = None,
        client_secret: str | None = None,
        redirect_uri: str | None = None,
    ) -> str:
        """An ID token issued to ``client_id`` (e.g. another client than the app's)."""
        tokens = self.obtain_tokens(
            client_id,
            login,
            password,
            nonce=nonce,
            client_secret=client_secret,
            redirect_uri=redirect_uri,
        )
        id_token: str = tokens["id_token"]
        return id_token


@contextlib.contextmanager
def running_provider(
    clients: Sequence[OidcClient] = DEFAULT_CLIENTS,
    accounts: Sequence[OidcAccount] = DEFAULT_ACCOUNTS,
) -> Iterator[OidcProvider]:
    """``with running_provider(...) as idp:`` — the same as ``with OidcProvider(...)``."""
    with OidcProvider(clients=clients, accounts=accounts) as provider:
        yield provider


# --------------------------------------------------------------------------- browser-less login


def make_pkce_pair() -> tuple[str, str]:
    """A (code_verifier, S256 code_challenge) pair."""
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
    return verifier, challenge


def decode_jwt_claims(token: str) -> dict[str, Any]:
    """The payload of a JWT, NOT verified: for assertions in tests only."""
    payload = token.split(".")[1]
    padded = payload + "=" * (-len(payload) % 4)
    claims: dict[str, Any] = json.loads(base64.urlsafe_b64decode(padded))
    return claims


@dataclass
class _Form:
    id: str
    action: str
    method: str
    fields: dict[str, str]


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[_Form] = []
        self._current: _Form | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._current = _Form(
                a.get("id", ""), a.get("action", ""), a.get("method", "get").lower(), {}
            )
            self.forms.append(self._current)
        elif (
            tag == "input"
            and self._current is not None
            and a.get("name")
            and a.get("type", "text").lower() not in ("submit", "button", "checkbox", "radio")
        ):
            self._current.fields[a["name"]] = a.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None


def _forms(html: str) -> dict[str, _Form]:
    parser = _FormParser()
    parser.feed(html)
    return {form.id: form for form in parser.forms}


def _is_client_redirect(location: str, redirect_uri: str | None, provider_origin: str) -> bool:
    parts = urlsplit(location)
    if redirect_uri is not None:
        target = urlsplit(redirect_uri)
        return (parts.scheme, parts.netloc, parts.path) == (
            target.scheme,
            target.netloc,
            target.path,
        )
    return f"{parts.scheme}://{parts.netloc}" != provider_origin


def login_through_provider(
    authorize_url: str,
    login: str,
    password: str,
    *,
    cancel: bool = False,
    max_steps: int = 20,
) -> str:
    """Sign in at the provider like a browser would, with a fresh cookie jar.

    GETs ``authorize_url`` (the app's redirect to the provider), posts the login form (or
    presses Cancel), posts the consent form, and returns the URL the provider finally
    redirects to at the client's redirect_uri (``?code=…&state=…&iss=…`` or
    ``?error=access_denied…``) without requesting it. Raises OidcLoginError otherwise,
    e.g. for a wrong password (the login form comes back with "Invalid …").
    """
    split = urlsplit(authorize_url)
    provider_origin = f"{split.scheme}://{split.netloc}"
    redirect_uri = parse_qs(split.query).get("redirect_uri", [None])[0]
    logged_in = False
    with httpx.Client(follow_redirects=False, timeout=10) as http:
        response = http.get(authorize_url)
        for _ in range(max_steps):
            url = str(response.url)
            if response.is_redirect:
                location = urljoin(url, response.headers["location"])
                if _is_client_redirect(location, redirect_uri, provider_origin):
                    return location
                response = http.get(location)
                continue
            if response.status_code != 200:
                raise OidcLoginError(
                    "unexpected answer from the provider",
                    url=url,
                    status=response.status_code,
                    body=response.text,
                )
            forms = _forms(response.text)
            if "login-form" in forms:
                if logged_in:
                    raise OidcLoginError(
                        "login was refused",
                        url=url,
                        status=response.status_code,
                        body=response.text,
                    )
                if cancel:
                    form = forms["cancel-form"]
                    data = dict(form.fields)
                else:
                    form = forms["login-form"]
                    data = {**form.fields, "login": login, "password": password}
                    logged_in = True
            elif "consent-form" in forms:
                form = forms["consent-form"]
                data = dict(form.fields)
            else:
                raise OidcLoginError(
                    "no login or consent form on the page",
                    url=url,
                    status=response.status_code,
                    body=response.text,
                )
            response = http.post(urljoin(url, form.action), data=data)
        raise OidcLoginError(
            "too many steps without reaching the redirect_uri", url=str(response.url)
        )
