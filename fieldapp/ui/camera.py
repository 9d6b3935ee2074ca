"""Taking a photo with the tablet's or laptop's camera (QtMultimedia, loaded only here).

``FrameCapture`` is the one path every frame takes, whatever gave it: the camera's
image capture, or (in tests, and where no camera is) an image read from a file. It
encodes the frame as JPEG and hands the bytes on; the photo strip then saves and hashes
them through the services.
"""

from __future__ import annotations

from typing import Any

from fieldapp.i18n import _
from fieldapp.ui.qt import (
    QBuffer,
    QByteArray,
    QDialog,
    QHBoxLayout,
    QImage,
    QIODevice,
    QLabel,
    QObject,
    QPushButton,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
    multimedia,
)

JPEG_QUALITY = 92
PREVIEW_PX = (640, 480)


class FrameCapture(QObject):
    """Frames in, JPEG bytes out (``taken``)."""

    taken = Signal(bytes)

    def deliver(self, image: QImage) -> bool:
        """Encode one frame and emit it; False for an empty frame."""
        if image.isNull():
            return False
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image.convertToFormat(QImage.Format.Format_RGB888).save(buffer, "JPG", JPEG_QUALITY)
        buffer.close()
        self.taken.emit(bytes(data.data()))
        return True

    def deliver_file(self, path: str) -> bool:
        """A frame read from an image file, through the same path as the camera's."""
        return self.deliver(QImage(path))


def cameras() -> list[Any]:
    """The cameras Qt sees (empty without QtMultimedia or without a camera)."""
    modules = multimedia()
    if modules is None:
        return []
    return list(modules[0].QMediaDevices.videoInputs())


class CameraDialog(QDialog):
    """A live preview and a shutter button; each shot goes through ``capture``."""

    def __init__(self, capture: FrameCapture, device: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        modules = multimedia()
        assert modules is not None, "only opened when cameras() found one"
        media, widgets = modules
        self.setWindowTitle(_("Take a photo"))
        self.capture = capture
        self.preview = widgets.QVideoWidget(self)
        self.preview.setMinimumSize(*PREVIEW_PX)
        self.camera = media.QCamera(device, self)
        self.image_capture = media.QImageCapture(self)
        self.session = media.QMediaCaptureSession(self)
        self.session.setCamera(self.camera)
        self.session.setImageCapture(self.image_capture)
        self.session.setVideoOutput(self.preview)
        self.shutter = QPushButton(_("Take photo"), self)
        self.shutter.setProperty("role", "primary")
        self.count = QLabel(self)
        close = QPushButton(_("Done"), self)
        buttons = QHBoxLayout()
        buttons.addWidget(self.shutter, 1)
        buttons.addWidget(self.count)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.preview, 1)
        layout.addLayout(buttons)
        self.shots = 0
        self.shutter.clicked.connect(self.image_capture.capture)
        self.image_capture.imageCaptured.connect(self._captured)
        self.image_capture.readyForCaptureChanged.connect(self.shutter.setEnabled)
        close.clicked.connect(self.accept)
        self.finished.connect(lambda _r: self.camera.stop())
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.camera.start()

    def _captured(self, _id: int, image: QImage) -> None:
        if self.capture.deliver(image):
            self.shots += 1
            self.count.setText(_("Photos taken: {count}", count=self.shots))
