"""A test-only proxy that lets the AWS SDK for Rust talk CloudWatch to moto.

aws-sdk-cloudwatch speaks only the Smithy RPC v2 CBOR protocol (`POST /service/<service>/operation/<Op>`,
`smithy-protocol: rpc-v2-cbor`, CBOR bodies); moto answers CloudWatch in the AWS JSON 1.0 protocol that
boto3 can use. This proxy decodes each CBOR request, sends the same operation with the same members to
moto as JSON (`X-Amz-Target: GraniteServiceVersion20100801.<Op>`), and encodes moto's answer back as
CBOR. Both protocols carry the same shapes with the same member names; only three encodings differ,
and botocore's CloudWatch model (installed with moto) says where they occur:

- timestamps: CBOR tag 1 (epoch seconds) both ways; JSON epoch seconds (moto may also write ISO 8601);
- blobs: CBOR byte strings; JSON base64 text;
- doubles: always a CBOR float (JSON `80` for a double must not reach the SDK as an integer).

Errors keep their HTTP status; the body becomes `{"__type": ..., "message": ...}` in CBOR, and the
`x-amzn-query-error` header (CloudWatch is `awsQueryCompatible`, so the SDK reads the error code from
it) is passed on. Any other POST is forwarded to moto unchanged.
"""

import base64
import datetime
import json
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import botocore.session
import cbor2

TARGET_PREFIX = "GraniteServiceVersion20100801"
CBOR_PATH = f"/service/{TARGET_PREFIX}/operation/"
# Headers moto needs to route the request (the signature's credential scope names the region).
FORWARDED_HEADERS = ("authorization", "x-amz-date", "x-amz-security-token")
# Response headers of moto's that mean the same in both protocols.
RETURNED_HEADERS = ("x-amzn-requestid", "x-amzn-query-error")

_MODEL = botocore.session.get_session().get_service_model("cloudwatch")


def _to_json(value):
    """A decoded CBOR value as JSON-ready data: timestamps to epoch seconds, bytes to base64."""
    if isinstance(value, dict):
        return {key: _to_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_to_json(item) for item in value]
    if isinstance(value, datetime.datetime):
        return value.timestamp()
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode("ascii")
    return value


def _timestamp(value):
    if isinstance(value, (int, float)):
        return datetime.datetime.fromtimestamp(value, tz=datetime.timezone.utc)
    parsed = datetime.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=datetime.timezone.utc)


def _to_cbor(value, shape):
    """moto's JSON answer shaped for CBOR, following the operation's output shape."""
    if value is None or shape is None:
        return value
    kind = shape.type_name
    if kind == "structure":
        return {
            key: _to_cbor(item, shape.members.get(key))
            for key, item in value.items()
            if key in shape.members and item is not None
        }
    if kind == "list":
        return [_to_cbor(item, shape.member) for item in value]
    if kind == "map":
        return {key: _to_cbor(item, shape.value) for key, item in value.items()}
    if kind == "timestamp":
        return _timestamp(value)
    if kind == "blob":
        return base64.b64decode(value)
    if kind in ("double", "float"):
        return float(value)
    if kind in ("integer", "long"):
        return int(value)
    return value


def _send(url, method, body, headers):
    request = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    moto = ""

    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        pass

    def _body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _answer(self, status, body, headers):
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):  # noqa: N802 - http.server's naming
        body = self._body()
        if self.path.startswith(CBOR_PATH):
            self._translate(self.path[len(CBOR_PATH) :], body)
        else:
            self._pass_through(body)

    def _pass_through(self, body):
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
        status, answer_headers, answer = _send(self.moto + self.path, self.command, body or None, headers)
        kept = {k: v for k, v in answer_headers.items() if k.lower() not in ("content-length", "connection", "transfer-encoding")}
        self._answer(status, answer, kept)

    def _translate(self, operation, body):
        members = cbor2.loads(body) if body else {}
        headers = {
            "Content-Type": "application/x-amz-json-1.0",
            "X-Amz-Target": f"{TARGET_PREFIX}.{operation}",
        }
        for name in FORWARDED_HEADERS:
            if self.headers.get(name):
                headers[name] = self.headers[name]
        status, moto_headers, answer = _send(
            self.moto + "/", "POST", json.dumps(_to_json(members)).encode(), headers
        )
        lowered = {k.lower(): v for k, v in moto_headers.items()}
        try:
            document = json.loads(answer) if answer.strip() else {}
        except ValueError:
            document = {"message": answer.decode("utf-8", "replace")}
        if status < 300:
            shape = _MODEL.operation_model(operation).output_shape
            document = _to_cbor(document, shape) or {}
        else:
            code = str(document.get("__type", "InternalFailure")).split("#")[-1]
            message = document.get("message") or document.get("Message") or ""
            document = {"__type": f"com.amazonaws.cloudwatch#{code}", "message": message}
        reply = {"Content-Type": "application/cbor", "smithy-protocol": "rpc-v2-cbor"}
        for name in RETURNED_HEADERS:
            if name in lowered:
                reply[name] = lowered[name]
        self._answer(status, cbor2.dumps(document, datetime_as_timestamp=True), reply)


def start(moto_endpoint):
    """Serves the proxy on a free loopback port in a daemon thread; returns the server."""
    handler = type("Handler", (_Handler,), {"moto": moto_endpoint})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
