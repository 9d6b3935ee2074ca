"""HQ's HTTP API: one module of routes per resource; ``fieldapp.hq.app`` assembles them."""
