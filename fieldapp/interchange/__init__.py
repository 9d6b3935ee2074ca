"""File formats and data sets both the desktop and HQ read and write (no store, no
services): no-penalty sheets, holiday calendars, later hotline work orders; and the demo
data set, as protocol entity batches."""
