"""What AWS leaves behind for a while after its owner is gone: a load balancer's access logs keep
arriving in their bucket, a VPC Lambda's network interfaces stay in their subnets. "A while" is the
next K calls of principals under test that run into them."""

import datetime
import gzip
import uuid

import moto_state
from aws_wire import AwsError
from layer import Behaviour, Countdown


class LateAccessLogs(Behaviour):
    """An Application Load Balancer with access logs on writes a log object to its bucket every few
    minutes, and the last ones land after the load balancer is deleted. Here, while such a load
    balancer exists, and for the next K deletes of objects in its bucket after it is deleted, each
    DeleteObject / DeleteObjects of a principal under test in that bucket is followed by a new log
    object, so the DeleteBucket that follows answers BucketNotEmpty (moto's own refusal).

    Sources: Elastic Load Balancing user guide, "Access logs for your Application Load Balancer"
    (a log file every 5 minutes, delivered to the bucket); aws/copilot-cli#4218 (deleting an
    environment with ELB access logs fails with BucketNotEmpty); aws-samples/
    generative-ai-cdk-constructs-samples#10 ("after emptying ... log objects might still be
    delivered"); aws/aws-cdk#21776 (an object arrives after the bucket was emptied).
    """

    name = "late_access_logs"
    default_calls = 2

    def __init__(self, calls=None, **options):
        super().__init__(calls, **options)
        self.deleted = Countdown()  # buckets of deleted load balancers
        self.writers = {}  # bucket -> (account, region, load balancer name, arn, prefix) that wrote there

    @staticmethod
    def _logging(balancer):
        attributes = balancer.attrs
        if str(attributes.get("access_logs.s3.enabled", "")).lower() != "true":
            return None
        return attributes.get("access_logs.s3.bucket") or None

    @staticmethod
    def _writer(account, region, balancer):
        return (account, region, balancer.name, balancer.arn, balancer.attrs.get("access_logs.s3.prefix", ""))

    def notice(self, call):
        # Once moto has deleted the load balancer its attributes are gone: read its bucket now.
        if (call.service, call.operation) == ("elasticloadbalancing", "DeleteLoadBalancer"):
            for account, region, balancer in moto_state.load_balancers():
                if balancer.arn == call.param("LoadBalancerArn") and self._logging(balancer):
                    call.notes[self.name] = (self._logging(balancer), self._writer(account, region, balancer))

    def after(self, call, answer):
        if (call.service, call.operation) == ("elasticloadbalancing", "DeleteLoadBalancer"):
            if answer.ok and self.name in call.notes:
                # The last logs land after the load balancer is gone, whether or not anyone
                # emptied its bucket while it lived.
                bucket, writer = call.notes[self.name]
                self.writers[bucket] = writer
                self.deleted.arm(bucket, self.calls)
            return
        if not (call.under_test and answer.ok and call.protocol == "s3"
                and call.operation in ("DeleteObject", "DeleteObjects")):
            return
        bucket = call.params["Bucket"]
        live = [(account, region, balancer) for account, region, balancer in moto_state.load_balancers()
                if self._logging(balancer) == bucket]
        for account, region, balancer in live:
            self.writers[bucket] = self._writer(account, region, balancer)
        if (live or self.deleted.take(bucket)) and bucket in self.writers:
            self._deliver(bucket, *self.writers[bucket])
            self.reported("log object delivered")

    @staticmethod
    def _deliver(bucket, account, region, name, arn, prefix):
        """One access log object, named as ELB names them."""
        now = datetime.datetime.now(datetime.timezone.utc)
        balancer_id = arn.rsplit("/", 1)[-1]
        key = (
            f"{prefix + '/' if prefix else ''}AWSLogs/{account}/elasticloadbalancing/{region}/"
            f"{now:%Y/%m/%d}/{account}_elasticloadbalancing_{region}_app.{name}.{balancer_id}_"
            f"{now:%Y%m%dT%H%MZ}_10.0.0.1_{uuid.uuid4().hex[:8]}.log.gz"
        )
        line = f'http {now:%Y-%m-%dT%H:%M:%S.%fZ} app/{name}/{balancer_id} 10.0.0.2:1 - -1 -1 -1 503 - 0 0 "GET / HTTP/1.1" "-" - - - "-" "-" "-"\n'
        moto_state.s3(account).put_object(bucket, key, gzip.compress(line.encode()))


class LambdaEnis(Behaviour):
    """A Lambda function in a VPC has a network interface in each of its subnets (description
    "AWS Lambda VPC ENI-<function>-<uuid>", interface type `lambda`, requester-managed, `in-use`, in
    the function's security groups). After DeleteFunction they become `available` and stay for 20-40
    minutes, until Lambda deletes them or someone calls DeleteNetworkInterface. While they exist,
    DeleteSubnet answers DependencyViolation "The subnet '<id>' has dependencies and cannot be
    deleted." and DeleteSecurityGroup answers DependencyViolation "resource <id> has a dependent
    object"; here each such refusal of a principal under test uses up one of the K calls a lingering
    interface stays for, after which Lambda's clean-up has removed it. moto 5.2.5 creates no such
    interfaces and refuses neither deletion, whatever depends on the subnet or group.

    Sources: Lambda developer guide, "Giving Lambda functions access to resources in an Amazon VPC"
    (Hyperplane ENIs per subnet and security-group combination, kept after the function is gone);
    hashicorp/terraform-provider-aws#10329 (DependencyViolation on subnets and security groups for up
    to 40 minutes after deleting a VPC Lambda, and the ENI description Terraform matches);
    alchemy-run/alchemy#937 (detached Lambda ENIs turn from interface type `lambda` to `interface`;
    only the description still names them); aws/aws-cdk#14456 (both error wordings).
    """

    name = "lambda_enis"
    default_calls = 3

    def __init__(self, calls=None, **options):
        super().__init__(calls, **options)
        self.interfaces = {}  # ENI id -> (account, region), of live and deleted functions
        self.by_function = {}  # function name -> its ENI ids
        self.lingering = Countdown()  # ENI ids of deleted functions

    def after(self, call, answer):
        if call.service == "lambda" and answer.ok:
            name = call.param("FunctionName")
            vpc = call.param("VpcConfig")
            if call.operation == "CreateFunction" and vpc:
                self._attach(name, answer.json().get("FunctionArn", ""), vpc)
            elif call.operation == "UpdateFunctionConfiguration" and vpc is not None:
                self._release(name)
                self._attach(name, answer.json().get("FunctionArn", ""), vpc)
            elif call.operation == "DeleteFunction":
                self._release(name)
        elif (call.service, call.operation) == ("ec2", "DeleteNetworkInterface") and answer.ok:
            self._forget(call.param("NetworkInterfaceId"))

    def _attach(self, name, arn, vpc):
        subnets, groups = vpc.get("SubnetIds") or [], vpc.get("SecurityGroupIds") or []
        if not subnets or not arn:
            return
        region, account = arn.split(":")[3:5]
        ec2 = moto_state.ec2(account, region)
        for subnet in subnets:
            eni = ec2.create_network_interface(
                subnet, None, group_ids=groups, description=f"AWS Lambda VPC ENI-{name}-{uuid.uuid4()}")
            eni.interface_type = "lambda"
            eni.requester_managed = True
            eni.status = "in-use"
            self.interfaces[eni.id] = (account, region)
            self.by_function.setdefault(name, []).append(eni.id)

    def _release(self, name):
        """The function no longer uses its interfaces: they stay, detached, for K calls."""
        for eni_id in self.by_function.pop(name, []):
            eni = self._interface(eni_id)
            if eni is None:
                continue
            if not self.calls:
                eni.ec2_backend.delete_network_interface(eni_id)
                self._forget(eni_id)
                continue
            eni.status = "available"
            eni.interface_type = "interface"
            self.lingering.arm(eni_id, self.calls)
            # Seen by DescribeNetworkInterfaces: a client that deletes these itself never runs into
            # a refusal, and the behaviour still shows it met the client.
            self.reported("interface left detached")

    def _interface(self, eni_id):
        account, region = self.interfaces.get(eni_id, (None, None))
        return moto_state.ec2(account, region).enis.get(eni_id) if region else None

    def _forget(self, eni_id):
        self.interfaces.pop(eni_id, None)
        self.lingering.forget(eni_id)

    def before(self, call):
        if call.service != "ec2" or call.operation not in ("DeleteSubnet", "DeleteSecurityGroup"):
            return None
        interfaces = [eni for eni in map(self._interface, list(self.interfaces)) if eni is not None]
        if call.operation == "DeleteSubnet":
            subnet = call.param("SubnetId")
            blocking = [eni for eni in interfaces if eni.subnet.id == subnet]
            error = AwsError(400, "DependencyViolation", f"The subnet '{subnet}' has dependencies and cannot be deleted.")
        else:
            group = call.param("GroupId")
            blocking = [eni for eni in interfaces if group in [g.id for g in eni.group_set]]
            error = AwsError(400, "DependencyViolation", f"resource {group} has a dependent object")
        if not blocking:
            return None
        for eni in blocking:
            if self.lingering.take(eni.id) and eni.id not in self.lingering:
                # The K-th call since the function went: Lambda's clean-up removes the interface.
                eni.ec2_backend.delete_network_interface(eni.id)
                self._forget(eni.id)
        return self.refuse(error)
