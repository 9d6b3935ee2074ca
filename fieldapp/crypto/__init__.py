"""File formats with cryptography that the desktop and HQ both read and write.

Pure functions over byte streams: no store, no services, no Qt."""
