"""Step Functions executions as the warm pool needs them from moto (docs/warm-pool-design.md §3.1).

moto records executions and runs none: `envctl local` runs each one's input itself (tools/workflow/
run.mjs) and then tells moto how it ended through `OUTCOME_PATH`, so that what Step Functions would
answer afterwards (DescribeExecution, ListExecutions, StartExecution of the same name) is what AWS
would answer.
"""

import json
import threading

from moto.core.utils import utcnow

import moto_state

# One lock for every change of an execution's name or status: StartExecution's name check and
# append, and an outcome being recorded (the check reads the status).
LOCK = threading.Lock()

# `POST` here, with {"executionArn", "status": "SUCCEEDED"|"FAILED", "output" | "error", "cause"}.
OUTCOME_PATH = "/_emulator/execution-outcome"
OUTCOMES = ("SUCCEEDED", "FAILED")


def serialise_start_execution() -> None:
    """moto 5.2.5's StartExecution looks through the state machine's executions for the name, then
    appends the new one; its threaded server lets two requests do both steps at once, so two callers
    of one name with different inputs can both succeed. AWS lets exactly one execution of a name
    exist ("must be unique for your AWS account, region, and state machine for 90 days"; a different
    input or a closed execution is ExecutionAlreadyExists: SFN API reference, StartExecution). The
    check and the append are made one step here."""
    from moto.stepfunctions.models import StepFunctionBackend

    start = StepFunctionBackend.start_execution
    if getattr(start, "serialised", False):
        return

    def start_execution(self, *args, **kwargs):
        with LOCK:
            return start(self, *args, **kwargs)

    start_execution.serialised = True
    StepFunctionBackend.start_execution = start_execution


class OutcomeError(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status = status


def execution(arn):
    """moto's execution `arn` (arn:aws:states:<region>:<account>:execution:<machine>:<name>)."""
    from moto.stepfunctions.models import stepfunctions_backends

    parts = arn.split(":") if isinstance(arn, str) else []
    if len(parts) != 8 or parts[2] != "states" or parts[5] != "execution":
        raise OutcomeError("400 Bad Request", f"executionArn {arn!r} is not an execution's ARN")
    region, account = parts[3], parts[4]
    for backend_account, backend_region, backend in moto_state.existing(stepfunctions_backends):
        if (backend_account, backend_region) != (account, region):
            continue
        for machine in backend.state_machines:
            for candidate in machine.executions:
                if candidate.execution_arn == arn:
                    return candidate
    raise OutcomeError("404 Not Found", f"no execution {arn}")


def outcome_of(body):
    """(arn, status, output, error, cause) from the request body, or OutcomeError naming what is
    wrong and what is allowed."""
    try:
        request = json.loads(body or b"{}")
    except ValueError as error:
        raise OutcomeError("400 Bad Request", f"the body is not JSON: {error}") from error
    if not isinstance(request, dict):
        raise OutcomeError("400 Bad Request", "the body is not a JSON object")
    status = request.get("status")
    if status not in OUTCOMES:
        raise OutcomeError("400 Bad Request", f"status {status!r} is not one of {', '.join(OUTCOMES)}")
    output = request.get("output")
    if output is not None and not isinstance(output, str):
        output = json.dumps(output)
    if status == "SUCCEEDED":
        return request.get("executionArn"), status, output or "{}", None, None
    return request.get("executionArn"), status, None, request.get("error", ""), request.get("cause", "")


def record(body):
    """Closes the execution the body names with its outcome. Recording the same outcome again
    changes nothing; a different one for a closed execution is refused, as a closed execution never
    changes in AWS."""
    arn, status, output, error, cause = outcome_of(body)
    with LOCK:
        found = execution(arn)
        if found.status != "RUNNING":
            if (found.status, found.output, found.error, found.cause) == (status, output, error, cause):
                return found
            raise OutcomeError("409 Conflict", f"{arn} already ended {found.status}")
        found.status, found.output, found.error, found.cause = status, output, error, cause
        found.stop_date = utcnow()
        return found


class ExecutionOutcomes:
    """`POST OUTCOME_PATH`: records how an execution `envctl local` ran ended (see `record`); every
    other request goes on to `app`. The answer is {"executionArn", "status"}, or {"message"} with a
    4xx status."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") != OUTCOME_PATH or environ.get("REQUEST_METHOD") != "POST":
            return self.app(environ, start_response)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length)
        try:
            found = record(body)
            status, answer = "200 OK", {"executionArn": found.execution_arn, "status": found.status}
        except OutcomeError as error:
            status, answer = error.status, {"message": str(error)}
        data = json.dumps(answer).encode()
        start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
        return [data]
