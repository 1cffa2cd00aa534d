"""Throttling: AWS refuses a share of the calls of a busy caller, each service with its own error."""

import random

from aws_wire import AwsError
from layer import Behaviour


def throttling_error(call):
    """The error each service answers a throttled call with, in its protocol."""
    if call.protocol == "ec2":
        return AwsError(503, "RequestLimitExceeded", "Request limit exceeded.")
    if call.protocol == "s3":
        return AwsError(503, "SlowDown", "Please reduce your request rate.")
    if call.service == "lambda":
        return AwsError(429, "TooManyRequestsException", "Rate exceeded",
                        fields={"Reason": "CallerRateLimitExceeded"})
    if call.service == "scheduler":
        return AwsError(429, "ThrottlingException", "Rate exceeded")
    if call.protocol in ("query", "rest-xml"):
        return AwsError(400, "Throttling", "Rate exceeded")
    if call.service == "tagging":
        return AwsError(400, "ThrottledException", "Rate exceeded")
    # JSON services: Secrets Manager, KMS, CloudWatch Logs, ECS, Cloud Map, Step Functions, ACM,
    # EventBridge, Application Auto Scaling; CloudWatch's JSON errors also carry the query code.
    return AwsError(400, "ThrottlingException", "Rate exceeded", query_code="Throttling")


class Throttling(Behaviour):
    """Each call of a principal under test is throttled with probability `rate` (seeded, so one
    sequence of calls is throttled the same way every run), with the error its service answers:
    EC2 `RequestLimitExceeded` (HTTP 503); query services (IAM, STS, RDS, ElastiCache, SNS, ELBv2,
    CloudWatch) `Throttling` (400); JSON services `ThrottlingException` (400); Lambda
    `TooManyRequestsException` (429); EventBridge Scheduler `ThrottlingException` (429); S3 `SlowDown`
    (503). K bounds how many times in a row the same operation of the same caller is throttled, so a
    client that retries (the AWS SDKs try 3 times by default) always gets through.

    Sources: EC2 API reference, "Request throttling for the Amazon EC2 API" (RequestLimitExceeded);
    AWS Lambda API reference, TooManyRequestsException (429, Reason CallerRateLimitExceeded);
    EventBridge Scheduler API reference, ThrottlingException (429); Amazon S3 API reference, "Error
    responses" (SlowDown, 503); the common errors of the query and JSON APIs (Throttling /
    ThrottlingException, 400); botocore's service models list the same codes and statuses.
    """

    name = "throttling"
    default_calls = 1

    def __init__(self, calls=None, rate=0.05, seed=0, **options):
        super().__init__(calls, **options)
        self.rate = rate
        self.random = random.Random(seed)
        self.in_a_row = {}

    def before(self, call):
        key = (call.access_key, call.service, call.operation or call.path)
        if self.random.random() >= self.rate or self.in_a_row.get(key, 0) >= self.calls:
            self.in_a_row.pop(key, None)
            return None
        self.in_a_row[key] = self.in_a_row.get(key, 0) + 1
        return self.refuse(throttling_error(call))

    def counters(self):
        return {**super().counters(), "rate": self.rate}
