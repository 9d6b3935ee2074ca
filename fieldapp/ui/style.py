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
QPushButton[role="nav"] {{ min-height: {TOUCH_TARGET_PX + 8}px; font-size: 13pt; text-align: left;
    padding-left: 14px; border: none; border-radius: 6px; }}
QPushButton[role="nav"]:checked {{ background: palette(highlight);
    color: palette(highlighted-text); }}
QPushButton[role="primary"] {{ min-height: {TOUCH_TARGET_PX + 8}px; font-size: 13pt;
    font-weight: bold; }}
QFrame[role="advice"] {{ border: 2px solid palette(mid); border-radius: 8px; }}
QLabel[role="step"] {{ font-size: 20pt; font-weight: bold; }}
QLabel[role="explanation"] {{ font-size: 13pt; }}
QLabel[role="error"] {{ color: #b00020; }}
"""


def apply_style(app: QApplication) -> None:
    app.setStyleSheet(_STYLE_SHEET)
