"""Where data lives: ``--data-dir``, else ``FIELDAPP_DATA_DIR``, else the per-user folder."""

from __future__ import annotations

import os
from pathlib import Path

ENV_DATA_DIR = "FIELDAPP_DATA_DIR"


def data_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    if explicit:
        return Path(explicit).expanduser().resolve()
    env = os.environ.get(ENV_DATA_DIR)
    if env:
        return Path(env).expanduser().resolve()
    from platformdirs import user_data_dir

    return Path(user_data_dir("fieldapp", appauthor=False))
