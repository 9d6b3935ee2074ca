"""The desktop app (PySide6). Qt names come only through ``fieldapp.ui.qt``."""
