"""File formats both the desktop and HQ read and write: no-penalty list sheets
(``no_penalty_sheets``) and the holiday calendar (``holiday_calendar``). Imports only
``fieldapp.domain`` and third-party parsers (openpyxl): no store, no services."""
