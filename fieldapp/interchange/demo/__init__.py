"""The demo data set: one deterministic generator of protocol entity batches, loaded by
the desktop (``fieldapp.demo.load``) and by HQ (``fieldapp-hq demo``) alike."""
