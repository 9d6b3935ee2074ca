"""Sizes the whole UI shares: touch targets big enough for a gloved finger on a tablet.

``apply_look`` switches large text and the dark palette (the user's preferences) while
the app runs: the font, the point sizes of the style sheet and the palette change
together, and every widget follows.
"""

from __future__ import annotations

import re

from fieldapp.ui.fonts import UI_POINT_SIZE
from fieldapp.ui.qt import QApplication, QColor, QPalette

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
QLabel[role="success"] {{ color: #1b5e20; }}
QCheckBox, QRadioButton {{ min-height: {TOUCH_TARGET_PX - 10}px; spacing: 8px; }}
QCheckBox::indicator, QRadioButton::indicator {{ width: 22px; height: 22px; }}
QTreeView::item {{ min-height: {TOUCH_TARGET_PX - 8}px; }}
QSpinBox, QDoubleSpinBox {{ min-height: {TOUCH_TARGET_PX - 10}px; padding: 2px 6px; }}
"""
# Colours that read on the dark palette, where the light ones above would not.
_DARK_SHEET = """
QLabel[role="error"] { color: #ff8a80; }
QLabel[role="success"] { color: #a5d6a7; }
QCheckBox::indicator, QRadioButton::indicator { border: 2px solid #9e9e9e;
    background: #1f1f1f; border-radius: 4px; }
QRadioButton::indicator { border-radius: 11px; }
QCheckBox::indicator:checked, QRadioButton::indicator:checked { background: #5b9bd5;
    border-color: #cfe3f7; }
QCheckBox::indicator:disabled, QRadioButton::indicator:disabled { border-color: #5a5a5a; }
"""
LARGE_TEXT_SCALE = 1.3
_POINT_SIZE = re.compile(r"(\d+(?:\.\d+)?)pt")
_look = {"large_text": False, "dark_mode": False}


def apply_style(app: QApplication, *, scale: float = 1.0, dark: bool = False) -> None:
    sheet = _STYLE_SHEET + (_DARK_SHEET if dark else "")
    if scale != 1.0:
        sheet = _POINT_SIZE.sub(lambda m: f"{round(float(m.group(1)) * scale)}pt", sheet)
    app.setStyleSheet(sheet)


def dark_palette() -> QPalette:
    palette = QPalette()
    role, group = QPalette.ColorRole, QPalette.ColorGroup
    for name, colour in (
            (role.Window, "#2b2b2b"), (role.WindowText, "#e8e8e8"), (role.Base, "#1f1f1f"),
            (role.AlternateBase, "#282828"), (role.Text, "#e8e8e8"), (role.Button, "#363636"),
            (role.ButtonText, "#e8e8e8"), (role.BrightText, "#ffffff"),
            (role.Highlight, "#2f6fb2"), (role.HighlightedText, "#ffffff"),
            (role.ToolTipBase, "#3a3a3a"), (role.ToolTipText, "#e8e8e8"),
            (role.PlaceholderText, "#9a9a9a"), (role.Link, "#8ab4f8"),
            (role.Light, "#4a4a4a"), (role.Midlight, "#3e3e3e"), (role.Mid, "#5a5a5a"),
            # Hints are drawn in palette(dark): it must stay readable on the dark window.
            (role.Dark, "#9e9e9e"), (role.Shadow, "#000000")):
        palette.setColor(name, QColor(colour))
    for name in (role.Text, role.ButtonText, role.WindowText):
        palette.setColor(group.Disabled, name, QColor("#7a7a7a"))
    return palette


def apply_look(app: QApplication, *, large_text: bool, dark_mode: bool) -> None:
    """Large text and dark mode, as the preferences say; does nothing when unchanged."""
    if _look == {"large_text": large_text, "dark_mode": dark_mode}:
        return
    if large_text != _look["large_text"]:
        font = app.font()
        font.setPointSizeF(UI_POINT_SIZE * (LARGE_TEXT_SCALE if large_text else 1.0))
        app.setFont(font)
    if dark_mode != _look["dark_mode"]:
        app.setPalette(dark_palette() if dark_mode else app.style().standardPalette())
    apply_style(app, scale=LARGE_TEXT_SCALE if large_text else 1.0, dark=dark_mode)
    _look.update(large_text=large_text, dark_mode=dark_mode)


def current_look() -> dict[str, bool]:
    return dict(_look)
