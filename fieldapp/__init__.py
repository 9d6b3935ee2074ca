"""fieldapp: offline-first enforcement records for urban-management squads (城管执法中队)."""

__version__ = "0.1.0"
