"""Settings, from environment variables, in one place."""

from datetime import date, timedelta
from pathlib import Path

from pydantic import Field, SecretStr, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from domain.limits import Limits
from projections import accounts, web_sessions


class Settings(BaseSettings):
    """The program's settings.

    Attributes:
        database_url: a PostgreSQL URL; when unset, an embedded server runs in ``data_dir``.
        read_database_url: a streaming replica of ``database_url``, which queries read from while it keeps up
            (``api.read_routing``); commands, accounts and the projection runner stay on the primary.
        read_max_lag_seconds: how long the replica's read tables may trail the primary's before reads fall back
            to the primary.
        data_dir: where the embedded PostgreSQL keeps its data.
        admin_token: a token that acts as ADMIN, for automation and first start.
        future_margin_days: how far past today an effective date may lie.
        max_body_bytes: the largest request body the API reads; a larger one is refused with HTTP 413.
        max_query_chars: the longest GraphQL query text the API parses.
        earliest_effective_on: no event may take effect before this day.
        min_hire_age_years: how many years at least lie between a worker's birth and hire.
        max_training_years: how many years at most a training lasts.
        token_days: how many days a user's token is valid from when it is issued.
        session_idle_minutes: a web session unused this long has ended.
        session_hours: a web session ends this many hours after its user signed in, however used.
        sign_in_failures_per_name, sign_in_failures_per_address, sign_in_window_minutes: how many failed
            sign-ins a name, and an address, may have within the window before sign-in is refused there.
        max_batch_commands: the most commands one offline batch may hold (``submitBatch``, ``POST /api/batch``).
        max_upload_bytes: the largest spreadsheet the import page takes (its body limit, instead of ``max_body_bytes``).
    """

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    database_url: str | None = Field(default=None, alias="DATABASE_URL")
    read_database_url: str | None = Field(default=None, alias="HRH_READ_DATABASE_URL")
    # In seconds rather than events: staleness is what a reader notices, and a number of events is a second
    # during an import and an hour on a quiet day.
    read_max_lag_seconds: float = Field(default=5.0, gt=0, le=3600, alias="HRH_READ_MAX_LAG_SECONDS")
    data_dir: Path = Field(default=Path(".hrh"), alias="HRH_DATA_DIR")
    admin_token: SecretStr | None = Field(default=None, alias="HRH_ADMIN_TOKEN")
    future_margin_days: int = Field(default=31, ge=0, le=3660, alias="HRH_FUTURE_MARGIN_DAYS")
    # Limits on what one request may make a worker hold: the body is refused unread past the
    # first, and the query text before it is parsed past the second.
    max_body_bytes: int = Field(default=2**20, ge=1024, le=2**30, alias="HRH_MAX_BODY_BYTES")
    max_query_chars: int = Field(default=64 * 1024, ge=256, le=2**20, alias="HRH_MAX_QUERY_CHARS")
    # Plausibility limits on new commands, and tokens' lifetime (issue 15).
    earliest_effective_on: date = Field(
        default=Limits.earliest_effective_on, ge=date(1900, 1, 1), alias="HRH_EARLIEST_EFFECTIVE_DATE"
    )
    min_hire_age_years: int = Field(default=Limits.min_hire_age_years, ge=0, le=40, alias="HRH_MIN_HIRE_AGE_YEARS")
    max_training_years: int = Field(default=Limits.max_training_years, ge=1, le=50, alias="HRH_MAX_TRAINING_YEARS")
    token_days: int = Field(default=accounts.DEFAULT_TOKEN_DAYS, ge=0, le=3660, alias="HRH_TOKEN_DAYS")
    # The web pages' sessions (issue 17).
    session_idle_minutes: int = Field(default=60, ge=1, le=24 * 60, alias="HRH_SESSION_IDLE_MINUTES")
    session_hours: int = Field(default=12, ge=1, le=web_sessions.MAX_SESSION_HOURS, alias="HRH_SESSION_HOURS")
    # A ministry behind one address may need more than 20 failures a window for everyone.
    sign_in_failures_per_name: int = Field(default=5, ge=1, le=1000, alias="HRH_SIGN_IN_FAILURES_PER_NAME")
    sign_in_failures_per_address: int = Field(default=20, ge=1, le=100_000, alias="HRH_SIGN_IN_FAILURES_PER_ADDRESS")
    sign_in_window_minutes: int = Field(default=15, ge=1, le=24 * 60, alias="HRH_SIGN_IN_WINDOW_MINUTES")
    # Offline batches (issue 18).
    max_batch_commands: int = Field(default=1000, ge=1, le=100_000, alias="HRH_MAX_BATCH_COMMANDS")
    # Spreadsheet imports (issue 18): 25,000 rows of a command fill about 2 MB of XLSX.
    max_upload_bytes: int = Field(default=32 * 2**20, ge=1024, le=2**30, alias="HRH_MAX_UPLOAD_BYTES")

    def limits(self) -> Limits:
        """The domain's limits on dates, as these settings set them."""
        return Limits(self.earliest_effective_on, self.min_hire_age_years, self.max_training_years)

    def sign_in_limits(self) -> web_sessions.AttemptLimits:
        """How many failed sign-ins a name and an address may have, and in what window."""
        return web_sessions.AttemptLimits(
            self.sign_in_failures_per_name,
            self.sign_in_failures_per_address,
            timedelta(minutes=self.sign_in_window_minutes),
        )

    @field_validator("admin_token")
    @classmethod
    def _token_is_strong(cls, token: SecretStr | None) -> SecretStr | None:
        if token is not None and len(token.get_secret_value()) < 24:
            raise ValueError("HRH_ADMIN_TOKEN must be at least 24 characters long; use a random token")
        return token

    @field_validator("database_url", "read_database_url")
    @classmethod
    def _is_postgres_url(cls, url: str | None, info: ValidationInfo) -> str | None:
        if url and not url.startswith(("postgresql://", "postgres://")):
            name = "HRH_READ_DATABASE_URL" if info.field_name == "read_database_url" else "DATABASE_URL"
            raise ValueError(f"{name} must be a postgresql:// URL")
        return url or None
