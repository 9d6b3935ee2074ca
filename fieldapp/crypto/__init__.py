"""Cryptography both the desktop and HQ use, below the store: password verifiers,
sealed (encrypted) backups."""
