"""Settings, read from the environment (prefix PLENARY_) and an optional .env file."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SECRET_KEY = "change-me"  # noqa: S105 - the sentinel we refuse to run with


class OidcProviderConfig(BaseModel):
    discovery_url: str
    client_id: str
    client_secret: str
    label: str = ""
    scope: str = "openid email profile"


class ConfigurationError(RuntimeError):
    """A setting is missing or unsafe; the message names it."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PLENARY_", env_file=".env", extra="ignore")

    data_dir: Path = Path("data")
    database_url: str = ""
    secret_key: str = DEFAULT_SECRET_KEY
    base_url: str = "http://127.0.0.1:8000"
    smtp_url: str = ""
    mail_from: str = "Plenary <no-reply@plenary.invalid>"
    oidc_providers: dict[str, OidcProviderConfig] = Field(default_factory=dict)
    demo: bool = False
    session_max_age_s: int = 14 * 24 * 3600
    invitation_valid_days: int = 14
    embedded_worker: bool = True
    clamd_url: str = ""
    libreoffice_timeout_s: float = 180.0

    @field_validator("base_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'plenary.sqlite3').resolve()}"

    @property
    def secure_cookies(self) -> bool:
        return self.base_url.startswith("https://")

    def check_safe_to_run(self) -> None:
        """Refuse to serve a real deployment with a guessable secret key."""
        if self.demo:
            return
        if not self.secret_key or self.secret_key == DEFAULT_SECRET_KEY:
            raise ConfigurationError(
                "PLENARY_SECRET_KEY is missing or still the default; set it to a long random "
                "value (e.g. `python -c 'import secrets; print(secrets.token_urlsafe(48))'`)."
            )
        if len(self.secret_key) < 32:
            raise ConfigurationError("PLENARY_SECRET_KEY is too short; use at least 32 characters.")


@lru_cache
def get_settings() -> Settings:
    return Settings()
