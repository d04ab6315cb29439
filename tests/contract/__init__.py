"""The written contract of every request zoho-bulk sends to Zoho Books, Zoho CRM and Zoho Accounts.

Written from Zoho's documents (the seeds in docs/zoho/, Zoho's crm-oas schemas in app/sandbox/crm_schemas/,
and Zoho's pages named in words), not from the client or the sandbox; each rule cites its passage.

- ``kinds``: the request kinds (method, path template, required query parameters and headers,
  allowed values, body schema) as data.
- ``check``: ``deviations(request)``, what a request breaks of the contract (empty when it keeps it).
- ``transport``: ``ContractTransport`` (wraps any httpx transport) and ``checking_every_transport()``,
  which tests/conftest.py turns on for every test: every request the tool's own code sends through
  httpx.ASGITransport, AsyncHTTPTransport, HTTPTransport or MockTransport is checked before it goes
  out; a deviation raises ``ContractViolation`` in the sender and is recorded, so a request made on
  a background thread still fails its test at teardown.

Exempt, explicitly: the sandbox's own endpoint ``GET /`` (kinds.SANDBOX_ONLY), which the tool asks
only of a sandbox. Documented but not checked, and named so: the "Required" marks the seeds repeat
on update bodies (kinds.DOCUMENTED_NOT_CHECKED; the tool sends partial updates).

What is not covered: a subprocess run of the CLI (``python -m app ...`` started by a test) sends
its requests from another process, where no transport of this one can be wrapped; those requests
are checked only when the same code runs in-process elsewhere in the suite. Requests a test writes
by hand (probing the sandbox with deliberately wrong bodies) are not the tool's and are not checked.
"""
