"""Cryptography both the desktop and HQ use, below the store: password verifiers and
sealed (encrypted) backup files. Pure functions over values and byte streams: no store,
no services, no Qt."""
