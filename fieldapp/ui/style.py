"""Sizes the whole UI shares: touch targets big enough for a gloved finger on a tablet."""

from __future__ import annotations

from fieldapp.ui.qt import QApplication

TOUCH_TARGET_PX = 44

_STYLE_SHEET = f"""
QLineEdit, QPushButton, QComboBox {{ min-height: {TOUCH_TARGET_PX - 10}px; padding: 4px 8px; }}
QTableView::item {{ padding: 4px 0px; }}
QListWidget::item {{ min-height: {TOUCH_TARGET_PX}px; padding: 4px 6px; }}
QLabel[role="heading"] {{ font-size: 15pt; font-weight: bold; }}
QLabel[role="subheading"] {{ font-weight: bold; }}
QLabel[role="hint"] {{ color: palette(dark); }}
"""


def apply_style(app: QApplication) -> None:
    app.setStyleSheet(_STYLE_SHEET)
