"""HQ's deployment settings: one class, read from ``FIELDAPP_HQ_*`` environment variables
and the ``fieldapp-hq serve`` options (an option wins over the environment)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FIELDAPP_HQ_", extra="ignore")

    data_dir: Path = Path("hq-data")
    # SQLite file in the data directory unless a URL is given
    # (postgresql+psycopg://user@host/db for a city with several workers).
    db: str = ""
    host: str = "127.0.0.1"
    port: int = Field(default=8765, ge=0, le=65535)
    workers: int = Field(default=1, ge=1, le=64)
    enrollment_hours: int = Field(default=24, ge=1, le=24 * 30)
    session_hours: int = Field(default=12, ge=1, le=24 * 7)
    verifier_days: int = Field(default=30, ge=1, le=365)
    # Evidence files: "disk" (data_dir/blobs) or "s3" (an S3-compatible object store).
    blob_store: str = "disk"
    s3_endpoint: str = ""
    s3_bucket: str = "fieldapp-evidence"
    s3_region: str = "us-east-1"
    s3_access_key: str = ""
    s3_secret_key: str = ""
    public_url: str = "http://127.0.0.1:8765"

    @property
    def db_url(self) -> str:
        return self.db or f"sqlite:///{(self.data_dir / 'hq.sqlite3').resolve()}"

    @property
    def key_path(self) -> Path:
        return self.data_dir / "keys" / "hq_ed25519.pem"
