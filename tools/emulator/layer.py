"""The WSGI middleware that puts AWS's behaviours (behaviours.py) in front of moto, and what every
behaviour shares: its switch, its K, its counters.

For each request every enabled behaviour first notices it (`notice`: to remember what the request is
about to remove), then the layer asks each, in order, whether it refuses the call (`before`); the first
refusal is answered in the protocol of the call and moto never sees the request.
Otherwise moto answers, and every enabled behaviour sees the answer (`after`): to learn what now
exists (a role, a key, a function...) and, for a principal under test, to report it as AWS would
(a function still `Pending`, a cluster still `creating`).

Only principals under test are refused or shown a different answer: requests signed with the tests'
own keys (`test`, `testing`: their setup and checks) pass untouched, unless the layer is told to act on
them too. Every caller's successful requests are observed, so a role the tests create is as new to a
function as one the function creates.

`GET /_behaviours` answers the counters as JSON (see `Layer.report`).
"""

import json
import threading
from collections import Counter

import aws_wire

REPORT_PATH = "/_behaviours"


class Countdown:
    """Things that stay in a state for K more calls: `arm` puts one in for K, `take` spends one."""

    def __init__(self):
        self.left = {}

    def arm(self, key, calls):
        if calls > 0:
            self.left[key] = calls
        else:
            self.left.pop(key, None)

    def take(self, key):
        """True, and one call fewer, while `key` has calls left."""
        if self.left.get(key, 0) <= 0:
            return False
        self.left[key] -= 1
        if not self.left[key]:
            del self.left[key]
        return True

    def __contains__(self, key):
        return self.left.get(key, 0) > 0

    def forget(self, key):
        self.left.pop(key, None)


class Answer:
    """moto's answer to a call, which `after` may read and rewrite."""

    def __init__(self, status, headers, body):
        self.status = status  # the status line, "200 OK"
        self.headers = headers
        self.body = body

    @property
    def code(self):
        return int(self.status.split(" ", 1)[0])

    @property
    def ok(self):
        return self.code < 300

    def json(self):
        try:
            return json.loads(self.body) if self.body.strip() else {}
        except ValueError:
            return {}

    def replace(self, body):
        self.body = body if isinstance(body, bytes) else body.encode("utf-8")
        self.headers = [(k, v) for k, v in self.headers if k.lower() != "content-length"]
        self.headers.append(("Content-Length", str(len(self.body))))


class Behaviour:
    """One of AWS's behaviours. Subclasses name it, give its default K, and say which AWS document
    or public issue shows it in their docstring."""

    name = ""
    default_calls = 1

    def __init__(self, calls=None, **options):
        self.calls = self.default_calls if calls is None else calls
        self.options = options
        self.errors = Counter()  # refusals, by error code
        self.reports = Counter()  # answers changed without an error, by what was reported

    def notice(self, call):
        """Sees every call before moto answers it, whoever makes it; refuses nothing."""

    def before(self, call):
        """An AwsError to answer instead of moto, or None. Called for principals under test only."""
        return None

    def after(self, call, answer):
        """Sees moto's answer to every call; may rewrite it for principals under test."""

    def refuse(self, error):
        self.errors[error.code] += 1
        return error

    def reported(self, what):
        self.reports[what] += 1

    def counters(self):
        return {
            "enabled": True,
            "calls": self.calls,
            "fired": sum(self.errors.values()) + sum(self.reports.values()),
            "errors": dict(self.errors),
            "reports": dict(self.reports),
        }


class Layer:
    """WSGI middleware: the enabled behaviours in front of `app` (moto's application)."""

    def __init__(self, app, behaviours, act_on_test_keys=False, describe=None):
        self.app = app
        self.behaviours = list(behaviours)
        self.act_on_test_keys = act_on_test_keys
        # What else the report says about the configuration (seed, rate, disabled behaviours).
        self.describe = describe or {}
        # Behaviours keep state across requests of concurrent threads; their own work is small, so
        # one lock around it (never around moto's) keeps them simple.
        self.lock = threading.Lock()

    def report(self):
        """{"behaviours": {name: {"enabled", "calls", "fired", "errors": {code: n},
        "reports": {what: n}}}, ...configuration}: how many calls each behaviour refused or
        answered differently, the numbers a test prints as "calls retried per cause"."""
        with self.lock:
            counters = {b.name: b.counters() for b in self.behaviours}
        for name in self.describe.get("disabled", []):
            counters[name] = {"enabled": False}
        return {**{k: v for k, v in self.describe.items() if k != "disabled"}, "behaviours": counters}

    def _serve_report(self, start_response):
        body = json.dumps(self.report(), indent=1, sort_keys=True).encode()
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") == REPORT_PATH and environ.get("REQUEST_METHOD") == "GET":
            return self._serve_report(start_response)
        call = aws_wire.parse(environ)
        call.under_test = call.access_key is not None and (
            self.act_on_test_keys or call.access_key not in aws_wire.TEST_KEYS
        )
        with self.lock:
            for behaviour in self.behaviours:
                behaviour.notice(call)
        if call.under_test:
            with self.lock:
                for behaviour in self.behaviours:
                    error = behaviour.before(call)
                    if error is not None:
                        status, headers, body = aws_wire.render(call, error)
                        start_response(status, headers)
                        return [body]
        answered = {}

        def remember(status, headers, exc_info=None):
            answered["status"], answered["headers"] = status, list(headers)
            return lambda data: None  # moto returns its body; it never writes through this

        chunks = self.app(environ, remember)
        try:
            body = b"".join(chunks)
        finally:
            if hasattr(chunks, "close"):
                chunks.close()
        answer = Answer(answered["status"], answered["headers"], body)
        with self.lock:
            for behaviour in self.behaviours:
                behaviour.after(call, answer)
        start_response(answer.status, answer.headers)
        return [answer.body]
