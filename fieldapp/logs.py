"""The data directory's log: ``<data dir>/logs/fieldapp.log``, for the CLI and the app.

Users read one plain translated line about an unexpected error; the traceback, and every
warning or message libraries would print (Pillow, pypdf …), goes here instead of the
terminal. The folder and the file are made only when something is written, readable by
their owner only, and the file rotates at a few megabytes.
"""

from __future__ import annotations

import io
import logging
import logging.handlers
import os
import sys
from pathlib import Path
from types import TracebackType

LOG_DIR = "logs"
LOG_FILE = "fieldapp.log"
_MAX_BYTES = 2 << 20
_BACKUPS = 3
_FORMAT = "%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s"
logger = logging.getLogger("fieldapp")


def log_path(data_dir: Path) -> Path:
    return data_dir / LOG_DIR / LOG_FILE


class _PrivateFileHandler(logging.handlers.RotatingFileHandler):
    """Opens (and creates the folder and the 0600 file) at the first record only."""

    def _open(self) -> io.TextIOWrapper:
        folder = Path(self.baseFilename).parent
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        return open(fd, "a", encoding=self.encoding)


def setup_logging(data_dir: Path | None) -> Path | None:
    """Send this process's log records and warnings to the data directory's log (to
    nowhere when it has none yet) and none to the terminal; returns the log's path."""
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
        old.close()
    path = log_path(data_dir) if data_dir is not None else None
    handler: logging.Handler = (
        _PrivateFileHandler(path, maxBytes=_MAX_BYTES, backupCount=_BACKUPS, encoding="utf-8",
                            delay=True) if path is not None else logging.NullHandler())
    handler.setFormatter(logging.Formatter(_FORMAT))
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    logging.captureWarnings(True)
    return path


def log_exception(error: BaseException, context: str = "") -> None:
    """Keep ``error`` with its traceback in the log."""
    logger.error("unexpected error%s", f" in {context}" if context else "",
                 exc_info=(type(error), error, error.__traceback__))


def install_excepthook() -> None:
    """Log what nothing else caught (the GUI thread's slots, worker threads)."""
    previous = sys.excepthook

    def hook(kind: type[BaseException], error: BaseException,
             trace: TracebackType | None) -> None:
        logger.error("uncaught error", exc_info=(kind, error, trace))
        previous(kind, error, trace)

    sys.excepthook = hook
