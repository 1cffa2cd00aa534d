"""Records every request a principal makes to the emulator, with moto's answer, as JSON lines.

moto enforces no IAM, so what a role must allow is proven offline instead (tests/iam): each request
is written down here, then checked against the caller's policy. Callers are told apart the way AWS
tells them apart, by their credentials: the access key id of the request's SigV4 signature names the
principal (the local runner gives each function the name of its role as its key). Requests signed
with the tests' own key (`test`) are the tests' setup and are not recorded.

One line per request: {"principal", "region", "signingName", "method", "path", "query", "headers" (those that route or
describe it), "body", "status", "response"}; bodies are text, or base64 under "bodyBase64" /
"responseBase64" when they are not UTF-8. A binary body over 1 MiB (a package uploaded to S3: tens
of megabytes in a debug build, which made a lifecycle's record about a gigabyte) is written down by
its size only ("bodyOmitted"): no authorization depends on an opaque payload's bytes.
"""

import base64
import io
import json
import re
import threading

# The tests' own credentials (tests/src/emulator.rs, launch.py): setup, not a principal under test.
UNRECORDED_KEYS = frozenset({"test", "testing"})
# The signature's credential scope: access key id, date, region, signing name.
CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/\d{8}/([^/]+)/([^/]+)/aws4_request")
KEPT_HEADERS = ("HTTP_X_AMZ_TARGET", "CONTENT_TYPE", "HTTP_HOST")


def credential_of(environ):
    """(access key id, region, signing name) of a request's signature, or None when unsigned."""
    match = CREDENTIAL.search(environ.get("HTTP_AUTHORIZATION", ""))
    return match.groups() if match else None


# Binary bodies above this size are recorded by size only.
OMIT_BINARY_OVER = 1 << 20


def _text(data, field):
    try:
        return {field: data.decode("utf-8")}
    except UnicodeDecodeError:
        if len(data) > OMIT_BINARY_OVER:
            return {f"{field}Omitted": len(data)}
        return {f"{field}Base64": base64.b64encode(data).decode("ascii")}


class Recorder:
    """A WSGI middleware in front of moto's application."""

    def __init__(self, app, path):
        self.app = app
        self.lock = threading.Lock()
        self.file = open(path, "a", encoding="utf-8")  # noqa: SIM115 - open for the server's life

    def __call__(self, environ, start_response):
        credential = credential_of(environ)
        if credential is None or credential[0] in UNRECORDED_KEYS:
            return self.app(environ, start_response)
        principal, region, signing_name = credential
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        answered = {}

        def remember_status(status, headers, exc_info=None):
            answered["status"] = int(status.split(" ", 1)[0])
            return start_response(status, headers, exc_info)

        chunks = list(self.app(environ, remember_status))
        entry = {
            "principal": principal,
            "region": region,
            "signingName": signing_name,
            "method": environ["REQUEST_METHOD"],
            "path": environ.get("PATH_INFO", ""),
            "query": environ.get("QUERY_STRING", ""),
            "headers": {name: environ[name] for name in KEPT_HEADERS if name in environ},
            "status": answered.get("status", 0),
            **_text(body, "body"),
            **_text(b"".join(chunks), "response"),
        }
        with self.lock:
            self.file.write(json.dumps(entry) + "\n")
            self.file.flush()
        return chunks
