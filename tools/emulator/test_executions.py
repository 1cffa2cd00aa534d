"""executions.py: StartExecution's name check made atomic, and the outcome `envctl local` records for
an execution it ran, both through a launched emulator (launch.py).

Run: cd tools/emulator && ../../.local/venv/bin/python -m unittest -q test_executions
"""

import json
import threading
import time
import unittest
import urllib.error
import urllib.request

from test_local_rotation import Launched

import executions

ROLE = "arn:aws:iam::123456789012:role/catalog-states"
DEFINITION = json.dumps({"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}})


def post(endpoint, body):
    """(HTTP status, JSON answer) of a POST to the outcome endpoint."""
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = urllib.request.Request(endpoint + executions.OUTCOME_PATH, data=data, method="POST")
    try:
        with urllib.request.urlopen(request) as answer:
            return answer.status, json.load(answer)
    except urllib.error.HTTPError as refused:
        with refused:
            return refused.code, json.load(refused)


class Executions(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.emulator = Launched("--postgres", "none")
        cls.sfn = cls.emulator.client("stepfunctions")

    @classmethod
    def tearDownClass(cls):
        cls.emulator.stop()

    def machine(self, name):
        return self.sfn.create_state_machine(name=name, definition=DEFINITION, roleArn=ROLE)["stateMachineArn"]

    def test_of_many_callers_starting_one_name_with_different_inputs_exactly_one_succeeds(self):
        machine = self.machine("race")
        callers = 16
        barrier = threading.Barrier(callers)
        outcomes = [None] * callers

        def start(n):
            client = self.emulator.client("stepfunctions")
            barrier.wait()
            try:
                client.start_execution(stateMachineArn=machine, name="claim-pool-x", input=json.dumps({"pr": n}))
                outcomes[n] = "started"
            except client.exceptions.ExecutionAlreadyExists:
                outcomes[n] = "ExecutionAlreadyExists"

        threads = [threading.Thread(target=start, args=(n,)) for n in range(callers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(outcomes.count("started"), 1, outcomes)
        self.assertEqual(outcomes.count("ExecutionAlreadyExists"), callers - 1, outcomes)
        listed = self.sfn.list_executions(stateMachineArn=machine)["executions"]
        self.assertEqual([execution["name"] for execution in listed], ["claim-pool-x"])
        winner = json.loads(self.sfn.describe_execution(executionArn=listed[0]["executionArn"])["input"])
        self.assertEqual(outcomes[winner["pr"]], "started")

    def test_a_recorded_success_closes_the_execution_and_its_name_stays_taken(self):
        machine = self.machine("succeeds")
        arn = self.sfn.start_execution(stateMachineArn=machine, name="pool-a--up-g1", input="{}")["executionArn"]
        # moto leaves every execution RUNNING: the same name and input is the same execution.
        again = self.sfn.start_execution(stateMachineArn=machine, name="pool-a--up-g1", input="{}")
        self.assertEqual(again["executionArn"], arn)
        output = {"environment": "pool-a", "outputs": {"url": "https://pool-a"}}
        self.assertEqual(post(self.emulator.endpoint, {"executionArn": arn, "status": "SUCCEEDED", "output": output}),
                         (200, {"executionArn": arn, "status": "SUCCEEDED"}))
        described = self.sfn.describe_execution(executionArn=arn)
        self.assertEqual(described["status"], "SUCCEEDED")
        self.assertEqual(json.loads(described["output"]), output)
        self.assertGreaterEqual(described["stopDate"], described["startDate"])
        listed = self.sfn.list_executions(stateMachineArn=machine, statusFilter="SUCCEEDED")["executions"]
        self.assertEqual([execution["executionArn"] for execution in listed], [arn])
        # Recording it again changes nothing; closed, the name is taken whatever the input.
        self.assertEqual(post(self.emulator.endpoint, {"executionArn": arn, "status": "SUCCEEDED", "output": output})[0],
                         200)
        with self.assertRaises(self.sfn.exceptions.ExecutionAlreadyExists):
            self.sfn.start_execution(stateMachineArn=machine, name="pool-a--up-g1", input="{}")
        # A different ending for a closed execution is refused.
        status, answer = post(self.emulator.endpoint, {"executionArn": arn, "status": "FAILED"})
        self.assertEqual((status, answer), (409, {"message": f"{arn} already ended SUCCEEDED"}))

    def test_a_recorded_failure_carries_its_error_and_cause(self):
        machine = self.machine("fails")
        arn = self.sfn.start_execution(stateMachineArn=machine, name="claim-pool-b", input="{}")["executionArn"]
        answer = post(self.emulator.endpoint,
                      {"executionArn": arn, "status": "FAILED", "error": "ComponentFailed", "cause": "no image"})
        self.assertEqual(answer, (200, {"executionArn": arn, "status": "FAILED"}))
        described = self.sfn.describe_execution(executionArn=arn)
        self.assertEqual((described["status"], described["error"], described["cause"]),
                         ("FAILED", "ComponentFailed", "no image"))
        self.assertNotIn("output", described)
        self.assertLess(time.time() - described["stopDate"].timestamp(), 60)

    def test_a_request_naming_no_execution_or_no_outcome_is_refused_with_what_is_allowed(self):
        endpoint = self.emulator.endpoint
        missing = "arn:aws:states:us-west-2:123456789012:execution:nothing:here"
        self.assertEqual(post(endpoint, {"executionArn": missing, "status": "SUCCEEDED"}),
                         (404, {"message": f"no execution {missing}"}))
        self.assertEqual(post(endpoint, {"executionArn": "claim-pool-b", "status": "SUCCEEDED"}),
                         (400, {"message": "executionArn 'claim-pool-b' is not an execution's ARN"}))
        self.assertEqual(post(endpoint, {"executionArn": missing, "status": "RUNNING"}),
                         (400, {"message": "status 'RUNNING' is not one of SUCCEEDED, FAILED"}))
        self.assertEqual(post(endpoint, b"[1]"), (400, {"message": "the body is not a JSON object"}))
        status, answer = post(endpoint, b"not json")
        self.assertEqual(status, 400)
        self.assertTrue(answer["message"].startswith("the body is not JSON: "), answer)
        # Any other request still reaches moto.
        self.assertEqual(self.sfn.list_state_machines()["ResponseMetadata"]["HTTPStatusCode"], 200)


class WithoutTheLock(unittest.TestCase):
    """Why the lock is there: moto's own check, with the gap between its check and its append
    widened, lets more than one caller of a name in."""

    def race(self, serialised):
        """The executions of one name two threads start with different inputs, moto's check slowed
        down so that both are inside it at once; with `serialised`, behind the launcher's lock."""
        from moto.stepfunctions.models import StateMachine, StepFunctionBackend

        backend = StepFunctionBackend("us-west-2", "123456789012")
        machine = backend.create_state_machine("unlocked", DEFINITION, ROLE)
        check, start = StateMachine._handle_name_input_idempotency, StepFunctionBackend.start_execution

        def slow_check(self, name, execution_input):
            found = check(self, name, execution_input)
            time.sleep(0.2)
            return found

        def starting(n):
            try:
                backend.start_execution(machine.arn, "claim-pool-c", json.dumps({"pr": n}))
            except Exception as error:  # noqa: BLE001 - moto's ExecutionAlreadyExists, counted below
                refused.append(type(error).__name__)

        StateMachine._handle_name_input_idempotency = slow_check
        if serialised:
            executions.serialise_start_execution()
        refused = []
        try:
            threads = [threading.Thread(target=starting, args=(n,)) for n in range(2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        finally:
            StateMachine._handle_name_input_idempotency = check
            StepFunctionBackend.start_execution = start
        return [execution.name for execution in machine.executions], refused

    def test_moto_alone_lets_two_callers_of_one_name_in(self):
        self.assertEqual(self.race(serialised=False), (["claim-pool-c"] * 2, []))

    def test_behind_the_lock_the_second_caller_is_refused(self):
        self.assertEqual(self.race(serialised=True), (["claim-pool-c"], ["ExecutionAlreadyExists"]))
        # Patching twice wraps once.
        from moto.stepfunctions.models import StepFunctionBackend

        start = StepFunctionBackend.start_execution
        try:
            executions.serialise_start_execution()
            patched = StepFunctionBackend.start_execution
            executions.serialise_start_execution()
            self.assertIs(StepFunctionBackend.start_execution, patched)
        finally:
            StepFunctionBackend.start_execution = start


if __name__ == "__main__":
    unittest.main()
