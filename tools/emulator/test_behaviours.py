"""Tests of the AWS behaviours layer (behaviours.py) in front of a real moto server.

One moto server serves the whole module; each test resets moto and puts the behaviours it needs in
front of it. Calls of the principal under test are signed with a key of its own; the setup is signed
with the tests' key (`test`), which the layer leaves alone. Clients do not retry, so every refusal
shows.

Run: cd tools/emulator && ../../.local/venv/bin/python -m unittest -q test_behaviours
"""

import io
import json
import logging
import os
import subprocess
import sys
import tempfile
import threading
import unittest
import urllib.error
import urllib.request
import zipfile

import boto3
import botocore.config
import botocore.exceptions
import cbor2
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import make_server
from werkzeug.test import EnvironBuilder

import aws_wire
import behaviours
import cloudwatch_cbor

REGION = "us-west-2"
ACCOUNT = "123456789012"
UNDER_TEST = "AKIAFUNCTIONUNDERTEST"
NO_RETRIES = botocore.config.Config(retries={"total_max_attempts": 1, "mode": "standard"})
ZIP = io.BytesIO()
with zipfile.ZipFile(ZIP, "w") as package:
    package.writestr("bootstrap", "")
ASSUME_LAMBDA = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


class Switchable:
    """moto's application, behind whichever layer the running test put in front of it."""

    def __init__(self, moto):
        self.moto = moto
        self.current = moto

    def __call__(self, environ, start_response):
        return self.current(environ, start_response)


SERVER = {}


def setUpModule():  # noqa: N802 - unittest's name
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    app = Switchable(DomainDispatcherApplication(create_backend_app))
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=MotoRequestHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    SERVER.update(app=app, server=server, endpoint=f"http://127.0.0.1:{server.server_address[1]}")


def tearDownModule():  # noqa: N802
    SERVER["server"].shutdown()
    SERVER["server"].server_close()


class BehaviourTest(unittest.TestCase):
    """Resets moto, then `behave(...)` puts a layer in front of it."""

    def setUp(self):
        with urllib.request.urlopen(urllib.request.Request(SERVER["endpoint"] + "/moto-api/reset", method="POST")):
            pass
        SERVER["app"].current = SERVER["app"].moto
        self.layer = None

    def behave(self, switches, **options):
        self.layer = behaviours.build(SERVER["app"].moto, switches, **options)
        SERVER["app"].current = self.layer

    def client(self, service, key=UNDER_TEST):
        return boto3.client(service, endpoint_url=SERVER["endpoint"], region_name=REGION,
                            aws_access_key_id=key, aws_secret_access_key="secret", config=NO_RETRIES)

    def setup(self, service):
        """A client signed with the tests' own key: never refused, never counted."""
        return self.client(service, key="test")

    def refused(self, call, code, message=None, status=None):
        with self.assertRaises(botocore.exceptions.ClientError) as raised:
            call()
        error = raised.exception.response["Error"]
        self.assertEqual(error["Code"], code, error)
        if message is not None:
            self.assertEqual(error["Message"], message)
        if status is not None:
            self.assertEqual(raised.exception.response["ResponseMetadata"]["HTTPStatusCode"], status)
        return error

    def counters(self, name):
        return self.layer.report()["behaviours"][name]

    # Shared setups.
    def role(self, name="fn-role"):
        return self.setup("iam").create_role(RoleName=name, AssumeRolePolicyDocument=ASSUME_LAMBDA)["Role"]["Arn"]

    def network(self, subnets=1):
        ec2 = self.setup("ec2")
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        ids = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{n}.0/24", AvailabilityZone=f"{REGION}{'abc'[n]}")
               ["Subnet"]["SubnetId"] for n in range(subnets)]
        group = ec2.create_security_group(GroupName="fn", Description="fn", VpcId=vpc)["GroupId"]
        return vpc, ids, group

    def function(self, lambda_client, role, name="fn", vpc=None):
        arguments = {"FunctionName": name, "Role": role, "Runtime": "provided.al2023", "Handler": "bootstrap",
                     "Code": {"ZipFile": ZIP.getvalue()}}
        if vpc:
            arguments["VpcConfig"] = vpc
        return lambda_client.create_function(**arguments)


class RolePropagation(BehaviourTest):
    def test_lambda_cannot_assume_a_new_role_for_k_calls(self):
        self.behave("role_propagation=2")
        role = self.role()
        lam = self.client("lambda")
        for _ in range(2):
            self.refused(lambda: self.function(lam, role), "InvalidParameterValueException",
                         "The role defined for the function cannot be assumed by Lambda.", 400)
        self.assertEqual(self.function(lam, role)["FunctionName"], "fn")
        self.assertEqual(self.counters("role_propagation")["errors"], {"InvalidParameterValueException": 2})

    def test_a_vpc_lambda_whose_role_just_got_its_policy_cannot_create_network_interfaces(self):
        self.behave("role_propagation=1")
        role = self.role()
        self.setup("iam").put_role_policy(RoleName="fn-role", PolicyName="eni", PolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "ec2:CreateNetworkInterface", "Resource": "*"}]}))
        _, subnets, group = self.network()
        lam = self.client("lambda")
        vpc = {"SubnetIds": subnets, "SecurityGroupIds": [group]}
        self.refused(lambda: self.function(lam, role, vpc=vpc), "InvalidParameterValueException",
                     "The role defined for the function cannot be assumed by Lambda.")
        self.refused(lambda: self.function(lam, role, vpc=vpc), "InvalidParameterValueException",
                     "The provided execution role does not have permissions to call CreateNetworkInterface on EC2")
        self.function(lam, role, vpc=vpc)

    def test_step_functions_cannot_assume_a_new_role(self):
        self.behave("role_propagation=1")
        role = self.role("states-role")
        states = self.client("stepfunctions")
        create = lambda: states.create_state_machine(  # noqa: E731
            name="m", roleArn=role, definition='{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}')
        self.refused(create, "AccessDeniedException",
                     "Neither the global service principal states.amazonaws.com, nor the regional one is "
                     "authorized to assume the provided role.", 400)
        arn = create()["stateMachineArn"]
        self.role("states-role-2")
        self.refused(lambda: states.update_state_machine(stateMachineArn=arn, roleArn=role.replace("role", "role-2")),
                     "AccessDeniedException")

    def test_ecs_cannot_assume_a_new_service_role_nor_a_new_service_linked_role(self):
        self.behave("role_propagation=1")
        self.setup("ecs").create_cluster(clusterName="c")
        self.setup("ecs").register_task_definition(family="t", containerDefinitions=[{"name": "a", "image": "x", "memory": 64}])
        ecs = self.client("ecs")
        role = self.role("ecs-role")
        self.refused(lambda: ecs.create_service(cluster="c", serviceName="s", taskDefinition="t", role=role),
                     "InvalidParameterException",
                     "Unable to assume role and validate the specified targetGroupArn. Please verify that the ECS "
                     "service role being passed has the proper permissions.")
        self.setup("iam").create_service_linked_role(AWSServiceName="ecs.amazonaws.com")
        self.refused(lambda: ecs.create_service(cluster="c", serviceName="s", taskDefinition="t"),
                     "InvalidParameterException",
                     "Unable to assume the service linked role. Please verify that the ECS service linked role exists.")
        ecs.create_service(cluster="c", serviceName="s", taskDefinition="t")

    def test_flow_logs_cannot_assume_a_new_delivery_role(self):
        self.behave("role_propagation=1")
        vpc, _, _ = self.network()
        role = self.role("flow-logs")
        ec2 = self.client("ec2")
        create = lambda: ec2.create_flow_logs(ResourceIds=[vpc], ResourceType="VPC", TrafficType="ALL",  # noqa: E731
                                              LogGroupName="flow", DeliverLogsPermissionArn=role)
        self.refused(create, "InvalidParameter", f"Unable to assume given IAM role: '{role}'", 400)
        self.assertEqual(len(create()["FlowLogIds"]), 1)

    def test_off_and_for_the_tests_own_key_a_new_role_is_usable_at_once(self):
        self.behave("lambda_updates")  # the layer is there, this behaviour is not
        role = self.role()
        self.function(self.client("lambda"), role)
        self.behave("role_propagation")
        self.role("other")
        self.function(self.setup("lambda"), role.replace("fn-role", "other"), name="other")
        self.assertEqual(self.layer.report()["behaviours"]["lambda_updates"], {"enabled": False})


class Throttling(BehaviourTest):
    # (service, call, error code, HTTP status): one of each protocol and of each service the
    # functions use.
    CASES = [
        ("ec2", lambda c: c.describe_vpcs(), "RequestLimitExceeded", 503),
        ("iam", lambda c: c.list_roles(), "Throttling", 400),
        ("sts", lambda c: c.get_caller_identity(), "Throttling", 400),
        ("rds", lambda c: c.describe_db_clusters(), "Throttling", 400),
        ("elasticache", lambda c: c.describe_replication_groups(), "Throttling", 400),
        ("sns", lambda c: c.list_topics(), "Throttling", 400),
        ("elbv2", lambda c: c.describe_load_balancers(), "Throttling", 400),
        ("logs", lambda c: c.describe_log_groups(), "ThrottlingException", 400),
        ("kms", lambda c: c.list_keys(), "ThrottlingException", 400),
        ("secretsmanager", lambda c: c.list_secrets(), "ThrottlingException", 400),
        ("ecs", lambda c: c.list_clusters(), "ThrottlingException", 400),
        ("stepfunctions", lambda c: c.list_state_machines(), "ThrottlingException", 400),
        ("lambda", lambda c: c.list_functions(), "TooManyRequestsException", 429),
        ("scheduler", lambda c: c.list_schedules(), "ThrottlingException", 429),
        ("s3", lambda c: c.list_buckets(), "SlowDown", 503),
    ]

    def test_each_protocol_throttles_with_its_own_error_and_a_retry_gets_through(self):
        self.behave("throttling=1", throttle_rate=1.0)
        for service, call, code, status in self.CASES:
            with self.subTest(service=service):
                client = self.client(service)
                self.refused(lambda: call(client), code, status=status)
                call(client)  # the same call right after is never throttled with K=1
        self.assertEqual(sum(self.counters("throttling")["errors"].values()), len(self.CASES))

    def test_k_bounds_the_throttles_in_a_row(self):
        self.behave("throttling=3", throttle_rate=1.0)
        iam = self.client("iam")
        for _ in range(3):
            self.refused(iam.list_roles, "Throttling")
        iam.list_roles()

    def test_the_draw_is_seeded(self):
        def pattern(seed):
            self.behave("throttling=5", throttle_rate=0.5, seed=seed)
            iam, outcome = self.client("iam"), []
            for _ in range(20):
                try:
                    iam.list_roles()
                    outcome.append(".")
                except botocore.exceptions.ClientError:
                    outcome.append("T")
            return "".join(outcome)

        first = pattern(7)
        self.assertEqual(first, pattern(7))
        self.assertIn("T", first)
        self.assertIn(".", first)

    def test_the_tests_own_key_and_rate_zero_are_never_throttled(self):
        self.behave("throttling", throttle_rate=1.0)
        for _ in range(5):
            self.setup("iam").list_roles()
        self.behave("throttling", throttle_rate=0.0)
        for _ in range(5):
            self.client("iam").list_roles()
        self.assertEqual(self.counters("throttling")["fired"], 0)

    def test_the_cloudwatch_proxy_passes_the_throttling_error_back_in_cbor(self):
        self.behave("throttling", throttle_rate=1.0)
        proxy = cloudwatch_cbor.start(SERVER["endpoint"])
        try:
            request = urllib.request.Request(
                f"http://127.0.0.1:{proxy.server_address[1]}/service/GraniteServiceVersion20100801/operation/ListDashboards",
                data=cbor2.dumps({}), method="POST",
                headers={"Content-Type": "application/cbor", "smithy-protocol": "rpc-v2-cbor",
                         "Authorization": f"AWS4-HMAC-SHA256 Credential={UNDER_TEST}/20260101/{REGION}/monitoring/"
                         "aws4_request, SignedHeaders=host, Signature=0", "X-Amz-Date": "20260101T000000Z"})
            with self.assertRaises(urllib.error.HTTPError) as raised:
                urllib.request.urlopen(request)
            answer = raised.exception
            self.addCleanup(answer.close)
            self.assertEqual(answer.code, 400)
            self.assertEqual(answer.headers["x-amzn-query-error"], "Throttling;Sender")
            self.assertEqual(cbor2.loads(answer.read()),
                             {"__type": "com.amazonaws.cloudwatch#ThrottlingException", "message": "Rate exceeded"})
            # The retry goes through to moto and back as CBOR.
            with urllib.request.urlopen(request) as response:
                self.assertEqual(response.status, 200)
                self.assertIn("DashboardEntries", cbor2.loads(response.read()))
        finally:
            proxy.shutdown()
            proxy.server_close()


class LambdaUpdates(BehaviourTest):
    def test_a_new_function_is_pending_then_its_updates_are_in_progress(self):
        self.behave("lambda_updates=2")
        lam = self.client("lambda")
        created = self.function(lam, self.role())
        self.assertEqual((created["State"], created["StateReasonCode"]), ("Pending", "Creating"))
        self.assertEqual(lam.get_function(FunctionName="fn")["Configuration"]["State"], "Pending")
        self.refused(lambda: lam.update_function_code(FunctionName="fn", ZipFile=ZIP.getvalue()),
                     "ResourceConflictException", "The operation cannot be performed at this time. "
                     "The function is currently in the following state: Pending", 409)
        self.assertEqual(lam.get_function(FunctionName="fn")["Configuration"]["State"], "Active")
        updated = lam.update_function_code(FunctionName="fn", ZipFile=ZIP.getvalue())
        self.assertEqual(updated["LastUpdateStatus"], "InProgress")
        self.refused(lambda: lam.update_function_configuration(FunctionName="fn", Timeout=9),
                     "ResourceConflictException", "The operation cannot be performed at this time. An update "
                     f"is in progress for resource: {created['FunctionArn']}", 409)
        configuration = lam.get_function_configuration(FunctionName=created["FunctionArn"])
        self.assertEqual((configuration["State"], configuration["LastUpdateStatus"],
                          configuration["LastUpdateStatusReasonCode"]), ("Active", "InProgress", "Creating"))
        lam.update_function_configuration(FunctionName="fn", Timeout=9)
        counters = self.counters("lambda_updates")
        self.assertEqual(counters["errors"], {"ResourceConflictException": 2})
        self.assertEqual(counters["reports"], {"State: Pending": 1, "LastUpdateStatus: InProgress": 1})

    def test_a_pending_function_cannot_be_invoked_an_updating_one_can(self):
        self.behave("lambda_updates=1")
        lam = self.client("lambda")
        self.function(lam, self.role())
        self.refused(lambda: lam.invoke(FunctionName="fn"), "ResourceConflictException", status=409)
        lam.update_function_configuration(FunctionName="fn", Timeout=9)
        # moto would run an invocation it is given in docker, which this machine lacks: ask the
        # behaviour directly whether it lets one through during the update.
        self.assertEqual(self.layer.behaviours[0].before(aws_wire.Call(
            UNDER_TEST, REGION, "lambda", "rest-json", "Invoke", {"FunctionName": "fn"}, "POST", "/")), None)

    def test_off_updates_follow_each_other_at_once(self):
        self.behave("none")
        lam = self.client("lambda")
        self.function(lam, self.role())
        lam.update_function_code(FunctionName="fn", ZipFile=ZIP.getvalue())
        lam.update_function_configuration(FunctionName="fn", Timeout=9)
        self.assertNotEqual(lam.get_function(FunctionName="fn")["Configuration"].get("LastUpdateStatus"), "InProgress")


class LateAccessLogs(BehaviourTest):
    def logging_balancer(self):
        _, subnets, _ = self.network(subnets=2)
        s3 = self.setup("s3")
        s3.create_bucket(Bucket="alb-logs", CreateBucketConfiguration={"LocationConstraint": REGION})
        elb = self.setup("elbv2")
        arn = elb.create_load_balancer(Name="web", Subnets=subnets)["LoadBalancers"][0]["LoadBalancerArn"]
        elb.modify_load_balancer_attributes(LoadBalancerArn=arn, Attributes=[
            {"Key": "access_logs.s3.enabled", "Value": "true"}, {"Key": "access_logs.s3.bucket", "Value": "alb-logs"},
            {"Key": "access_logs.s3.prefix", "Value": "web"}])
        s3.put_object(Bucket="alb-logs", Key="web/AWSLogs/first.log.gz", Body=b"x")
        return arn

    def empty(self, s3):
        keys = [o["Key"] for o in s3.list_objects_v2(Bucket="alb-logs").get("Contents", [])]
        if keys:
            s3.delete_objects(Bucket="alb-logs", Delete={"Objects": [{"Key": k} for k in keys]})
        return keys

    def test_logs_keep_arriving_until_k_deletes_after_the_load_balancer_is_gone(self):
        self.behave("late_access_logs=2")
        arn = self.logging_balancer()
        s3 = self.client("s3")
        self.empty(s3)
        (late,) = self.empty(s3)  # a log object arrived after the first emptying
        self.assertRegex(late, rf"^web/AWSLogs/{ACCOUNT}/elasticloadbalancing/{REGION}/\d{{4}}/\d\d/\d\d/"
                               rf"{ACCOUNT}_elasticloadbalancing_{REGION}_app\.web\.[0-9a-f]+_.*\.log\.gz$")
        self.refused(lambda: s3.delete_bucket(Bucket="alb-logs"), "BucketNotEmpty", status=409)
        self.client("elbv2").delete_load_balancer(LoadBalancerArn=arn)
        # Each emptying finds the object delivered after the one before: the last delivered while the
        # load balancer existed, then K=2 more after its deletion, then none.
        for _ in range(3):
            self.assertEqual(len(self.empty(s3)), 1)
        self.assertEqual(self.empty(s3), [])
        s3.delete_bucket(Bucket="alb-logs")
        self.assertEqual(self.counters("late_access_logs")["reports"], {"log object delivered": 4})

    def test_logs_arrive_after_the_load_balancer_is_gone_even_into_a_bucket_never_emptied_before(self):
        self.behave("late_access_logs=2")
        arn = self.logging_balancer()
        self.client("elbv2").delete_load_balancer(LoadBalancerArn=arn)
        s3 = self.client("s3")
        for _ in range(2):
            self.assertEqual(len(self.empty(s3)), 1)
        self.refused(lambda: s3.delete_bucket(Bucket="alb-logs"), "BucketNotEmpty", status=409)
        self.assertEqual(len(self.empty(s3)), 1)
        self.assertEqual(self.empty(s3), [])
        s3.delete_bucket(Bucket="alb-logs")
        self.assertEqual(self.counters("late_access_logs")["reports"], {"log object delivered": 2})

    def test_off_an_emptied_bucket_stays_empty(self):
        self.behave("none")
        self.logging_balancer()
        s3 = self.client("s3")
        self.empty(s3)
        self.assertEqual(self.empty(s3), [])


class RdsBusy(BehaviourTest):
    def test_a_new_cluster_is_creating_then_backing_up_and_cannot_be_deleted(self):
        self.behave("rds_busy=2")
        rds = self.client("rds")
        rds.create_db_cluster(DBClusterIdentifier="db", Engine="aurora-postgresql", MasterUsername="u",
                              MasterUserPassword="password-123")
        status = lambda: rds.describe_db_clusters(DBClusterIdentifier="db")["DBClusters"][0]["Status"]  # noqa: E731
        self.assertEqual(status(), "creating")
        self.refused(lambda: rds.delete_db_cluster(DBClusterIdentifier="db", SkipFinalSnapshot=True),
                     "InvalidDBClusterStateFault", "DB cluster db is not currently in the available state.", 400)
        self.assertEqual(status(), "available")
        rds.modify_db_cluster(DBClusterIdentifier="db", BackupRetentionPeriod=3, ApplyImmediately=True)
        self.refused(lambda: rds.modify_db_cluster(DBClusterIdentifier="db", BackupRetentionPeriod=4),
                     "InvalidDBClusterStateFault", "DB cluster is not available for modification with status modifying")
        self.assertEqual(status(), "modifying")
        self.assertEqual(status(), "available")
        rds.delete_db_cluster(DBClusterIdentifier="db", SkipFinalSnapshot=True)
        self.assertEqual(self.counters("rds_busy")["reports"], {"creating": 1, "modifying": 1})

    def test_a_new_instance_cannot_be_deleted_and_a_listing_shows_its_states(self):
        self.behave("rds_busy=2")
        rds = self.client("rds")
        self.setup("rds").create_db_cluster(DBClusterIdentifier="db", Engine="aurora-postgresql",
                                            MasterUsername="u", MasterUserPassword="password-123")
        rds.create_db_instance(DBInstanceIdentifier="db-1", DBClusterIdentifier="db", Engine="aurora-postgresql",
                               DBInstanceClass="db.serverless")
        listed = lambda: {i["DBInstanceIdentifier"]: i["DBInstanceStatus"] for i in rds.describe_db_instances()["DBInstances"]}  # noqa: E731
        self.assertEqual(listed(), {"db-1": "creating"})
        self.assertEqual(listed(), {"db-1": "backing-up"})
        self.assertEqual(listed(), {"db-1": "available"})
        rds.modify_db_instance(DBInstanceIdentifier="db-1", ApplyImmediately=True, PromotionTier=2)
        self.refused(lambda: rds.delete_db_instance(DBInstanceIdentifier="db-1", SkipFinalSnapshot=True),
                     "InvalidDBInstanceState", "Instance db-1 is not in available state.", 400)
        self.refused(lambda: rds.delete_db_instance(DBInstanceIdentifier="db-1", SkipFinalSnapshot=True),
                     "InvalidDBInstanceState")
        rds.delete_db_instance(DBInstanceIdentifier="db-1", SkipFinalSnapshot=True)

    def test_off_a_new_cluster_is_available_at_once(self):
        self.behave("none")
        rds = self.client("rds")
        rds.create_db_cluster(DBClusterIdentifier="db", Engine="aurora-postgresql", MasterUsername="u",
                              MasterUserPassword="password-123")
        self.assertEqual(rds.describe_db_clusters()["DBClusters"][0]["Status"], "available")
        rds.delete_db_cluster(DBClusterIdentifier="db", SkipFinalSnapshot=True)


class CloudMapInUse(BehaviourTest):
    def namespace_and_service(self):
        vpc, _, _ = self.network()
        setup = self.setup("servicediscovery")
        setup.create_private_dns_namespace(Name="env.local", Vpc=vpc)
        namespace = setup.list_namespaces()["Namespaces"][0]["Id"]
        service = setup.create_service(Name="api", NamespaceId=namespace,
                                       DnsConfig={"DnsRecords": [{"Type": "A", "TTL": 10}]})["Service"]
        return namespace, service

    def test_a_service_with_instances_or_just_left_by_ecs_and_a_namespace_with_services_are_in_use(self):
        self.behave("cloudmap_in_use=2")
        namespace, service = self.namespace_and_service()
        cloud_map = self.client("servicediscovery")
        self.setup("servicediscovery").register_instance(ServiceId=service["Id"], InstanceId="task-1",
                                                         Attributes={"AWS_INSTANCE_IPV4": "10.0.0.9"})
        self.refused(lambda: cloud_map.delete_service(Id=service["Id"]), "ResourceInUse",
                     "Service contains registered instances; delete the instances before deleting the service", 400)
        self.setup("servicediscovery").deregister_instance(ServiceId=service["Id"], InstanceId="task-1")
        ecs = self.setup("ecs")
        ecs.create_cluster(clusterName="c")
        ecs.register_task_definition(family="t", containerDefinitions=[{"name": "a", "image": "x", "memory": 64}])
        ecs.create_service(cluster="c", serviceName="api", taskDefinition="t",
                           serviceRegistries=[{"registryArn": service["Arn"]}])
        self.client("ecs").delete_service(cluster="c", service="api", force=True)
        for _ in range(2):
            self.refused(lambda: cloud_map.delete_service(Id=service["Id"]), "ResourceInUse")
        self.refused(lambda: cloud_map.delete_namespace(Id=namespace), "ResourceInUse",
                     "Namespace has associated services; delete the services before deleting the namespace")
        cloud_map.delete_service(Id=service["Id"])
        cloud_map.delete_namespace(Id=namespace)
        self.assertEqual(self.counters("cloudmap_in_use")["errors"], {"ResourceInUse": 4})

    def test_off_moto_deletes_whatever_they_hold(self):
        self.behave("none")
        namespace, service = self.namespace_and_service()
        self.setup("servicediscovery").register_instance(ServiceId=service["Id"], InstanceId="task-1",
                                                         Attributes={"AWS_INSTANCE_IPV4": "10.0.0.9"})
        self.client("servicediscovery").delete_namespace(Id=namespace)
        self.client("servicediscovery").delete_service(Id=service["Id"])


class LambdaEnis(BehaviourTest):
    def vpc_function(self):
        vpc, subnets, group = self.network(subnets=2)
        self.function(self.setup("lambda"), self.role(), vpc={"SubnetIds": subnets, "SecurityGroupIds": [group]})
        return vpc, subnets, group

    def interfaces(self):
        return self.setup("ec2").describe_network_interfaces()["NetworkInterfaces"]

    def test_a_vpc_function_holds_its_subnets_and_group_until_k_calls_after_it_is_gone(self):
        self.behave("lambda_enis=2")
        _, (first, second), group = self.vpc_function()
        interfaces = self.interfaces()
        self.assertEqual(sorted(i["SubnetId"] for i in interfaces), sorted([first, second]))
        for interface in interfaces:
            self.assertRegex(interface["Description"], r"^AWS Lambda VPC ENI-fn-[0-9a-f-]{36}$")
            self.assertEqual((interface["InterfaceType"], interface["RequesterManaged"], interface["Status"]),
                             ("lambda", True, "in-use"))
            self.assertEqual([g["GroupId"] for g in interface["Groups"]], [group])
        ec2 = self.client("ec2")
        for _ in range(3):  # in use: refused however often
            self.refused(lambda: ec2.delete_subnet(SubnetId=first), "DependencyViolation",
                         f"The subnet '{first}' has dependencies and cannot be deleted.", 400)
        self.setup("lambda").delete_function(FunctionName="fn")
        self.assertEqual({i["Status"] for i in self.interfaces()}, {"available"})
        for _ in range(2):
            self.refused(lambda: ec2.delete_subnet(SubnetId=first), "DependencyViolation")
        ec2.delete_subnet(SubnetId=first)
        self.refused(lambda: ec2.delete_security_group(GroupId=group), "DependencyViolation",
                     f"resource {group} has a dependent object", 400)
        (left,) = self.interfaces()  # the second subnet's, with one call left
        self.assertEqual(left["SubnetId"], second)
        ec2.delete_network_interface(NetworkInterfaceId=left["NetworkInterfaceId"])
        ec2.delete_security_group(GroupId=group)
        ec2.delete_subnet(SubnetId=second)
        self.assertEqual(self.counters("lambda_enis")["errors"], {"DependencyViolation": 6})
        self.assertEqual(self.counters("lambda_enis")["reports"], {"interface left detached": 2})

    def test_off_a_vpc_function_has_no_interfaces_and_holds_nothing(self):
        self.behave("none")
        _, (first, _), group = self.vpc_function()
        self.assertEqual(self.interfaces(), [])
        self.client("ec2").delete_subnet(SubnetId=first)


class KmsKeyPropagation(BehaviourTest):
    def test_logs_and_rds_cannot_use_a_new_key_for_k_calls_by_id_arn_or_alias(self):
        self.behave("kms_key_propagation=2")
        kms = self.setup("kms")
        key = kms.create_key()["KeyMetadata"]
        kms.create_alias(AliasName="alias/env", TargetKeyId=key["KeyId"])
        logs = self.client("logs")
        self.refused(lambda: logs.create_log_group(logGroupName="/env/app", kmsKeyId=key["Arn"]),
                     "InvalidParameterException",
                     "The specified KMS key does not exist or is not allowed to be used with Arn "
                     f"'arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/env/app'", 400)
        rds = self.client("rds")
        self.refused(lambda: rds.create_db_cluster(DBClusterIdentifier="db", Engine="aurora-postgresql",
                                                   MasterUsername="u", MasterUserPassword="password-123",
                                                   StorageEncrypted=True, KmsKeyId="alias/env"),
                     "KMSKeyNotAccessibleFault",
                     "The specified KMS key [alias/env] does not exist, is not enabled or you do not have "
                     "permissions to access it.", 400)
        logs.create_log_group(logGroupName="/env/app", kmsKeyId=key["Arn"])
        self.assertEqual(self.counters("kms_key_propagation")["errors"],
                         {"InvalidParameterException": 1, "KMSKeyNotAccessibleFault": 1})

    def test_off_a_new_key_is_usable_at_once(self):
        self.behave("none")
        key = self.setup("kms").create_key()["KeyMetadata"]
        self.client("logs").create_log_group(logGroupName="/env/app", kmsKeyId=key["Arn"])


class Requests(unittest.TestCase):
    """What the layer reads of requests the boto3 tests above do not send."""

    @staticmethod
    def parse(path, method="POST", service="s3", headers=(), **options):
        authorization = f"AWS4-HMAC-SHA256 Credential=AKIAX/20260101/{REGION}/{service}/aws4_request, Signature=0"
        headers = {"Authorization": authorization, **dict(headers)}
        return aws_wire.parse(EnvironBuilder(path=path, method=method, headers=headers, **options).get_environ())

    def test_the_rust_sdks_s3_routing_parameter_is_not_a_subresource(self):
        call = self.parse("/bucket/a/key", method="DELETE", query_string="x-id=DeleteObject")
        self.assertEqual((call.operation, call.params), ("DeleteObject", {"Bucket": "bucket", "Key": "a/key"}))
        self.assertEqual(self.parse("/bucket", method="DELETE").operation, "DeleteBucket")
        self.assertIsNone(self.parse("/bucket", method="DELETE", query_string="tagging").operation)
        self.assertEqual(self.parse("/bucket", query_string="delete").operation, "DeleteObjects")

    def test_query_json_and_lambda_requests(self):
        query = self.parse("/", service="rds", data="Action=DeleteDBCluster&DBClusterIdentifier=db",
                           content_type="application/x-www-form-urlencoded")
        self.assertEqual((query.protocol, query.operation, query.param("DBClusterIdentifier")),
                         ("query", "DeleteDBCluster", "db"))
        # A JSON body that happens to hold `Action=` is not a query request.
        lam = self.parse("/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-west-2%3A1%3Afunction%3Afn/configuration",
                         method="PUT", service="lambda", data='{"Description": "a&Action=b"}',
                         content_type="application/json")
        self.assertEqual((lam.protocol, lam.operation, lam.param("FunctionName")),
                         ("rest-json", "UpdateFunctionConfiguration", "fn"))
        ecs = self.parse("/", service="ecs", data='{"cluster": "c"}', content_type="application/x-amz-json-1.1",
                         headers={"X-Amz-Target": "AmazonEC2ContainerServiceV20141113.DeleteService"})
        self.assertEqual((ecs.protocol, ecs.operation, ecs.param("cluster")), ("json", "DeleteService", "c"))


class Configuration(BehaviourTest):
    def test_switches(self):
        self.assertEqual(behaviours.parse_switches("none"), {})
        self.assertEqual(set(behaviours.parse_switches("all")), set(behaviours.BY_NAME))
        self.assertNotIn("throttling", behaviours.parse_switches("default"))
        self.assertEqual(behaviours.parse_switches("all,-throttling,rds_busy=5")["rds_busy"], 5)
        self.assertEqual(behaviours.parse_switches("throttling,lambda_enis=0"), {"throttling": None, "lambda_enis": 0})
        with self.assertRaises(ValueError):
            behaviours.parse_switches("rds_bsy")
        self.assertIs(behaviours.build(SERVER["app"].moto, "none"), SERVER["app"].moto)

    def test_the_counters_are_served_at_behaviours(self):
        self.behave("role_propagation=1,throttling", throttle_rate=0.0, seed=3)
        with urllib.request.urlopen(SERVER["endpoint"] + "/_behaviours") as response:
            report = json.load(response)
        self.assertEqual(report["seed"], 3)
        self.assertEqual(report["behaviours"]["role_propagation"],
                         {"enabled": True, "calls": 1, "fired": 0, "errors": {}, "reports": {}})
        self.assertEqual(report["behaviours"]["throttling"]["rate"], 0.0)
        self.assertEqual(report["behaviours"]["rds_busy"], {"enabled": False})

    def test_the_launcher_takes_the_options_and_writes_the_report_when_it_stops(self):
        here = os.path.dirname(os.path.abspath(__file__))
        with tempfile.TemporaryDirectory() as directory:
            path = os.path.join(directory, "behaviours.json")
            launcher = subprocess.Popen(
                [sys.executable, os.path.join(here, "launch.py"), "--postgres", "none", "--behave", "default,throttling=2",
                 "--throttle-rate", "0.5", "--seed", "4", "--behaviours-report", path],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=here, text=True)
            try:
                port = launcher.stdout.readline().split()[1]
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_behaviours") as response:
                    served = json.load(response)
            finally:
                launcher.stdin.close()
                launcher.wait(timeout=30)
                launcher.stdout.close()
            with open(path, encoding="utf-8") as written:
                self.assertEqual(json.load(written), served)
        self.assertEqual(served["behaviours"]["throttling"]["calls"], 2)
        self.assertEqual(served["behaviours"]["throttling"]["rate"], 0.5)
        self.assertEqual(served["behaviours"]["lambda_enis"]["calls"], 3)


class RecordedBodies(unittest.TestCase):
    """recorder.py writes bodies as text, as base64, or (a package upload) by size only."""

    def test_text_small_binary_and_large_binary_bodies(self):
        import recorder

        self.assertEqual(recorder._text(b'{"a": 1}', "body"), {"body": '{"a": 1}'})
        self.assertEqual(recorder._text(b"PK\xff", "body"), {"bodyBase64": "UEv/"})
        large = b"\xff" * (recorder.OMIT_BINARY_OVER + 1)
        self.assertEqual(recorder._text(large, "body"), {"bodyOmitted": len(large)})


class FunctionPackages(unittest.TestCase):
    """launch.py's patch: GetFunction's Code.Location is an address of the emulator serving the
    package moto stored (the local runner runs what was deployed from there)."""

    def test_get_function_says_where_the_package_is_and_the_emulator_serves_it(self):
        here = os.path.dirname(os.path.abspath(__file__))
        launcher = subprocess.Popen([sys.executable, os.path.join(here, "launch.py"), "--postgres", "none"],
                                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=here, text=True)
        try:
            endpoint = f"http://127.0.0.1:{launcher.stdout.readline().split()[1]}"
            session = dict(endpoint_url=endpoint, region_name=REGION,
                           aws_access_key_id="test", aws_secret_access_key="test")
            role = boto3.client("iam", **session).create_role(
                RoleName="packaged", AssumeRolePolicyDocument=ASSUME_LAMBDA)["Role"]["Arn"]
            boto3.client("lambda", **session).create_function(
                FunctionName="packaged", Runtime="provided.al2023", Handler="bootstrap", Role=role,
                Code={"ZipFile": ZIP.getvalue()})
            code = boto3.client("lambda", **session).get_function(FunctionName="packaged")["Code"]
            self.assertEqual(code["Location"],
                             f"{endpoint}/_emulator/lambda-package/{ACCOUNT}/{REGION}/packaged")
            with urllib.request.urlopen(code["Location"]) as response:
                self.assertEqual(response.headers["Content-Type"], "application/zip")
                self.assertEqual(response.read(), ZIP.getvalue())
            for missing in ("/_emulator/lambda-package/" + f"{ACCOUNT}/{REGION}/absent",
                            "/_emulator/lambda-package/too/short"):
                with self.assertRaises(urllib.error.HTTPError) as refused:
                    urllib.request.urlopen(endpoint + missing)
                self.assertEqual(refused.exception.code, 404)
                refused.exception.close()
        finally:
            launcher.stdin.close()
            launcher.wait(timeout=30)
            launcher.stdout.close()


class ServiceQuotas(unittest.TestCase):
    """launch.py's patch: AWS's defaults for the quotas `envctl env up` admits against, and the
    account's applied values as `--quota` sets them."""

    def test_applied_values_where_set_and_aws_defaults_for_every_admitted_quota(self):
        here = os.path.dirname(os.path.abspath(__file__))
        launcher = subprocess.Popen([sys.executable, os.path.join(here, "launch.py"), "--postgres", "none",
                                     "--quota", "ec2/L-0263D0A3=20"],
                                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=here, text=True)
        try:
            endpoint = f"http://127.0.0.1:{launcher.stdout.readline().split()[1]}"
            quotas = boto3.client("service-quotas", endpoint_url=endpoint, region_name=REGION,
                                  aws_access_key_id="test", aws_secret_access_key="test")
            applied = quotas.get_service_quota(ServiceCode="ec2", QuotaCode="L-0263D0A3")["Quota"]
            self.assertEqual((applied["QuotaName"], applied["Value"]), ("EC2-VPC Elastic IPs", 20.0))
            for service, code, name in (("ec2", "L-0263D0A3", "EC2-VPC Elastic IPs"),
                                        ("vpc", "L-F678F1CE", "VPCs per Region"),
                                        ("vpc", "L-A4707A72", "Internet gateways per Region"),
                                        ("vpc", "L-FE5A380F", "NAT gateways per Availability Zone")):
                default = quotas.get_aws_default_service_quota(ServiceCode=service, QuotaCode=code)["Quota"]
                self.assertEqual((default["QuotaName"], default["Value"]), (name, 5.0))
            # Never applied: no value, as AWS answers for a quota without one.
            with self.assertRaises(quotas.exceptions.NoSuchResourceException):
                quotas.get_service_quota(ServiceCode="vpc", QuotaCode="L-F678F1CE")
            with self.assertRaises(quotas.exceptions.NoSuchResourceException):
                quotas.get_aws_default_service_quota(ServiceCode="ec2", QuotaCode="L-XXXXXXXX")
        finally:
            launcher.stdin.close()
            launcher.wait(timeout=30)
            launcher.stdout.close()


if __name__ == "__main__":
    unittest.main()
