"""The evidence photos of the inspection being recorded: thumbnails, each hashed the
moment it was taken (from the camera) or chosen (from a file)."""

from __future__ import annotations

from pathlib import Path

from fieldapp.i18n import _, describe
from fieldapp.services.inspections import CapturedPhoto, photo_from_camera, photo_from_file
from fieldapp.ui.camera import CameraDialog, FrameCapture, cameras
from fieldapp.ui.qt import (
    QFileDialog,
    QHBoxLayout,
    QIcon,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPixmap,
    QPushButton,
    QSize,
    QStandardPaths,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
)
from fieldapp.ui.session import AppState

THUMB_PX = 72
IMAGE_FILTER = "*.jpg *.jpeg *.png"
_SHA_ROLE = Qt.ItemDataRole.UserRole


def pictures_folder() -> str:
    return QStandardPaths.writableLocation(
        QStandardPaths.StandardLocation.PicturesLocation)


def photo_dialog(parent: QWidget, title: str, *, many: bool) -> QFileDialog:
    """Qt's own (translated) dialog choosing photos, opened in the pictures folder."""
    dialog = QFileDialog(parent, title, pictures_folder())
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
    dialog.setFileMode(QFileDialog.FileMode.ExistingFiles if many
                       else QFileDialog.FileMode.ExistingFile)
    dialog.setNameFilter(_("Images ({patterns})", patterns=IMAGE_FILTER))
    return dialog


class PhotoStrip(QWidget):
    """Photos in a row of thumbnails; Delete removes the chosen one."""

    changed = Signal()

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.photos: list[CapturedPhoto] = []
        self.capture = FrameCapture(self)
        self.camera_button = QPushButton(_("Take photo"), self)
        self.file_button = QPushButton(_("Photos from files…"), self)
        self.remove_button = QPushButton(_("Remove photo"), self)
        self.hint = QLabel(self)
        self.hint.setProperty("role", "hint")
        self.hint.setWordWrap(True)
        self.list = QListWidget(self)
        self.list.setViewMode(QListView.ViewMode.IconMode)
        self.list.setFlow(QListView.Flow.LeftToRight)
        self.list.setWrapping(False)
        self.list.setIconSize(QSize(THUMB_PX, THUMB_PX))
        self.list.setFixedHeight(THUMB_PX + 30)  # one row: it never grows under a finger
        self.list.setMovement(QListView.Movement.Static)
        buttons = QHBoxLayout()
        for button in (self.camera_button, self.file_button, self.remove_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(buttons)
        layout.addWidget(self.list)
        layout.addWidget(self.hint)
        self.capture.taken.connect(self.add_frame)
        self.camera_button.clicked.connect(self.open_camera)
        self.file_button.clicked.connect(self.choose_files)
        self.remove_button.clicked.connect(self.remove_chosen)
        self.camera_dialog: CameraDialog | None = None
        self.file_dialog: QFileDialog | None = None
        self._pending = 0

    # --- taking ----------------------------------------------------------------------

    def open_camera(self) -> None:
        found = cameras()
        if not found:
            self.hint.setText(_("No camera found: add photos from files."))
            return
        self.camera_dialog = CameraDialog(self.capture, found[0], self.window())
        self.camera_dialog.open()

    def choose_files(self) -> None:
        dialog = photo_dialog(self.window(), _("Evidence photos"), many=True)
        dialog.filesSelected.connect(self.add_files)
        self.file_dialog = dialog
        dialog.open()

    def add_files(self, paths: list[str]) -> None:
        ctx = self.state.ctx
        if ctx is None:
            return
        for name in paths:
            path = Path(name)
            self._run(lambda p=path: photo_from_file(ctx=ctx, path=p))  # type: ignore[misc]

    def add_frame(self, jpeg: bytes) -> None:
        ctx = self.state.ctx
        if ctx is not None:
            self._run(lambda: photo_from_camera(ctx=ctx, jpeg=jpeg))

    def _run(self, job: object) -> None:
        self._pending += 1
        self.state.worker.run(job, self._add, on_error=self._failed)  # type: ignore[arg-type]

    def busy(self) -> bool:
        """Photos still being hashed: recording now would leave them out."""
        return self._pending > 0

    # --- showing ---------------------------------------------------------------------

    def _add(self, photo: CapturedPhoto) -> None:
        self._pending -= 1
        if any(p.sha256 == photo.sha256 for p in self.photos):
            self.hint.setText(_("This photo is already added."))
            return
        self.photos.append(photo)
        self._show(photo)
        self.hint.setText(_("Photos: {count}", count=len(self.photos)))
        self.changed.emit()

    def _show(self, photo: CapturedPhoto) -> None:
        pixmap = QPixmap()
        pixmap.loadFromData(photo.thumbnail_png)
        item = QListWidgetItem(QIcon(pixmap), "")
        item.setData(_SHA_ROLE, photo.sha256)
        item.setToolTip(_("{name}\nSHA-256: {sha}", name=photo.path.name, sha=photo.sha256))
        self.list.addItem(item)

    def _failed(self, error: BaseException) -> None:
        self._pending -= 1
        self.hint.setText(describe(error))

    def remove_chosen(self) -> None:
        item = self.list.currentItem()
        if item is None:
            return
        sha = item.data(_SHA_ROLE)
        self.photos = [p for p in self.photos if p.sha256 != sha]
        self.list.takeItem(self.list.row(item))
        self.changed.emit()

    def set_photos(self, photos: list[CapturedPhoto]) -> None:
        self.photos = list(photos)
        self.list.clear()
        for photo in self.photos:
            self._show(photo)
        self.hint.clear()

    def clear(self) -> None:
        self.set_photos([])
