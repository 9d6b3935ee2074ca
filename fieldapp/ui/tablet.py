"""Tablet mode beyond the style sheet: table rows a finger can pick, and fields never
hidden under the on-screen keyboard.

The on-screen keyboard takes the lower part of the screen (``KEYBOARD_SHARE``). When a
text field gets the focus in tablet mode, the scroll area holding it brings it into the
upper part of its view, so what is typed stays in sight; the scroll areas' contents get
room at their end for this, so the last field of a form can come up too.
"""

from __future__ import annotations

from fieldapp.ui.qt import (
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QEvent,
    QLineEdit,
    QObject,
    QPlainTextEdit,
    QScrollArea,
    QTableView,
    QTextEdit,
    QWidget,
)
from fieldapp.ui.style import TABLET_TARGET_PX

KEYBOARD_SHARE = 0.45  # of the screen's height, a typical tablet keyboard in landscape
FIELD_TOP_SHARE = 0.15  # where a focused field's top is brought, in the scroll's view
TEXT_FIELDS = (QLineEdit, QPlainTextEdit, QTextEdit, QAbstractSpinBox)


class TabletHelper(QObject):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.on = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not self.on:
            return False
        if event.type() == QEvent.Type.Polish and isinstance(watched, QTableView):
            touch_rows(watched)
        elif event.type() == QEvent.Type.Polish and isinstance(watched, QScrollArea):
            keep_keyboard_room(watched, True)
        elif event.type() == QEvent.Type.FocusIn and isinstance(watched, TEXT_FIELDS):
            bring_above_keyboard(watched)
        return False


def touch_rows(view: QTableView) -> None:
    header = view.verticalHeader()
    header.setMinimumSectionSize(TABLET_TARGET_PX)
    header.setDefaultSectionSize(max(header.defaultSectionSize(), TABLET_TARGET_PX))


def _scroll_area_of(widget: QWidget) -> QScrollArea | None:
    parent = widget.parentWidget()
    while parent is not None and not isinstance(parent, QScrollArea):
        parent = parent.parentWidget()
    return parent


def bring_above_keyboard(field: QWidget) -> None:
    """Scroll the field's scroll area so the field sits near the top of its view."""
    area = _scroll_area_of(field)
    content = area.widget() if area is not None else None
    if area is None or content is None:
        return
    top = field.mapTo(content, field.rect().topLeft()).y()
    bar = area.verticalScrollBar()
    bar.setValue(max(0, min(bar.maximum(), top - int(area.viewport().height()
                                                       * FIELD_TOP_SHARE))))


def keyboard_room(widget: QWidget) -> int:
    """The room a scroll area's content keeps at its end in tablet mode."""
    screen = widget.screen()
    return int(screen.availableGeometry().height() * KEYBOARD_SHARE) if screen else 0


def keep_keyboard_room(area: QScrollArea, on: bool) -> None:
    content = area.widget()
    if content is None:
        return
    margins = content.contentsMargins()
    content.setContentsMargins(margins.left(), margins.top(), margins.right(),
                               keyboard_room(area) if on else 0)


def set_tablet_mode(app: QApplication, on: bool) -> None:
    helper = getattr(app, "_fieldapp_tablet", None)
    if not isinstance(helper, TabletHelper):
        helper = TabletHelper(app)
        app.installEventFilter(helper)
        app._fieldapp_tablet = helper  # type: ignore[attr-defined]
    helper.on = on
    for widget in app.allWidgets():
        if on and isinstance(widget, QTableView):
            touch_rows(widget)
        if isinstance(widget, QScrollArea):
            keep_keyboard_room(widget, on)
        if isinstance(widget, QAbstractItemView):
            widget.doItemsLayout()  # list rows pick up the new item height
