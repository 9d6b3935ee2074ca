"""Sizes the whole UI shares: touch targets big enough for a gloved finger on a tablet.

``apply_look`` switches large text, the dark palette and tablet mode (the user's
preferences) while the app runs: the font, the point sizes of the style sheet and the palette change
together, and every widget follows.
"""

from __future__ import annotations

import re

from fieldapp.ui.fonts import UI_POINT_SIZE
from fieldapp.ui.qt import QApplication, QColor, QPalette

TOUCH_TARGET_PX = 44
TOUCH_ROW_PX = 40  # the least height of a row a finger picks (list rows, table rows)
TABLET_TARGET_PX = 48

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
# Tablet mode: every target a gloved finger hits at least TABLET_TARGET_PX high, spin
# arrows and scroll bars wide enough to hit, check boxes you can see under a finger.
_TABLET_SHEET = f"""
QLineEdit, QPushButton, QComboBox, QAbstractSpinBox {{ min-height: {TABLET_TARGET_PX - 10}px; }}
QListWidget::item, QListView::item {{ min-height: {TABLET_TARGET_PX}px; }}
QCheckBox, QRadioButton {{ min-height: {TABLET_TARGET_PX}px; spacing: 12px; }}
QCheckBox::indicator, QRadioButton::indicator {{ width: 32px; height: 32px; }}
QAbstractSpinBox {{ padding-right: 44px; min-width: 128px; }}
QAbstractSpinBox::up-button {{ subcontrol-origin: border; subcontrol-position: top right;
    width: 44px; }}
QAbstractSpinBox::down-button {{ subcontrol-origin: border; subcontrol-position: bottom right;
    width: 44px; }}
QComboBox::drop-down {{ width: 44px; }}
QScrollBar:vertical {{ width: 28px; }}
QScrollBar:horizontal {{ height: 28px; }}
"""
LARGE_TEXT_SCALE = 1.3
_POINT_SIZE = re.compile(r"(\d+(?:\.\d+)?)pt")
_look = {"large_text": False, "dark_mode": False, "tablet_mode": False}


def apply_style(app: QApplication, *, scale: float = 1.0, dark: bool = False,
                tablet: bool = False) -> None:
    sheet = _STYLE_SHEET + (_DARK_SHEET if dark else "") + (_TABLET_SHEET if tablet else "")
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


def apply_look(app: QApplication, *, large_text: bool, dark_mode: bool,
               tablet_mode: bool = False) -> None:
    """Large text, dark mode and tablet mode, as the preferences say; does nothing when
    unchanged."""
    wanted = {"large_text": large_text, "dark_mode": dark_mode, "tablet_mode": tablet_mode}
    if _look == wanted:
        return
    if large_text != _look["large_text"]:
        font = app.font()
        font.setPointSizeF(UI_POINT_SIZE * (LARGE_TEXT_SCALE if large_text else 1.0))
        app.setFont(font)
    if dark_mode != _look["dark_mode"]:
        app.setPalette(dark_palette() if dark_mode else app.style().standardPalette())
    apply_style(app, scale=LARGE_TEXT_SCALE if large_text else 1.0, dark=dark_mode,
                tablet=tablet_mode)
    _look.update(wanted)
    from fieldapp.ui.tablet import set_tablet_mode  # the rows and the keyboard

    set_tablet_mode(app, tablet_mode)


def current_look() -> dict[str, bool]:
    return dict(_look)
