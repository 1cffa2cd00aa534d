"""Starts a moto server for one test run and stops it when the test process goes away.

Binds 127.0.0.1 on a free port chosen by the OS (no race between choosing and binding), starts the
CloudWatch CBOR proxy (cloudwatch_cbor.py) in front of it on another free port, prints
`ready <moto port> <cloudwatch proxy port>` once both answer, and serves until its stdin closes: the
test process holds the other end of that pipe, so however the tests end, the emulator ends with them.

Gaps in moto that the functions need filled are patched here, before the server starts, rather than
weakened in the functions (tools/emulator/README.md). Each patch says what moto lacks.
"""

import argparse
import json
import logging
import sys
import threading

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import make_server

import behaviours
import cloudwatch_cbor
import executions
import function_packages
import local_cache
import local_rotation
import recorder
import serverless_cache


def replace_metric_filters_of_the_same_name() -> None:
    """moto's PutMetricFilter appends a second filter under a name that exists; AWS replaces it
    (CloudWatch Logs API reference, PutMetricFilter: "Creates or updates a metric filter")."""
    from moto.logs.metric_filters import MetricFilters

    append = MetricFilters.add_filter

    def add_filter(self, filter_name, filter_pattern, log_group_name, metric_transformations):
        self.metric_filters = [
            existing
            for existing in self.metric_filters
            if (existing["filterName"], existing["logGroupName"]) != (filter_name, log_group_name)
        ]
        append(self, filter_name, filter_pattern, log_group_name, metric_transformations)

    MetricFilters.add_filter = add_filter


def delete_cache_subnet_groups() -> None:
    """moto 5.2 answers DeleteCacheSubnetGroup with HTTP 500 (not implemented). AWS deletes the group
    and its tags, or refuses with CacheSubnetGroupInUse while a replication group still uses it
    (ElastiCache API reference, DeleteCacheSubnetGroup)."""
    from moto.core.responses import EmptyResult
    from moto.elasticache.exceptions import CacheSubnetGroupNotFound, ElastiCacheException
    from moto.elasticache.responses import ElastiCacheResponse

    class CacheSubnetGroupInUse(ElastiCacheException):
        code = "CacheSubnetGroupInUse"

    def delete_cache_subnet_group(self):
        backend = self.elasticache_backend
        name = self._get_param("CacheSubnetGroupName")
        group = backend.cache_subnet_groups.get(name)
        if group is None:
            raise CacheSubnetGroupNotFound(name)
        if any(rg.cache_subnet_group_name == name for rg in backend.replication_groups.values()):
            raise CacheSubnetGroupInUse(f"Cache subnet group {name} is currently in use.")
        del backend.cache_subnet_groups[name]
        backend.tagging_service.delete_all_tags_for_resource(group.arn)
        return EmptyResult()

    ElastiCacheResponse.delete_cache_subnet_group = delete_cache_subnet_group


def finish_replication_group_deletions() -> None:
    """After DeleteReplicationGroup, moto keeps the group `deleting` forever; AWS removes it after a
    few minutes. Here a deleting group is described as `deleting` once, then it is gone (with its
    tags), so a teardown sees both the wait and the end."""
    from moto.elasticache.models import ElastiCacheBackend

    describe = ElastiCacheBackend.describe_replication_groups

    def describe_replication_groups(self, replication_group_id=None):
        for group_id, group in list(self.replication_groups.items()):
            if group.status != "deleting":
                continue
            if getattr(group, "deletion_reported", False):
                del self.replication_groups[group_id]
                self.tagging_service.delete_all_tags_for_resource(group.arn)
            else:
                group.deletion_reported = True
        return describe(self, replication_group_id)

    ElastiCacheBackend.describe_replication_groups = describe_replication_groups


def rotate_secrets_without_running_their_lambda() -> None:
    """moto's RotateSecret invokes the rotation Lambda (all four steps, or testSecret alone with
    RotateImmediately=false) through docker, which this machine cannot run: the call hangs until the
    client gives up. Here it records the rotation settings only; the rotation protocol itself is
    tested against PostgreSQL by driving the steps directly (tests/tests/integration/rotation.rs).

    An immediate rotation then leaves the secret as AWS leaves it for the function: a new version
    labelled AWSPENDING, without a value, and every other label where it was. moto instead moves
    AWSCURRENT to the new version itself, as if the function had finished; in AWS only the
    function's finishSecret moves it (Secrets Manager user guide, "How rotation works"). And a
    RotateSecret that names no function rotates with the one the secret has (API reference,
    RotateSecret, RotationLambdaARN), where moto forgets it."""
    from moto.awslambda.models import LambdaBackend
    from moto.secretsmanager.models import SecretsManagerBackend

    rotate = SecretsManagerBackend.rotate_secret

    def rotate_secret(self, *args, **kwargs):
        secret_id = kwargs.get("secret_id", args[0] if args else None)
        before = None
        if self._is_valid_identifier(secret_id):
            secret = self.secrets[secret_id]
            if not kwargs.get("rotation_lambda_arn") and secret.rotation_lambda_arn:
                kwargs["rotation_lambda_arn"] = secret.rotation_lambda_arn
            before = (
                secret,
                {version: list(value["version_stages"]) for version, value in secret.versions.items()},
                secret.default_version_id,
            )
        invoke = LambdaBackend.invoke
        LambdaBackend.invoke = lambda *_args, **_kwargs: None
        try:
            result = rotate(self, *args, **kwargs)
        finally:
            LambdaBackend.invoke = invoke
        if before is not None and kwargs.get("rotate_immediately", True):
            secret, stages, default = before
            if secret.rotation_lambda_arn:
                for version, value in secret.versions.items():
                    if version in stages:
                        value["version_stages"] = stages[version]
                    else:
                        value["version_stages"] = ["AWSPENDING"]
                        value.pop("secret_string", None)
                        value.pop("secret_binary", None)
                secret.default_version_id = default
        return result

    SecretsManagerBackend.rotate_secret = rotate_secret


def list_secret_versions_as_aws_does() -> None:
    """moto's ListSecretVersionIds lists versions without staging labels whether or not
    `IncludeDeprecated` is true, and reports the time of the listing as every version's
    `CreatedDate`. AWS lists versions without labels only with `IncludeDeprecated=true`, and gives
    each version's creation date (Secrets Manager API reference, ListSecretVersionIds and
    SecretVersionsListEntry). The rotation function's recovery relies on both."""
    import json

    from moto.secretsmanager.models import SecretsManagerBackend
    from moto.secretsmanager.responses import SecretsManagerResponse

    def list_secret_version_ids(self, secret_id, include_deprecated=False):
        secret = self.secrets[secret_id]
        versions = [
            {
                "CreatedDate": version["createdate"],
                "VersionId": version_id,
                "VersionStages": version["version_stages"],
            }
            for version_id, version in secret.versions.items()
            if include_deprecated or version["version_stages"]
        ]
        return json.dumps({"ARN": secret.arn, "Name": secret.name, "Versions": versions})

    def list_secret_version_ids_response(self):
        return self.backend.list_secret_version_ids(
            secret_id=self._get_param("SecretId", if_none=""),
            include_deprecated=self._get_param("IncludeDeprecated", if_none=False),
        )

    SecretsManagerBackend.list_secret_version_ids = list_secret_version_ids
    SecretsManagerResponse.list_secret_version_ids = list_secret_version_ids_response


# Where the local runner's database function finds the rotation function's code package
# (ROTATION_CODE_BUCKET / ROTATION_CODE_KEY in tools/workflow/run.mjs), as `envctl deploy` uploads it
# in AWS. moto reads the package when the Lambda is created but never runs it, so the smallest valid
# zip (an end-of-central-directory record, no entries) stands in for it.
LOCAL_ARTIFACTS_BUCKET = "catalog-local-artifacts"
LOCAL_ROTATION_KEY = "rotation/bootstrap.zip"
EMPTY_ZIP = b"PK\x05\x06" + b"\x00" * 18


def seed_rotation_package(endpoint: str) -> None:
    import boto3

    s3 = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-west-2",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    s3.create_bucket(
        Bucket=LOCAL_ARTIFACTS_BUCKET,
        CreateBucketConfiguration={"LocationConstraint": "us-west-2"},
    )
    s3.put_object(Bucket=LOCAL_ARTIFACTS_BUCKET, Key=LOCAL_ROTATION_KEY, Body=EMPTY_ZIP)


def keep_create_service_deployment_configuration() -> None:
    """moto 5.2.5 drops the deploymentConfiguration CreateService is given (UpdateService keeps it),
    so the circuit breaker the service function asks for would read as off. Keep it, as AWS does."""
    from moto.ecs.responses import EC2ContainerServiceResponse

    create = EC2ContainerServiceResponse.create_service

    def create_service(self):
        result = create(self)
        configuration = self._get_param("deploymentConfiguration")
        if configuration:
            service = self.ecs_backend._get_service(
                self._get_param("cluster", "default"), self._get_param("serviceName")
            )
            service.deployment_configuration = configuration
        return result

    EC2ContainerServiceResponse.create_service = create_service


def keep_performance_insights() -> None:
    """moto 5.2.5 does not model Performance Insights: CreateDBInstance's settings are dropped and
    DescribeDBInstances never reports them. Record the two the audit reads (CKV_AWS_353/354)."""
    from moto.rds.responses import RDSResponse

    create = RDSResponse.create_db_instance

    def create_db_instance(self):
        result = create(self)
        instance = self.backend.describe_db_instances(self.params.get("DBInstanceIdentifier"))[0]
        instance.performance_insights_enabled = bool(self.params.get("EnablePerformanceInsights"))
        instance.performance_insights_kms_key_id = self.params.get("PerformanceInsightsKMSKeyId")
        return result

    RDSResponse.create_db_instance = create_db_instance


def associate_kms_keys_with_log_groups() -> None:
    """moto 5.2.5 does not implement CloudWatch Logs AssociateKmsKey. AWS encrypts what the group
    receives from then on with the key, and DescribeLogGroups reports it as `kmsKeyId` (Logs API
    reference, AssociateKmsKey); a group that does not exist is ResourceNotFoundException."""
    from moto.logs.exceptions import ResourceNotFoundException
    from moto.logs.responses import LogsResponse

    def associate_kms_key(self):
        name = self._get_param("logGroupName")
        if name not in self.logs_backend.groups:
            raise ResourceNotFoundException()
        self.logs_backend.groups[name].kms_key_id = self._get_param("kmsKeyId")
        return ""

    LogsResponse.associate_kms_key = associate_kms_key


# What DescribeDBEngineVersions answers here for aurora-postgresql: a few 15 and 16 minor versions.
# AWS lists every available minor version of the engine, newest last, with the Aurora Serverless v2
# capacity range each supports (RDS API reference, DBEngineVersion.ServerlessV2FeaturesSupport: a
# MinCapacity of 0 means auto-pause is supported, which Aurora PostgreSQL has from 16.3 and 15.7 on,
# Aurora user guide "Scaling to Zero ACUs with automatic pause and resume"), and Aurora PostgreSQL
# Limitless Database's own versions in the same family, which a cluster with instances cannot use
# (Aurora user guide, "Requirements and limitations for Aurora PostgreSQL Limitless Database").
# Not AWS's current list: enough versions to prove a caller picks the newest usable one of the
# family it asks for.
AURORA_POSTGRESQL_VERSIONS = [
    ("15.6", "aurora-postgresql15", 0.5),
    ("15.10", "aurora-postgresql15", 0.0),
    ("16.2", "aurora-postgresql16", 0.5),
    ("16.4", "aurora-postgresql16", 0.0),
    ("16.9", "aurora-postgresql16", 0.0),
    ("16.10", "aurora-postgresql16", 0.0),
    ("16.11-limitless", "aurora-postgresql16", 0.0),
]


def describe_db_engine_versions() -> None:
    """moto 5.2.5 does not implement DescribeDBEngineVersions (it answers "not yet implemented"). Answer
    it for aurora-postgresql from AURORA_POSTGRESQL_VERSIONS, filtered by Engine, EngineVersion and
    DBParameterGroupFamily as AWS filters (RDS API reference, DescribeDBEngineVersions); other engines
    get an empty list."""
    from moto.core.responses import ActionResult
    from moto.rds.responses import RDSResponse

    def describe(self):
        engine = self.params.get("Engine")
        version = self.params.get("EngineVersion")
        family = self.params.get("DBParameterGroupFamily")
        listed = []
        for number, group_family, min_capacity in AURORA_POSTGRESQL_VERSIONS:
            if engine not in (None, "aurora-postgresql"):
                continue
            if version not in (None, number) or family not in (None, group_family):
                continue
            listed.append(
                {
                    "Engine": "aurora-postgresql",
                    "EngineVersion": number,
                    "DBParameterGroupFamily": group_family,
                    "DBEngineDescription": "Aurora (PostgreSQL)",
                    "DBEngineVersionDescription": f"Aurora PostgreSQL (Compatible with PostgreSQL {number})",
                    "Status": "available",
                    "SupportedEngineModes": ["provisioned"],
                    "ServerlessV2FeaturesSupport": {"MinCapacity": min_capacity, "MaxCapacity": 256.0},
                }
            )
        return ActionResult({"DBEngineVersions": listed})

    RDSResponse.describe_db_engine_versions = describe


def delete_automated_snapshots_with_their_cluster() -> None:
    """moto keeps a deleted cluster's automated snapshots whatever DeleteAutomatedBackups says, and
    names them by the minute (`rds:<cluster>-<yyyy-mm-dd-hh-mm>`), so a cluster made again under the
    same name within that minute fails with DBClusterSnapshotAlreadyExists. AWS deletes them with the
    cluster unless DeleteAutomatedBackups is false (RDS API reference, DeleteDBCluster)."""
    from moto.rds.responses import RDSResponse

    delete = RDSResponse.delete_db_cluster

    def delete_db_cluster(self):
        cluster_id = self.params.get("DBClusterIdentifier")
        result = delete(self)
        if str(self.params.get("DeleteAutomatedBackups", True)).lower() != "false":
            snapshots = self.backend.cluster_snapshots
            for snapshot_id, snapshot in list(snapshots.items()):
                automated = snapshot.snapshot_type == "automated"
                if automated and snapshot.cluster.db_cluster_identifier == cluster_id:
                    del snapshots[snapshot_id]
        return result

    RDSResponse.delete_db_cluster = delete_db_cluster


def keep_tags_when_a_certificate_is_reimported() -> None:
    """moto's ImportCertificate with a CertificateArn replaces the certificate with a new one that has
    no tags and is used by nothing. AWS replaces the certificate and key under the same ARN and keeps
    the rest: tags cannot even be given when reimporting (ACM API reference, ImportCertificate, Tags),
    and the load balancers that use the certificate go on using it (ACM user guide, "Reimport a
    certificate")."""
    from moto.acm.models import AWSCertificateManagerBackend

    import_certificate = AWSCertificateManagerBackend.import_certificate

    def reimport(self, certificate, private_key, chain, arn, tags):
        previous = self._certificates.get(arn) if arn is not None else None
        result = import_certificate(self, certificate, private_key, chain, arn, tags)
        if previous is not None:
            current = self._certificates[arn]
            current.tags = previous.tags
            current.in_use_by = previous.in_use_by
        return result

    AWSCertificateManagerBackend.import_certificate = reimport


def update_function_code_for_its_architecture() -> None:
    """moto's UpdateFunctionCode ignores Architectures, so a function redeployed for arm64 stays
    x86_64. AWS replaces the architecture with the code when it is given (Lambda API reference,
    UpdateFunctionCode, Architectures)."""
    from moto.awslambda.models import LambdaFunction

    update_function_code = LambdaFunction.update_function_code

    def update(self, updated_spec):
        if updated_spec.get("Architectures"):
            self.architectures = updated_spec["Architectures"]
        return update_function_code(self, updated_spec)

    LambdaFunction.update_function_code = update


def list_tagged_resources_while_others_change() -> None:
    """moto's tagging GetResources walks every backend's dictionaries lazily, across requests when it
    pages, while the threaded server lets other requests add to them: Python then stops the walk
    with "dictionary changed size during iteration" (a 500, and an emptied page). AWS answers
    GetResources from a consistent index. Each call here takes one whole snapshot instead, walked
    again when a change interrupts it, and pages from that."""
    from moto.resourcegroupstaggingapi.models import ResourceGroupsTaggingAPIBackend

    walk = ResourceGroupsTaggingAPIBackend._get_resources_generator

    def snapshot(self, *args, **kwargs):
        for _ in range(100):
            try:
                return iter(list(walk(self, *args, **kwargs)))
            except RuntimeError as error:
                if "changed size during iteration" not in str(error):
                    raise
        return iter(list(walk(self, *args, **kwargs)))

    ResourceGroupsTaggingAPIBackend._get_resources_generator = snapshot


# What moto's Service Quotas lacks (it knows only the `vpc` service's defaults, and implements
# neither GetAWSDefaultServiceQuota nor applied values): the EC2 quota an environment's NAT gateways
# take. Amazon VPC user guide, "Amazon VPC quotas": "EC2-VPC Elastic IPs", default 5.
EC2_DEFAULT_QUOTAS = [
    {
        "ServiceCode": "ec2",
        "ServiceName": "Amazon Elastic Compute Cloud (Amazon EC2)",
        "QuotaArn": "arn:aws:servicequotas:us-west-2::ec2/L-0263D0A3",
        "QuotaCode": "L-0263D0A3",
        "QuotaName": "EC2-VPC Elastic IPs",
        "Value": 5.0,
        "Unit": "None",
        "Adjustable": True,
        "GlobalQuota": False,
    }
]


def service_quotas_as_aws_answers(applied: dict) -> None:
    """Service Quotas as `envctl env up`'s admission reads it (Service Quotas API reference):
    GetAWSDefaultServiceQuota answers AWS's default (moto's `vpc` defaults and EC2's Elastic IPs);
    GetServiceQuota answers the account's applied value, here the ones `--quota` set, and
    NoSuchResourceException for the others ("If the applied quota value is not available for a quota,
    the quota is not retrieved"), so a caller falls back to the default."""
    import copy

    from moto.servicequotas.exceptions import NoSuchResource
    from moto.servicequotas.models import ServiceQuotasBackend
    from moto.servicequotas.resources.default_quotas.vpc import VPC_DEFAULT_QUOTAS
    from moto.servicequotas.responses import ServiceQuotasResponse

    defaults = {"vpc": VPC_DEFAULT_QUOTAS, "ec2": EC2_DEFAULT_QUOTAS}

    def default_quota(service_code, quota_code):
        for quota in defaults.get(service_code, []):
            if quota["QuotaCode"] == quota_code:
                return copy.deepcopy(quota)
        raise NoSuchResource

    def get_service_quota(self, service_code, quota_code):
        value = applied.get((service_code, quota_code))
        if value is None:
            raise NoSuchResource
        quota = default_quota(service_code, quota_code)
        quota["Value"] = value
        return quota

    def get_aws_default_service_quota_response(self):
        params = json.loads(self.body)
        quota = default_quota(str(params.get("ServiceCode")), str(params.get("QuotaCode")))
        return json.dumps({"Quota": quota})

    ServiceQuotasBackend.get_service_quota = get_service_quota
    ServiceQuotasResponse.get_aws_default_service_quota = get_aws_default_service_quota_response


def quota_argument(text: str):
    """`SERVICE/CODE=VALUE`, as `--quota` takes it."""
    try:
        key, value = text.split("=", 1)
        service, code = key.split("/", 1)
        return (service, code), float(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{text!r} is not SERVICE/CODE=VALUE") from error


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--record",
        metavar="FILE",
        help="append every request a principal other than the tests makes, with its answer, to FILE "
        "(JSON lines, see recorder.py): the input of the offline IAM check (tests/iam)",
    )
    parser.add_argument(
        "--quota",
        metavar="SERVICE/CODE=VALUE",
        type=quota_argument,
        action="append",
        default=[],
        help="an applied Service Quotas value of the account (e.g. ec2/L-0263D0A3=20); without one, "
        "GetServiceQuota answers NoSuchResourceException and AWS's default applies",
    )
    behaviours.add_arguments(parser)
    local_rotation.add_arguments(parser)
    arguments = parser.parse_args()
    service_quotas_as_aws_answers(dict(arguments.quota))
    local_rotation.master_secret_as_rds_makes_it()
    postgres, why = local_rotation.detect(arguments.postgres, arguments.postgres_ca)
    print(f"emulator: rotation: {why}", file=sys.stderr, flush=True)
    # The Redis server stands in for replication groups only where rotations run.
    redis = None
    if postgres is not None:
        redis, redis_why = local_cache.start()
        print(f"emulator: cache: {redis_why}", file=sys.stderr, flush=True)
    local_cache.patch(redis)
    serverless_cache.patch()
    describe_db_engine_versions()
    associate_kms_keys_with_log_groups()
    delete_automated_snapshots_with_their_cluster()
    keep_tags_when_a_certificate_is_reimported()
    list_tagged_resources_while_others_change()
    update_function_code_for_its_architecture()
    function_packages.serve_function_packages()
    keep_create_service_deployment_configuration()
    keep_performance_insights()
    rotate_secrets_without_running_their_lambda()
    list_secret_versions_as_aws_does()
    replace_metric_filters_of_the_same_name()
    delete_cache_subnet_groups()
    finish_replication_group_deletions()
    executions.serialise_start_execution()
    # One line per request would bury the test output; errors still show.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    app = DomainDispatcherApplication(create_backend_app)
    # AWS's behaviours (behaviours.py) sit next to moto, so the recorder sees what callers saw.
    app = layer = behaviours.from_arguments(app, arguments)
    if arguments.record:
        app = recorder.Recorder(app, arguments.record)
    # A package download is no AWS API call (in AWS, a presigned S3 URL): outside the layer.
    app = function_packages.PackageServer(app)
    # How an execution `envctl local` ran ended: no AWS API either (executions.py).
    app = executions.ExecutionOutcomes(app)
    app = rotations = local_rotation.Rotations(app, postgres, why)
    # moto's ThreadedMotoServer, with the behaviours and the recorder in front of its application
    # when asked.
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=MotoRequestHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    function_packages.package_base["url"] = f"http://127.0.0.1:{port}"
    # Before the first request: the rotation function calls this emulator, through the layer.
    local_rotation.patch(rotations, f"http://127.0.0.1:{port}")
    seed_rotation_package(f"http://127.0.0.1:{port}")
    # aws-sdk-cloudwatch speaks only RPC v2 CBOR, which moto does not answer (README.md here).
    proxy = cloudwatch_cbor.start(f"http://127.0.0.1:{port}")
    print(f"ready {port} {proxy.server_address[1]}", flush=True)
    for _ in sys.stdin:
        pass
    proxy.shutdown()
    server.shutdown()
    if redis is not None:
        redis.stop()
    if arguments.behaviours_report and hasattr(layer, "report"):
        with open(arguments.behaviours_report, "w", encoding="utf-8") as report:
            json.dump(layer.report(), report, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
