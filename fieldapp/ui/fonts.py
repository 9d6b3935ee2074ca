"""The bundled Chinese UI font: without it a machine with no CJK font draws boxes."""

from __future__ import annotations

import logging

from fieldapp.resources import resource
from fieldapp.ui.qt import QApplication, QFont, QFontDatabase

UI_FONT_FILE = ("fonts", "wqy-microhei.ttc")
UI_POINT_SIZE = 11

_log = logging.getLogger(__name__)


def register_fonts() -> str | None:
    """Add the bundled font and make it the application font; returns its family.

    Call once after the QApplication exists. A missing or unreadable font file is
    logged and the platform font kept: the app still works, only Chinese may not show.
    """
    path = resource(*UI_FONT_FILE)
    font_id = QFontDatabase.addApplicationFont(str(path))
    families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
    if not families:
        _log.warning("could not load the UI font %s", path)
        return None
    QApplication.setFont(QFont(families[0], UI_POINT_SIZE))
    return families[0]
