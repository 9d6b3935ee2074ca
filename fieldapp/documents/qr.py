"""QR codes drawn as vector rectangles (sharp at any print resolution, no image to encode).

The mask pattern is fixed: choosing the "best" of the eight (qrcode's default) costs
~25 ms in pure Python, most of a document's budget, and any mask is valid for readers.
The data is one byte-mode segment (UTF-8), the version the smallest that holds it.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import qrcode
from qrcode import util
from qrcode.constants import ERROR_CORRECT_M

QUIET_ZONE = 2  # modules of white border (printed on white paper, 2 decode reliably)


@lru_cache(maxsize=64)
def symbol(payload: str) -> tuple[int, str]:
    """The symbol size in modules and the PDF path operators of its dark modules, in
    module units from the top left corner (y downwards negative), one ``re`` per run of
    dark modules in a row."""
    data = payload.encode("utf-8")
    code = qrcode.QRCode(version=_version(len(data)), error_correction=ERROR_CORRECT_M,
                         border=0, mask_pattern=0)
    code.add_data(util.QRData(data, mode=util.MODE_8BIT_BYTE, check_data=False))
    code.make(fit=False)
    matrix = code.get_matrix()
    ops: list[str] = []
    for row, cells in enumerate(matrix):
        col = 0
        while col < len(cells):
            if cells[col]:
                start = col
                while col < len(cells) and cells[col]:
                    col += 1
                ops.append(f"{start} {-row - 1} {col - start} 1 re")
            else:
                col += 1
    return len(matrix), "\n".join(ops)


def _version(length: int) -> int:
    """The smallest version that holds ``length`` bytes in byte mode (qrcode's own fitting
    encodes the data twice to find out)."""
    for version in range(1, 41):
        bits = 4 + util.length_in_bits(util.MODE_8BIT_BYTE, version) + 8 * length
        if bits <= util.BIT_LIMIT_TABLE[ERROR_CORRECT_M][version]:
            return version
    raise ValueError(f"{length} bytes do not fit in a QR code")


def draw_qr(canv: Any, payload: str, x: float, y: float, size: float) -> None:
    """Draw the code for ``payload`` with its lower left corner at (x, y), ``size`` wide
    including the quiet zone."""
    modules, ops = symbol(payload)
    unit = size / (modules + 2 * QUIET_ZONE)
    canv.saveState()
    canv.setFillColorRGB(0, 0, 0)
    canv.translate(x + QUIET_ZONE * unit, y + size - QUIET_ZONE * unit)
    canv.scale(unit, unit)
    # Integer module coordinates under a scale: the operators are made once per payload
    # and adjacent rows share exact edges (no hairline seams).
    canv.addLiteral(ops + "\nf")
    canv.restoreState()
