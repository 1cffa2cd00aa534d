"""What an AWS request says, and how AWS words an error back, for the behaviours layer (behaviours.py).

moto answers every protocol itself; the layer in front of it needs only to know, for each request, who
signed it, which operation it is and with which parameters, and to answer an error the way the service
would: each protocol has its own error shape, and SDKs read the error code from where their protocol
puts it (AWS SDK for Rust: `x-amzn-ErrorType` or `__type` for JSON, `<Error><Code>` for XML).
"""

import io
import json
import re
import uuid
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, unquote
from xml.sax.saxutils import escape

import recorder

# The tests' own credentials (recorder.py): their setup, not a principal under test.
TEST_KEYS = recorder.UNRECORDED_KEYS
# A presigned URL carries its credential scope in the query string instead of a header.
PRESIGNED = re.compile(r"X-Amz-Credential=([^/&]+)%2F\d{8}%2F([^%&]+)%2F([^%&]+)%2Faws4_request")
# Lambda's REST paths (API version 2015-03-31) that the behaviours act on.
LAMBDA_FUNCTION = re.compile(r"^/2015-03-31/functions/(?P<name>[^/]+)(?P<rest>/[a-z]+)?/?$")
LAMBDA_OPERATIONS = {
    ("GET", None): "GetFunction",
    ("DELETE", None): "DeleteFunction",
    ("GET", "/configuration"): "GetFunctionConfiguration",
    ("PUT", "/configuration"): "UpdateFunctionConfiguration",
    ("PUT", "/code"): "UpdateFunctionCode",
    ("POST", "/versions"): "PublishVersion",
    ("POST", "/invocations"): "Invoke",
}
# Signing names of the services whose JSON errors also carry the query protocol's code
# (`awsQueryCompatible` in their Smithy models: the SDKs read the code from `x-amzn-query-error`).
QUERY_COMPATIBLE = frozenset({"monitoring", "sqs"})
REASONS = {400: "Bad Request", 403: "Forbidden", 404: "Not Found", 409: "Conflict",
           429: "Too Many Requests", 500: "Internal Server Error", 503: "Service Unavailable"}


@dataclass
class Call:
    """One request, as far as the behaviours need it."""

    access_key: str | None
    region: str | None
    service: str | None  # the signing name: ec2, iam, lambda, s3, monitoring, ...
    protocol: str  # json, query, ec2, rest-json, rest-xml, s3
    operation: str | None
    params: dict
    method: str
    path: str
    content_type: str = ""
    # Behaviours leave themselves notes here between `before` and `after` of the same call.
    notes: dict = field(default_factory=dict)
    under_test: bool = False

    def param(self, *names, default=None):
        """The first of `names` present in the parameters (JSON members or flattened query keys)."""
        for name in names:
            if self.params.get(name) not in (None, ""):
                return self.params[name]
        return default


@dataclass
class AwsError:
    """An error as the service would answer it; `render` puts it in the request's protocol."""

    status: int
    code: str
    message: str
    # The code the query protocol uses for the same error, for `awsQueryCompatible` JSON services.
    query_code: str | None = None
    # Extra members of a JSON error body (Lambda's `Reason`, ...).
    fields: dict = field(default_factory=dict)


def credential_of(environ):
    """(access key id, region, signing name) of the request's SigV4 signature, header or presigned."""
    found = recorder.credential_of(environ)
    if found:
        return found
    match = PRESIGNED.search(environ.get("QUERY_STRING", ""))
    return tuple(unquote(part) for part in match.groups()) if match else None


def _read_body(environ):
    """The body, read once and put back for moto. Bodies without a length (chunked uploads) are
    S3's, which no behaviour reads: they are left to moto untouched."""
    length = int(environ.get("CONTENT_LENGTH") or 0)
    if not length:
        return b""
    body = environ["wsgi.input"].read(length)
    environ["wsgi.input"] = io.BytesIO(body)
    return body


def _s3_route(environ):
    """(bucket, key) of an S3 request, path-style (`/bucket/key`, what SDKs use with an IP endpoint)
    or virtual-hosted (`bucket.s3.<...>`, `bucket.localhost`)."""
    host = environ.get("HTTP_HOST", "").split(":")[0]
    path = unquote(environ.get("PATH_INFO", ""))
    hosted = re.match(r"^(?P<bucket>.+?)\.(s3[.-].*|localhost)$", host)
    if hosted and not re.match(r"^s3[.-]", host):
        return hosted.group("bucket"), path.lstrip("/")
    bucket, _, key = path.lstrip("/").partition("/")
    return bucket, key


def _s3_operation(method, bucket, key, query):
    # `x-id` names the operation for the SDKs' own routing (`?x-id=DeleteObject`): not a subresource.
    subresources = {name for name, _ in parse_qsl(query, keep_blank_values=True)} - {"x-id"}
    if method == "DELETE" and bucket and not key and not subresources:
        return "DeleteBucket"
    if method == "DELETE" and key and not subresources - {"versionId"}:
        return "DeleteObject"
    if method == "POST" and bucket and not key and "delete" in subresources:
        return "DeleteObjects"
    return None


def lambda_function_name(name_or_arn):
    """A function's name from its name, partial ARN or ARN, without a qualifier."""
    name_or_arn = unquote(name_or_arn)
    if name_or_arn.startswith("arn:"):
        return name_or_arn.split(":")[6]
    parts = name_or_arn.split(":")
    # `123456789012:function:name` (partial ARN) or `name:qualifier`.
    return parts[2] if len(parts) >= 3 and parts[1] == "function" else parts[0]


def parse(environ):
    """The Call a WSGI request makes."""
    credential = credential_of(environ)
    access_key, region, service = credential if credential else (None, None, None)
    method = environ.get("REQUEST_METHOD", "GET")
    path = environ.get("PATH_INFO", "")
    query = environ.get("QUERY_STRING", "")
    target = environ.get("HTTP_X_AMZ_TARGET")
    content_type = environ.get("CONTENT_TYPE", "")
    call = Call(access_key, region, service, "rest-json", None, {}, method, path, content_type)
    if service == "s3":
        call.protocol = "s3"
        bucket, key = _s3_route(environ)
        call.params = {"Bucket": bucket, "Key": key}
        call.operation = _s3_operation(method, bucket, key, query)
        return call
    body = _read_body(environ)
    if target:
        call.protocol = "json"
        call.operation = target.rsplit(".", 1)[-1]
        try:
            call.params = json.loads(body) if body.strip() else {}
        except ValueError:
            call.params = {}
        return call
    form = {}
    if "x-www-form-urlencoded" in content_type:
        form = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    if "Action" not in form:
        form.update(parse_qsl(query, keep_blank_values=True))
    if "Action" in form:
        call.protocol = "ec2" if service == "ec2" else "query"
        call.operation = form["Action"]
        call.params = form
        return call
    call.protocol = "rest-xml" if service in ("route53", "cloudfront") else "rest-json"
    if service == "lambda":
        try:
            call.params = json.loads(body) if body.strip() else {}
        except ValueError:
            call.params = {}
        if path.rstrip("/") == "/2015-03-31/functions" and method == "POST":
            call.operation = "CreateFunction"
            call.params.setdefault("FunctionName", "")
        elif match := LAMBDA_FUNCTION.match(path):
            call.operation = LAMBDA_OPERATIONS.get((method, match.group("rest")))
            call.params["FunctionName"] = lambda_function_name(match.group("name"))
    return call


def _xml(text):
    return escape(str(text))


def render(call, error):
    """(status line, headers, body) of `error` in the protocol of `call`."""
    request_id = str(uuid.uuid4())
    headers = [("x-amzn-RequestId", request_id)]
    if call.protocol == "json":
        body = json.dumps({"__type": error.code, "message": error.message, **error.fields})
        json_version = call.content_type if "amz-json" in call.content_type else "application/x-amz-json-1.1"
        headers += [("Content-Type", json_version), ("x-amzn-ErrorType", error.code)]
        if call.service in QUERY_COMPATIBLE:
            headers.append(("x-amzn-query-error", f"{error.query_code or error.code};Sender"))
    elif call.protocol == "rest-json":
        body = json.dumps({"Type": "User", "message": error.message, **error.fields})
        headers += [("Content-Type", "application/json"), ("x-amzn-ErrorType", error.code)]
    elif call.protocol == "ec2":
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error>'
            f"<Code>{_xml(error.code)}</Code><Message>{_xml(error.message)}</Message>"
            f"</Error></Errors><RequestID>{request_id}</RequestID></Response>"
        )
        headers.append(("Content-Type", "text/xml;charset=UTF-8"))
    elif call.protocol == "s3":
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<Error>'
            f"<Code>{_xml(error.code)}</Code><Message>{_xml(error.message)}</Message>"
            f"<RequestId>{request_id}</RequestId><HostId>{request_id}</HostId></Error>"
        )
        headers += [("Content-Type", "application/xml"), ("x-amz-request-id", request_id)]
    else:  # query and REST-XML services share the ErrorResponse shape
        body = (
            "<ErrorResponse><Error><Type>Sender</Type>"
            f"<Code>{_xml(error.code)}</Code><Message>{_xml(error.message)}</Message>"
            f"</Error><RequestId>{request_id}</RequestId></ErrorResponse>"
        )
        headers.append(("Content-Type", "text/xml"))
    data = body.encode("utf-8")
    headers.append(("Content-Length", str(len(data))))
    return f"{error.status} {REASONS.get(error.status, 'Error')}", headers, data

