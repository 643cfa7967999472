"""Settings from ROOMHIRE_* environment variables, with safe embedded defaults."""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

NOTIFY_TEMPLATES = ("receipt_reminder", "hold_notice")  # GOV.UK Notify messages Roomhire sends
# The invoice templates beside the code, wherever `roomhire` is run from (not the working
# directory's); the image copies them to /app/invoice_templates and sets the variable.
SHIPPED_TEMPLATES = Path(__file__).resolve().parents[1] / "invoice_templates"
# gunicorn restarts a worker silent this long (service/gunicorn_hooks.py). An import stops
# this much earlier, so it can still roll back and answer in JSON.
WORKER_TIMEOUT = 120
IMPORT_TIME_MARGIN = 30


class ConfigError(Exception):
    """A setting is missing or malformed; the message names it."""


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    username: str | None
    password: str | None
    starttls: bool
    ca_file: str | None = None


@dataclass(frozen=True)
class NotifyConfig:
    api_key: str
    base_url: str
    templates: dict[str, str]  # Roomhire's name for a message -> the Notify template id


@dataclass(frozen=True)
class AccessPointConfig:
    base_url: str  # the access point's REST API, e.g. https://ap.example.com/api/v1
    api_key: str


@dataclass(frozen=True)
class OidcConfig:
    issuer: str
    client_id: str
    client_secret: str
    email_claim: str = "email"


@dataclass(frozen=True)
class Config:
    database_url: str
    secret_key: str
    data_dir: Path
    template_dir: Path = Path("invoice_templates")
    mail_from: str = "invoices@roomhire.invalid"
    smtp: SmtpConfig | None = None  # None: write .eml files to data_dir/outbox
    notify: NotifyConfig | None = None  # None: write notices to data_dir/notifications.jsonl
    profiles_dir: Path | None = None  # finance users' export mapping files (*.toml)
    lost_after_days: int = 14  # an invoice no export shows this long after sending is lost
    public_url: str = "http://127.0.0.1:8000"  # the base of the status links venues are given
    status_link_days: int = 180
    trusted_proxies: int = 0  # reverse proxies in front whose X-Forwarded-For is believed
    oidc: OidcConfig | None = None  # None: staff sign in by emailed links only
    import_time_limit: float = WORKER_TIMEOUT - IMPORT_TIME_MARGIN  # seconds, for an API import
    access_point: AccessPointConfig | None = None  # None: write e-invoices to a folder
    pdf_processes: int = 1  # that may render an invoice run's PDFs at once, this one included

    @property
    def outbox_dir(self) -> Path:
        return self.data_dir / "outbox"

    @property
    def peppol_outbox_dir(self) -> Path:
        return self.data_dir / "peppol-outbox"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Config:
        env = os.environ if env is None else env
        data_dir = Path(env.get("ROOMHIRE_DATA_DIR", "var")).resolve()
        url = env.get("ROOMHIRE_DATABASE_URL") or f"sqlite:///{data_dir / 'roomhire.db'}"
        if not url.startswith(("sqlite://", "postgresql")):
            raise ConfigError(
                "ROOMHIRE_DATABASE_URL must be a sqlite:/// or postgresql+psycopg:// URL."
            )
        if url.startswith("sqlite:///"):
            data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)  # the database: owner only
        templates = Path(env.get("ROOMHIRE_TEMPLATE_DIR") or SHIPPED_TEMPLATES).resolve()
        if not (templates / "invoice.html").is_file():
            raise ConfigError(f"ROOMHIRE_TEMPLATE_DIR: no invoice.html in {templates}.")
        secret = env.get("ROOMHIRE_SECRET_KEY") or _local_secret(data_dir)
        mail_from = env.get("ROOMHIRE_MAIL_FROM", "invoices@roomhire.invalid")
        if "@" not in mail_from:
            raise ConfigError("ROOMHIRE_MAIL_FROM must be an email address.")
        profiles = env.get("ROOMHIRE_EXPORT_PROFILES_DIR")
        if profiles and not Path(profiles).is_dir():
            raise ConfigError(f"ROOMHIRE_EXPORT_PROFILES_DIR: no folder at {profiles}.")
        lost_after = _days(env, "ROOMHIRE_LOST_AFTER_DAYS", 14, 365)
        public_url = env.get("ROOMHIRE_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
        if not re.fullmatch(r"https?://[^\s/]+(/\S*)?", public_url):
            raise ConfigError(f"ROOMHIRE_PUBLIC_URL must be an http(s) URL, not {public_url!r}.")
        return cls(
            url,
            secret,
            data_dir,
            templates,
            mail_from,
            _smtp(env),
            _notify(env),
            Path(profiles).resolve() if profiles else None,
            lost_after,
            public_url,
            _days(env, "ROOMHIRE_STATUS_LINK_DAYS", 180, 730),
            _whole(env, "ROOMHIRE_TRUSTED_PROXIES", 0, 0, 5, "a number of proxies"),
            _oidc(env),
            _import_time_limit(env),
            _access_point(env),
            _whole(env, "ROOMHIRE_PDF_PROCESSES", _cores(), 1, 32, "a number of processes"),
        )


def _cores() -> int:
    """The cores this process may run on (a container may be given fewer than the machine's)."""
    return min(len(os.sched_getaffinity(0)), 32)


def _days(env: Mapping[str, str], name: str, default: int, most: int) -> int:
    return _whole(env, name, default, 1, most, "a number of days")


def _whole(
    env: Mapping[str, str], name: str, default: int, least: int, most: int, what: str
) -> int:
    value = env.get(name, str(default))
    if not value.isdigit() or not least <= int(value) <= most:
        raise ConfigError(f"{name} must be {what} ({least}-{most}), not {value!r}.")
    return int(value)


def _import_time_limit(env: Mapping[str, str]) -> float:
    """Seconds an import through the API may take (fractions allowed, for tests); it must
    leave time to roll back and answer before gunicorn's worker timeout."""
    most = WORKER_TIMEOUT - 5
    value = env.get("ROOMHIRE_IMPORT_TIME_LIMIT", str(WORKER_TIMEOUT - IMPORT_TIME_MARGIN))
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not 0 < seconds <= most:
        raise ConfigError(f"ROOMHIRE_IMPORT_TIME_LIMIT must be seconds (0-{most}), not {value!r}.")
    return seconds


def _notify(env: Mapping[str, str]) -> NotifyConfig | None:
    key = env.get("ROOMHIRE_NOTIFY_API_KEY")
    if not key:
        return None
    if not re.fullmatch(r".+-[0-9a-f-]{36}-[0-9a-f-]{36}", key):
        raise ConfigError("ROOMHIRE_NOTIFY_API_KEY is not a Notify API key (name-service-secret).")
    templates = {}
    for name in NOTIFY_TEMPLATES:
        variable = f"ROOMHIRE_NOTIFY_TEMPLATE_{name.upper()}"
        if not env.get(variable):
            raise ConfigError(f"Set {variable} to the Notify template id.")
        templates[name] = env[variable]
    base = env.get("ROOMHIRE_NOTIFY_BASE_URL", "https://api.notifications.service.gov.uk")
    return NotifyConfig(key, base.rstrip("/"), templates)


def _access_point(env: Mapping[str, str]) -> AccessPointConfig | None:
    url = env.get("ROOMHIRE_ACCESS_POINT_URL", "").rstrip("/")
    if not url:
        return None
    if not re.fullmatch(r"https?://[^\s/]+(/\S*)?", url):
        raise ConfigError(f"ROOMHIRE_ACCESS_POINT_URL must be an http(s) URL, not {url!r}.")
    key = env.get("ROOMHIRE_ACCESS_POINT_API_KEY", "")
    if not key:
        raise ConfigError("Set ROOMHIRE_ACCESS_POINT_API_KEY with ROOMHIRE_ACCESS_POINT_URL.")
    return AccessPointConfig(url, key)


def _oidc(env: Mapping[str, str]) -> OidcConfig | None:
    issuer = env.get("ROOMHIRE_OIDC_ISSUER", "").rstrip("/")
    if not issuer:
        return None
    if not re.fullmatch(r"https?://[^\s/]+(/\S*)?", issuer):
        raise ConfigError(f"ROOMHIRE_OIDC_ISSUER must be an http(s) URL, not {issuer!r}.")
    client_id = env.get("ROOMHIRE_OIDC_CLIENT_ID", "")
    secret = env.get("ROOMHIRE_OIDC_CLIENT_SECRET", "")
    if not client_id or not secret:
        raise ConfigError(
            "Set ROOMHIRE_OIDC_CLIENT_ID and ROOMHIRE_OIDC_CLIENT_SECRET with ROOMHIRE_OIDC_ISSUER."
        )
    claim = env.get("ROOMHIRE_OIDC_EMAIL_CLAIM", "email")
    return OidcConfig(issuer, client_id, secret, claim)


def _smtp(env: Mapping[str, str]) -> SmtpConfig | None:
    host = env.get("ROOMHIRE_SMTP_HOST")
    if not host:
        return None
    port = env.get("ROOMHIRE_SMTP_PORT", "587")
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError(f"ROOMHIRE_SMTP_PORT must be a port number, not {port!r}.")
    starttls = env.get("ROOMHIRE_SMTP_STARTTLS", "true").lower()
    if starttls not in ("true", "false"):
        raise ConfigError("ROOMHIRE_SMTP_STARTTLS must be true or false.")
    ca_file = env.get("ROOMHIRE_SMTP_CA_FILE") or None
    if ca_file and not Path(ca_file).is_file():
        raise ConfigError(f"ROOMHIRE_SMTP_CA_FILE: no file at {ca_file}.")
    return SmtpConfig(
        host,
        int(port),
        env.get("ROOMHIRE_SMTP_USERNAME") or None,
        env.get("ROOMHIRE_SMTP_PASSWORD") or None,
        starttls == "true",
        ca_file,
    )


def _local_secret(data_dir: Path) -> str:
    """An embedded default: a random key kept in the data folder, never a constant in code."""
    path = data_dir / "secret_key"
    if not path.exists():
        data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        path.touch(mode=0o600)  # private before the secret is in it
        path.write_text(secrets.token_urlsafe(48))
    return path.read_text().strip()
