"""File formats and data sets both the desktop and HQ read and write: no-penalty list
sheets (``no_penalty_sheets``), the holiday calendar (``holiday_calendar``) and the demo
data set as protocol entity batches (``demo``). Imports only ``fieldapp.domain``, the
protocol, ``fieldapp.crypto`` and third-party parsers (openpyxl): no store, no
services."""
