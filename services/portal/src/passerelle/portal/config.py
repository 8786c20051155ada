"""The portal service's one Settings class: variables prefixed PORTAL_, platform-wide ones PASSERELLE_."""

from typing import ClassVar, Literal

from pydantic_settings import SettingsConfigDict

from passerelle.libs.settings import ServiceSettings

# Environments where the session cookie may travel over plain HTTP (a local run on 127.0.0.1).
PLAIN_HTTP_ENVIRONMENTS = frozenset({"local", "test", "ci", "dev"})


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PORTAL_", extra="ignore")

    service_name: ClassVar[str] = "portal"
    database_name: ClassVar[str | None] = None

    # The services whose APIs the pages are built on (identity_url comes from the base class).
    contracts_url: str = "http://127.0.0.1:8002"
    documents_url: str = "http://127.0.0.1:8003"
    notifier_url: str = "http://127.0.0.1:8005"
    opco_processing_url: str = "http://127.0.0.1:8004"
    api_timeout_seconds: float = 15.0
    # Told to people on the upload form; the documents service enforces its own limit (DOCUMENTS_MAX_UPLOAD_BYTES).
    upload_limit_megabytes: int = 10

    # The brand: the State's design system (only for State websites) or a neutral theme, same markup.
    theme: Literal["dsfr", "neutral"] = "dsfr"
    site_name: str = "Portail de l'Alternance"
    # Where the DSFR's files are (installed by `npm ci` in the portal's folder); empty: beside the package.
    dsfr_dist: str = ""

    # Sessions: the refresh token lives in this cookie; access tokens stay in the portal's memory.
    session_cookie: str = "passerelle_session"
    csrf_cookie: str = "passerelle_csrf"
    cookie_secure: bool | None = None  # None: Secure everywhere but local runs

    @property
    def secure_cookies(self) -> bool:
        if self.cookie_secure is not None:
            return self.cookie_secure
        return self.environment not in PLAIN_HTTP_ENVIRONMENTS
