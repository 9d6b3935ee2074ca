"""Enforcement documents and dossiers rendered with reportlab (arrives with the documents issue)."""
