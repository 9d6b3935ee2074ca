"""Enforcement documents and dossiers rendered with reportlab.

- ``fields``: the snapshot keys, the contract with the issuing side.
- ``render``: ``render_document(snapshot, layout=..., qr_payload=...)`` → PDF bytes.
- ``dossier``: ``render_dossier(cover, parts, note)`` → the case volume.
- ``templates`` reads ``forms/*.json``; ``blocks``/``engine`` lay them out; ``fonts``
  keeps every character printable; ``sample`` is a filled-in snapshot for previews.

Importing this package loads nothing heavy; the submodules import reportlab.
"""
