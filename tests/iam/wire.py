"""Recorded HTTP requests (tools/emulator/recorder.py) read back as AWS operations with their members.

The operation and its input members are recovered with botocore's service models (installed with
moto), the same models the SDKs are generated from, so a member is named here as the API reference
names it (`TagSpecifications`, `VpcId`, `FunctionName`) whatever the wire protocol: query (EC2's
dialect included), JSON, REST-JSON or REST-XML. Answers are read into plain data the same way, with
XML turned into nested dicts keyed by element name.
"""

import base64
import json
import re
import urllib.parse
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from functools import lru_cache

import botocore.session

# The SigV4 signing name in a request's credential scope -> botocore's service model, for every
# service the backend calls. An unknown one is an error: the check must know every caller's service.
SIGNING_NAMES = {
    "acm": "acm",
    "application-autoscaling": "application-autoscaling",
    "ec2": "ec2",
    "ecr": "ecr",
    "ecs": "ecs",
    "elasticache": "elasticache",
    "elasticloadbalancing": "elbv2",
    "iam": "iam",
    "kms": "kms",
    "lambda": "lambda",
    "logs": "logs",
    "monitoring": "cloudwatch",
    "rds": "rds",
    "route53": "route53",
    "s3": "s3",
    "scheduler": "scheduler",
    "secretsmanager": "secretsmanager",
    "servicediscovery": "servicediscovery",
    "servicequotas": "service-quotas",
    "sns": "sns",
    "states": "stepfunctions",
    "sts": "sts",
    "tagging": "resourcegroupstaggingapi",
}


@lru_cache(maxsize=None)
def model(service):
    return botocore.session.get_session().get_service_model(service)


@dataclass
class Request:
    """One recorded call: who made it, which operation, with which members, and what AWS answered."""

    index: int
    principal: str
    service: str  # botocore's name: ec2, elbv2, stepfunctions, ...
    region: str
    operation: str
    params: dict
    status: int
    response: object = None
    raw: dict = field(default_factory=dict, repr=False)

    @property
    def succeeded(self):
        return 200 <= self.status < 300


def _body(entry, name):
    if name in entry:
        return entry[name].encode("utf-8")
    if f"{name}Base64" in entry:
        return base64.b64decode(entry[f"{name}Base64"])
    return b""


# --- query protocol (and EC2's dialect): flat `A.B.member.1=x` pairs back into members ---------


def _query_name(member_name, shape, ec2):
    if ec2:
        return shape.serialization.get("queryName") or _capitalised(shape.serialization.get("name", member_name))
    return shape.serialization.get("name", member_name)


def _capitalised(name):
    return name[:1].upper() + name[1:]


def _has_prefix(flat, prefix):
    dotted = prefix + "."
    return any(key == prefix or key.startswith(dotted) for key in flat)


def _from_query(shape, prefix, flat, ec2):
    kind = shape.type_name
    if kind == "structure":
        out = {}
        for name, member in shape.members.items():
            wire = _query_name(name, member, ec2)
            value = _from_query(member, f"{prefix}.{wire}" if prefix else wire, flat, ec2)
            if value is not None:
                out[name] = value
        return out if out or not prefix else (out if _has_prefix(flat, prefix) else None)
    if kind == "list":
        if ec2 or shape.serialization.get("flattened"):
            list_prefix = prefix
            if not ec2 and shape.member.serialization.get("name"):
                list_prefix = ".".join(prefix.split(".")[:-1] + [shape.member.serialization["name"]])
        else:
            list_prefix = f"{prefix}.{shape.member.serialization.get('name', 'member')}"
        items = []
        index = 1
        while _has_prefix(flat, f"{list_prefix}.{index}"):
            items.append(_from_query(shape.member, f"{list_prefix}.{index}", flat, ec2))
            index += 1
        return items if items or prefix in flat else None
    if kind == "map":
        entries = {}
        index = 1
        key_name = shape.key.serialization.get("name", "key")
        value_name = shape.value.serialization.get("name", "value")
        while _has_prefix(flat, f"{prefix}.entry.{index}"):
            key = flat.get(f"{prefix}.entry.{index}.{key_name}")
            entries[key] = _from_query(shape.value, f"{prefix}.entry.{index}.{value_name}", flat, ec2)
            index += 1
        return entries or None
    return flat.get(prefix)


def _flat_form(data):
    return {key: values[-1] for key, values in urllib.parse.parse_qs(data, keep_blank_values=True).items()}


# --- XML answers (query and REST-XML) into nested dicts ------------------------------------------


def _local(tag):
    return tag.rsplit("}", 1)[-1]


def xml_to_data(element):
    """An element as data: text for a leaf, else a dict of child name -> value (a list when repeated)."""
    children = list(element)
    if not children:
        return (element.text or "").strip()
    out = {}
    for child in children:
        name = _local(child.tag)
        value = xml_to_data(child)
        if name in out:
            if not isinstance(out[name], list) or not getattr(out[name], "_repeated", False):
                out[name] = _Repeated([out[name]])
            out[name].append(value)
        else:
            out[name] = value
    return out


class _Repeated(list):
    _repeated = True


def parse_answer(data):
    text = data.strip()
    if not text:
        return None
    if text[:1] in (b"{", b"["):
        try:
            return json.loads(text)
        except ValueError:
            return None
    if text[:1] == b"<":
        try:
            root = ET.fromstring(text)
        except ET.ParseError:
            return None
        return {_local(root.tag): xml_to_data(root)}
    return None


def find(data, name):
    """Every value under a key `name`, anywhere in answer data (XML element or JSON member names)."""
    found = []
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, value in item.items():
                if key == name:
                    found.extend(value if isinstance(value, list) else [value])
                stack.append(value)
        elif isinstance(item, list):
            stack.extend(item)
    return found


def first(data, name):
    values = find(data, name)
    return values[-1] if values else None


# --- REST protocols: the operation from the method and path ---------------------------------------


@lru_cache(maxsize=None)
def _routes(service):
    routes = []
    service_model = model(service)
    for name in service_model.operation_names:
        operation = service_model.operation_model(name)
        uri = operation.http.get("requestUri", "/")
        path, _, literal_query = uri.partition("?")
        pattern = ""
        for part in re.split(r"(\{[^}]+\})", path):
            if part.startswith("{"):
                label = part[1:-1]
                greedy = label.endswith("+")
                label = label.rstrip("+")
                pattern += f"(?P<{re.sub(r'[^A-Za-z0-9_]', '_', label)}>{'.+' if greedy else '[^/]+'})"
            else:
                pattern += re.escape(part)
        # S3 and others accept the path with or without a trailing slash.
        pattern = pattern.rstrip("/") + "/?"
        # `?tagging` must be present; `?x-id=GetObject` must have that value.
        required = [tuple(item.split("=", 1)) if "=" in item else (item, None) for item in literal_query.split("&") if item]
        literal_length = len(re.sub(r"\{[^}]+\}", "", path))
        routes.append((operation.http.get("method", "POST"), re.compile(pattern + r"\Z"), required, literal_length, name))
    return routes


def _required_query_members(service, name):
    """The querystring names an operation's input requires: what tells apart operations that share
    a path (S3's PutObject and UploadPartCopy)."""
    shape = model(service).operation_model(name).input_shape
    if shape is None:
        return []
    return [
        shape.members[member].serialization.get("name", member)
        for member in shape.required_members
        if shape.members[member].serialization.get("location") == "querystring"
    ]


def _rest_operation(service, method, path, query):
    # The SDKs name S3 operations that share a path and method in the query (`x-id=PutObject`).
    named = query.get("x-id")
    candidates = []
    for route_method, pattern, required, literal_length, name in _routes(service):
        if route_method != method or (named and name != named):
            continue
        if not all(member in query for member in _required_query_members(service, name)):
            continue
        match = pattern.match(path)
        if not match:
            continue
        if not all(key in query and value in (None, query[key]) for key, value in required):
            continue
        candidates.append((len(required), literal_length, name, match.groupdict()))
    if not candidates:
        return None, {}
    candidates.sort(key=lambda c: (c[0], c[1]))
    _, _, name, labels = candidates[-1]
    return name, labels


def _rest_params(service, operation, labels, query, body, headers):
    shape = model(service).operation_model(operation).input_shape
    params = {}
    if shape is None:
        return params
    payload_member = shape.serialization.get("payload")
    for name, member in shape.members.items():
        location = member.serialization.get("location")
        wire = member.serialization.get("name", name)
        if location == "uri":
            key = re.sub(r"[^A-Za-z0-9_]", "_", wire)
            if key in labels:
                params[name] = urllib.parse.unquote(labels[key])
        elif location == "querystring":
            if wire in query:
                params[name] = query[wire]
        elif location == "header":
            value = headers.get("HTTP_" + wire.upper().replace("-", "_"))
            if value is not None:
                params[name] = value
    data = parse_answer(body) if body else None
    if payload_member:
        if data is not None:
            params[payload_member] = next(iter(data.values())) if _is_xml(body) else data
    elif isinstance(data, dict):
        inner = next(iter(data.values())) if _is_xml(body) else data
        if isinstance(inner, dict):
            for key, value in inner.items():
                params.setdefault(key, value)
    return params


def _is_xml(body):
    return body.strip()[:1] == b"<"


# --- one recorded entry -------------------------------------------------------------------------


def decode(index, entry):
    """The recorded entry as a Request; raises ValueError for a service or operation it cannot name."""
    headers = entry.get("headers", {})
    signing = entry.get("signingName")
    region = entry.get("region")
    if signing not in SIGNING_NAMES:
        raise ValueError(f"request {index}: unknown service {signing!r} (add it to wire.SIGNING_NAMES)")
    service = SIGNING_NAMES[signing]
    service_model = model(service)
    protocol = service_model.metadata["protocol"]
    body = _body(entry, "body")
    query = _flat_form(entry.get("query", ""))
    target = headers.get("HTTP_X_AMZ_TARGET")
    if target:
        operation = target.split(".", 1)[1]
        params = json.loads(body) if body.strip() else {}
    elif protocol in ("query", "ec2"):
        flat = {**query, **_flat_form(body.decode("utf-8"))}
        operation = flat.get("Action")
        if operation is None:
            raise ValueError(f"request {index}: a query request without Action")
        shape = service_model.operation_model(operation).input_shape
        params = _from_query(shape, "", flat, protocol == "ec2") if shape is not None else {}
    else:
        path = entry.get("path", "/")
        if service == "s3":
            path = _s3_path_style(path, headers.get("HTTP_HOST", ""))
        operation, labels = _rest_operation(service, entry["method"], path, query)
        if operation is None:
            raise ValueError(f"request {index}: no {service} operation for {entry['method']} {path}?{entry.get('query', '')}")
        params = _rest_params(service, operation, labels, query, body, headers)
    if operation not in service_model.operation_names:
        raise ValueError(f"request {index}: {service} has no operation {operation!r}")
    return Request(
        index=index,
        principal=entry["principal"],
        service=service,
        region=region,
        operation=operation,
        params=params or {},
        status=entry.get("status", 0),
        response=parse_answer(_body(entry, "response")),
        raw=entry,
    )


def _s3_path_style(path, host):
    """A virtual-hosted S3 request (`bucket.host`) as its path-style equivalent."""
    name = host.split(":", 1)[0]
    if name and not re.fullmatch(r"[\d.]+|localhost", name) and "." in name:
        bucket = name.split(".", 1)[0]
        return f"/{bucket}{path}"
    return path


def read(path):
    """Every recorded request of a file, in order."""
    requests = []
    with open(path, encoding="utf-8") as lines:
        for index, line in enumerate(lines):
            if line.strip():
                requests.append(decode(index, json.loads(line)))
    return requests
