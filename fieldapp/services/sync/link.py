"""This device's link to HQ: where HQ is, how to reach it, and the device token.

``<data dir>/hq/link.json`` holds the server, the squad, HQ's receipt key and the
connection settings; ``<data dir>/hq/device_token`` the token (mode 0600, in a 0700
folder: it is the device's credential). A device without them is not enrolled and
works alone, as before.
"""

from __future__ import annotations

import json
import os
import stat
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from fieldapp.atomic import write_atomically
from fieldapp.services.context import ServiceContext
from fieldapp.sync.client import ClientSettings, HqClient

LINK_DIR = "hq"
LINK_FILE = "link.json"
TOKEN_FILE = "device_token"
HANDOVER_SUFFIX = ".fahandover"


@dataclass(frozen=True)
class HqLink:
    server: str
    squad_id: str
    squad_code: str
    squad_name: str
    agency_id: str
    hq_key_id: str
    enrolled_at: str
    ca_bundle: str = ""
    proxy: str = ""
    timeout_s: float = 30.0
    interval_min: int = 5  # background sync every few minutes while HQ answers


def link_dir(data_dir: Path) -> Path:
    return data_dir / LINK_DIR


def load_link(data_dir: Path) -> HqLink | None:
    path = link_dir(data_dir) / LINK_FILE
    if not path.is_file():
        return None
    data = json.loads(path.read_text("utf-8"))
    known = set(HqLink.__dataclass_fields__)
    return HqLink(**{k: v for k, v in data.items() if k in known})


def save_link(data_dir: Path, link: HqLink) -> None:
    folder = _private_dir(data_dir)
    write_atomically(folder / LINK_FILE, json.dumps(asdict(link), ensure_ascii=False,
                                                    indent=2).encode())


def update_settings(data_dir: Path, *, ca_bundle: str | None = None,
                    proxy: str | None = None, interval_min: int | None = None) -> HqLink:
    link = load_link(data_dir)
    if link is None:
        from fieldapp.domain.errors import DomainError

        raise DomainError("this device is not enrolled with HQ")
    changes = {k: v for k, v in (("ca_bundle", ca_bundle), ("proxy", proxy),
                                 ("interval_min", interval_min)) if v is not None}
    link = replace(link, **changes)  # type: ignore[arg-type]
    save_link(data_dir, link)
    return link


def _private_dir(data_dir: Path) -> Path:
    folder = link_dir(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, stat.S_IRWXU)
    return folder


def save_token(data_dir: Path, token: str) -> None:
    """The device token, readable by this user only (written atomically, mode 0600)."""
    write_atomically(_private_dir(data_dir) / TOKEN_FILE, token.encode("ascii"),
                     mode=stat.S_IRUSR | stat.S_IWUSR)


def load_token(data_dir: Path) -> str:
    path = link_dir(data_dir) / TOKEN_FILE
    return path.read_text("ascii").strip() if path.is_file() else ""


def client_for(ctx: ServiceContext, link: HqLink | None = None, *,
               retries: int | None = None, backoff_s: float | None = None,
               timeout_s: float | None = None) -> HqClient:
    """A client of HQ with this device's token and settings."""
    link = link or load_link(ctx.store.data_dir)
    if link is None:
        from fieldapp.domain.errors import DomainError

        raise DomainError("this device is not enrolled with HQ")
    settings = ClientSettings(base_url=link.server, token=load_token(ctx.store.data_dir),
                              ca_bundle=link.ca_bundle, proxy=link.proxy,
                              timeout_s=link.timeout_s, language=_language())
    if retries is not None:
        settings = replace(settings, retries=retries)
    if backoff_s is not None:
        settings = replace(settings, backoff_s=backoff_s)
    if timeout_s is not None:
        settings = replace(settings, timeout_s=timeout_s)
    return HqClient(settings)


def _language() -> str:
    from fieldapp import i18n

    return "en" if i18n.language().startswith("en") else "zh-CN"
