"""Nothing changed by accident: the mouse wheel and destructive actions.

Touchpads and tablets scroll forms constantly; a combo box, spin box or date field under
the pointer must not take that scroll as a new value. ``WheelGuard`` is one event filter
on the whole application: a field without focus never takes the wheel (nor the focus
from it), and the scroll goes on to the scroll area around it, as the user meant.

``ask_once`` is the one question a destructive action asks: it names what it acts on
(the 文号, the file) and calls back only on "yes".
"""

from __future__ import annotations

from collections.abc import Callable

from fieldapp.i18n import _
from fieldapp.ui.qt import (
    QAbstractScrollArea,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QCoreApplication,
    QEvent,
    QMessageBox,
    QObject,
    Qt,
    QWheelEvent,
    QWidget,
)

GUARDED = (QComboBox, QAbstractSpinBox)  # QAbstractSpinBox covers QDateEdit/QTimeEdit


class WheelGuard(QObject):
    """Application-wide: wheel over an unfocused field scrolls the page instead."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not isinstance(watched, GUARDED):
            return False
        if event.type() == QEvent.Type.Polish:
            # WheelFocus would hand the field the focus on the first notch, and then
            # the value to the next ones: only a click or Tab gives it the focus.
            if watched.focusPolicy() == Qt.FocusPolicy.WheelFocus:
                watched.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            return False
        if event.type() != QEvent.Type.Wheel or watched.hasFocus():
            return False
        assert isinstance(event, QWheelEvent)
        _scroll_enclosing_area(watched, event)
        event.accept()  # handled: Qt must not deliver it to the parents a second time
        return True


def _scroll_enclosing_area(widget: QWidget, event: QWheelEvent) -> None:
    parent = widget.parentWidget()
    while parent is not None and not isinstance(parent, QAbstractScrollArea):
        parent = parent.parentWidget()
    if parent is None:
        return
    viewport = parent.viewport()
    local = viewport.mapFromGlobal(event.globalPosition().toPoint())
    forwarded = QWheelEvent(local.toPointF(), event.globalPosition(), event.pixelDelta(),
                            event.angleDelta(), event.buttons(), event.modifiers(),
                            event.phase(), event.inverted())
    QCoreApplication.sendEvent(viewport, forwarded)


def install_wheel_guard(app: QApplication) -> WheelGuard:
    """Once per application (kept on it, so it lives as long as the app)."""
    existing = getattr(app, "_fieldapp_wheel_guard", None)
    if isinstance(existing, WheelGuard):
        return existing
    guard = WheelGuard(app)
    app.installEventFilter(guard)
    app._fieldapp_wheel_guard = guard  # type: ignore[attr-defined]
    return guard


def ask_once(parent: QWidget, title: str, question: str, yes: str,
             on_yes: Callable[[], None]) -> QMessageBox:
    """A window-modal question with a named "yes" button and 取消; ``on_yes`` runs only
    when the user confirms. Returned so a caller (or a test) can answer it."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, question,
                      QMessageBox.StandardButton.NoButton, parent)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    confirm = box.addButton(yes, QMessageBox.ButtonRole.DestructiveRole)
    cancel = box.addButton(_("Cancel"), QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(cancel)  # Enter out of habit must not destroy anything
    box.setEscapeButton(cancel)
    box.buttonClicked.connect(lambda button: on_yes() if button is confirm else None)
    box.open()
    return box
