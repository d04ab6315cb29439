"""The one verified TLS context every Zoho client shares, made once per process."""

from __future__ import annotations

import functools
import ssl

import certifi


@functools.cache
def tls_context() -> ssl.SSLContext:
    """Certificates verified against certifi's bundle, as httpx does by default.

    Loading the bundle takes 20-30 ms; httpx would do it for every client it makes (two per job:
    the API session and the token exchange), on the GUI thread. Shared, it is loaded once, and the
    GUI warms it on a worker thread before the first job.
    """
    return ssl.create_default_context(cafile=certifi.where())
