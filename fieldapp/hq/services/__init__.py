"""HQ's use cases: one module per thing HQ does (push, pull, enrollment, numbers …).
Each takes the ``Hq`` context and keyword arguments and returns protocol messages or
plain values; the API routes and the admin CLI are thin edges over them."""
