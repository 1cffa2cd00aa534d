"""Which resources a request acts on, as ARNs, and what AWS knows about them (tags, names, key
policies): the facts a policy's Resource element and `aws:ResourceTag` conditions are checked
against.

The ARN formats are the Service Authorization Reference's (sar.arn_format); this module only says
where each format's variables come from in a request: a member of the request, a member of AWS's
answer (a resource the call creates), or an earlier answer (a secret's full ARN from its name, a
route table association's table). The state is rebuilt from the recording in order, as AWS would
hold it: tags given at creation or added later, KMS key policies, role trust and boundary.
"""

import json
import re
from dataclasses import dataclass, field

import sar
from wire import find

# botocore service name -> IAM service prefix (Service Authorization Reference).
IAM_PREFIX = {
    "acm": "acm",
    "application-autoscaling": "application-autoscaling",
    "cloudwatch": "cloudwatch",
    "ec2": "ec2",
    "ecr": "ecr",
    "ecs": "ecs",
    "elasticache": "elasticache",
    "elbv2": "elasticloadbalancing",
    "iam": "iam",
    "kms": "kms",
    "lambda": "lambda",
    "logs": "logs",
    "rds": "rds",
    "resourcegroupstaggingapi": "tag",
    "route53": "route53",
    "s3": "s3",
    "scheduler": "scheduler",
    "secretsmanager": "secretsmanager",
    "servicediscovery": "servicediscovery",
    "service-quotas": "servicequotas",
    "sns": "sns",
    "stepfunctions": "states",
    "sts": "sts",
}

# Operations whose IAM action has another name (Service Authorization Reference, "Actions defined
# by Amazon S3": S3's actions are permissions, not operations; Lambda's Invoke is InvokeFunction).
RENAMED = {
    ("s3", "ListObjectsV2"): "ListBucket",
    ("s3", "ListObjects"): "ListBucket",
    ("s3", "HeadBucket"): "ListBucket",
    ("s3", "HeadObject"): "GetObject",
    ("s3", "DeleteObjects"): "DeleteObject",
    ("s3", "ListBuckets"): "ListAllMyBuckets",
    ("s3", "PutPublicAccessBlock"): "PutBucketPublicAccessBlock",
    ("s3", "PutBucketEncryption"): "PutEncryptionConfiguration",
    ("s3", "PutBucketLifecycleConfiguration"): "PutLifecycleConfiguration",
    ("s3", "GetBucketLifecycleConfiguration"): "GetLifecycleConfiguration",
    ("s3", "GetBucketEncryption"): "GetEncryptionConfiguration",
    ("s3", "GetPublicAccessBlock"): "GetBucketPublicAccessBlock",
    ("lambda", "Invoke"): "InvokeFunction",
    ("lambda", "GetFunctionConfiguration"): "GetFunction",
    ("lambda", "UpdateFunctionConfiguration"): "UpdateFunctionConfiguration",
}


def action_of(request):
    prefix = IAM_PREFIX[request.service]
    verb = RENAMED.get((request.service, request.operation), request.operation)
    return f"{prefix}:{verb}"


@dataclass
class Role:
    name: str
    arn: str
    trust: dict
    boundary: str | None
    tags: dict
    inline: dict = field(default_factory=dict)  # policy name -> document
    # The inline policies as they last stood before any was deleted: what the role held while the
    # environment lived, for the calls services make with it (services.py).
    last_inline: dict = field(default_factory=dict)
    created_by: str = ""
    # A teardown took one of its inline policies off: a call the role makes from then on (a
    # rotation still running when its environment is deleted) is denied in AWS as well, and the
    # caller's failure is expected (check.py reports such calls apart).
    torn_down: bool = False


@dataclass
class State:
    """What AWS holds, as far as authorization needs it, replayed from the recording."""

    account: str
    region: str = "us-west-2"
    tags: dict = field(default_factory=dict)  # ARN -> {key: value}
    secret_arns: dict = field(default_factory=dict)  # name or ARN -> full ARN
    secret_keys: dict = field(default_factory=dict)  # secret ARN -> KMS key id or ARN
    key_policies: dict = field(default_factory=dict)  # key ARN -> document
    secret_policies: dict = field(default_factory=dict)  # secret ARN -> resource policy document
    aliases: dict = field(default_factory=dict)  # alias name -> key ARN
    associations: dict = field(default_factory=dict)  # route table association id -> (table, subnet)
    roles: dict = field(default_factory=dict)  # role name -> Role
    managed_policies: dict = field(default_factory=dict)  # policy ARN -> document
    namespace_tags: dict = field(default_factory=dict)  # Cloud Map namespace name -> tags given
    scalable_targets: dict = field(default_factory=dict)  # ResourceId -> scalable target ARN
    cluster_resource_ids: dict = field(default_factory=dict)  # Aurora cluster id -> DbClusterResourceId
    cluster_versions: dict = field(default_factory=dict)  # Aurora cluster id -> engine version
    services: dict = field(default_factory=dict)  # Cloud Map service id -> ARN
    certificate_arns: set = field(default_factory=set)
    log_groups: set = field(default_factory=set)  # names of the log groups that exist
    functions_with_their_group: set = field(default_factory=set)  # made after their log group

    def arn(self, prefix, resource_type, region=None, **values):
        """The ARN of a resource type with its variables filled in; None if one is missing."""
        fmt = sar.arn_format(prefix, resource_type)
        filled = {"Partition": "aws", "Region": region or self.region, "Account": self.account, **values}
        missing = [name for name in sar.VARIABLE.findall(fmt) if filled.get(name) in (None, "")]
        if missing:
            return None
        return sar.VARIABLE.sub(lambda m: str(filled[m.group(1)]), fmt)

    def key_arn(self, key):
        """A KMS key given as id, ARN, alias name or alias ARN, as its key ARN."""
        if key is None:
            return None
        if key.startswith("arn:aws:kms:") and ":key/" in key:
            return key
        if key.startswith("alias/"):
            return self.aliases.get(key)
        if key.startswith("arn:aws:kms:") and ":alias/" in key:
            return self.aliases.get(key.split(":", 5)[5])
        return f"arn:aws:kms:{self.region}:{self.account}:key/{key}"


def tags_of(params):
    """The tags a request gives at creation (or adds), as {key: value}, per EC2 resource type when the
    request uses TagSpecifications: {"": {...}} otherwise."""
    if "TagSpecifications" in params:
        out = {}
        for spec in params["TagSpecifications"] or []:
            out.setdefault(spec.get("ResourceType", ""), {}).update(_pairs(spec.get("Tags")))
        return out
    for name in ("Tags", "tags", "TagList"):
        if name in params:
            return {"": _pairs(params[name])}
    if "Tagging" in params and isinstance(params["Tagging"], dict):
        return {"": _pairs(find(params["Tagging"], "Tag"))}
    return {}


def _pairs(tags):
    if tags is None:
        return {}
    if isinstance(tags, dict):
        return {str(k): str(v) for k, v in tags.items()}
    out = {}
    for tag in tags:
        key = tag.get("Key", tag.get("key", tag.get("TagKey")))
        value = tag.get("Value", tag.get("value", tag.get("TagValue", "")))
        out[str(key)] = str(value)
    return out


def _listed(value):
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _answer(request, name):
    return [str(v) for v in find(request.response, name) if v not in (None, "")]


# --- EC2: ids in members of the request, or in the answer of the call that creates them ----------

EC2_MEMBERS = {
    "vpc": ("VpcId",),
    "subnet": ("SubnetId",),
    "internet-gateway": ("InternetGatewayId",),
    "natgateway": ("NatGatewayId",),
    "elastic-ip": ("AllocationId",),
    "route-table": ("RouteTableId", "RouteTableIds"),
    "security-group": ("GroupId",),
    "vpc-endpoint": ("VpcEndpointIds",),
    "vpc-flow-log": ("FlowLogIds",),
    "network-interface": ("NetworkInterfaceId",),
}
EC2_CREATED = {
    "CreateVpc": ("vpc", "vpcId"),
    "CreateSubnet": ("subnet", "subnetId"),
    "CreateInternetGateway": ("internet-gateway", "internetGatewayId"),
    "CreateNatGateway": ("natgateway", "natGatewayId"),
    "AllocateAddress": ("elastic-ip", "allocationId"),
    "CreateRouteTable": ("route-table", "routeTableId"),
    "CreateSecurityGroup": ("security-group", "groupId"),
    "CreateVpcEndpoint": ("vpc-endpoint", "vpcEndpointId"),
    "CreateFlowLogs": ("vpc-flow-log", "item"),
    "AuthorizeSecurityGroupIngress": ("security-group-rule", "securityGroupRuleId"),
    "AuthorizeSecurityGroupEgress": ("security-group-rule", "securityGroupRuleId"),
    "CreateNetworkInterface": ("network-interface", "networkInterfaceId"),
}


# The resource type each create makes (outside EC2), so its tags are the request's
# (`aws:RequestTag`) rather than tags of an existing resource.
CREATED = {
    ("ecs", "CreateCluster"): "cluster",
    ("ecs", "CreateService"): "service",
    ("ecs", "RegisterTaskDefinition"): "task-definition",
    ("servicediscovery", "CreateService"): "service",
    ("elasticloadbalancing", "CreateLoadBalancer"): "loadbalancer/app/",
    ("elasticloadbalancing", "CreateListener"): "listener/app",
    ("elasticloadbalancing", "CreateRule"): "listener-rule/app",
    ("elasticloadbalancing", "CreateTargetGroup"): "targetgroup",
    ("acm", "ImportCertificate"): "certificate",
    ("acm", "RequestCertificate"): "certificate",
    ("iam", "CreateRole"): "role",
    ("iam", "CreatePolicy"): "policy",
    ("logs", "CreateLogGroup"): "log-group",
    ("rds", "CreateDBCluster"): "cluster",
    ("rds", "CreateDBInstance"): "db",
    ("rds", "CreateDBSubnetGroup"): "subgrp",
    ("rds", "CreateDBClusterParameterGroup"): "cluster-pg",
    ("elasticache", "CreateReplicationGroup"): "replicationgroup",
    ("elasticache", "CreateCacheSubnetGroup"): "subnetgroup",
    ("secretsmanager", "CreateSecret"): "Secret",
    ("lambda", "CreateFunction"): "function",
    ("sns", "CreateTopic"): "topic",
    ("cloudwatch", "PutMetricAlarm"): "alarm",
    ("states", "CreateStateMachine"): "statemachine",
    ("scheduler", "CreateSchedule"): "schedule",
    ("application-autoscaling", "RegisterScalableTarget"): "ScalableTarget",
    ("s3", "CreateBucket"): "bucket",
    ("kms", "CreateKey"): "key",
}


def _ec2(request, state, resource_type):
    params = request.params
    ids = []
    created = EC2_CREATED.get(request.operation)
    if created and created[0] == resource_type:
        if resource_type == "vpc-flow-log":
            ids = [v for v in _answer(request, "item") if v.startswith("fl-")]
        else:
            ids = _answer(request, created[1])
    for member in EC2_MEMBERS.get(resource_type, ()):
        ids.extend(str(v) for v in _listed(params.get(member)))
    if resource_type == "vpc" and request.operation == "CreateFlowLogs" and params.get("ResourceType") == "VPC":
        ids.extend(params.get("ResourceIds", []))
    if request.operation == "DisassociateRouteTable" and resource_type in ("route-table", "subnet"):
        table, subnet = state.associations.get(params.get("AssociationId"), (None, None))
        ids.append(table if resource_type == "route-table" else subnet)
    ids = [i for i in ids if i]
    if not ids:
        return None
    variable = sar.VARIABLE.findall(sar.arn_format("ec2", resource_type))[-1]
    return [state.arn("ec2", resource_type, request.region, **{variable: i}) for i in dict.fromkeys(ids)]


def _named(prefix, resource_type, variable, *members):
    def resolve(request, state):
        for member in members:
            values = _listed(request.params.get(member))
            if values:
                return [state.arn(prefix, resource_type, request.region, **{variable: v}) for v in values]
        return None

    return resolve


def _secret(request, state):
    ids = _listed(request.params.get("SecretId")) or _listed(request.params.get("Name"))
    if request.operation == "CreateSecret":
        ids = _answer(request, "ARN") or ids
    out = []
    for secret in ids:
        arn = state.secret_arns.get(secret, secret)
        if not arn.startswith("arn:"):
            # A secret that does not exist yet (or never did): AWS authorizes its name with a
            # wildcard for the six random characters it would add (Secrets Manager user guide,
            # "Resource: a secret's ARN ends in a hyphen and six random characters").
            arn = state.arn("secretsmanager", "Secret", request.region, SecretId=f"{secret}-??????")
        out.append(arn)
    return out or None


def _kms_key(request, state):
    if request.operation == "CreateKey":
        return _answer(request, "Arn") or None
    keys = _listed(request.params.get("KeyId")) or _listed(request.params.get("TargetKeyId"))
    if request.operation == "DeleteAlias":
        keys = [state.aliases.get(request.params.get("AliasName"))]
    return [state.key_arn(k) for k in keys if k] or None


def _kms_alias(request, state):
    name = request.params.get("AliasName")
    if not name:
        return None
    return [state.arn("kms", "alias", request.region, Alias=name.removeprefix("alias/"))]


def _iam_role(request, state):
    name = request.params.get("RoleName")
    if name:
        return [state.arn("iam", "role", RoleNameWithPath=name)]
    return None


def _iam_policy(request, state):
    arn = request.params.get("PolicyArn")
    if arn:
        return [arn]
    name = request.params.get("PolicyName")
    if name and request.operation == "CreatePolicy":
        return [state.arn("iam", "policy", PolicyNameWithPath=name)]
    return None


def _log_group(request, state):
    name = request.params.get("logGroupName")
    if name is None:
        return None
    arn = state.arn("logs", "log-group", request.region, LogGroupName=name)
    # CloudWatch Logs API reference, LogGroup.arn: IAM policies name a log group by its ARN with a
    # trailing ":*" for most actions; TagResource, UntagResource and ListTagsForResource take it
    # without. A statement whose resource ends in the group's name alone allows neither form.
    if request.operation not in ("TagResource", "UntagResource", "ListTagsForResource", "TagLogGroup"):
        arn += ":*"
    return [arn]


def _lambda_function(request, state):
    name = request.params.get("FunctionName")
    if name is None:
        return None
    if name.startswith("arn:"):
        return [name]
    return [state.arn("lambda", "function", request.region, FunctionName=name)]


def _rds(resource_type, variable, member, created_op=None):
    def resolve(request, state):
        value = request.params.get(member)
        if value is None:
            return None
        return [state.arn("rds", resource_type, request.region, **{variable: value})]

    return resolve


def _elasticache(resource_type, variable, member):
    def resolve(request, state):
        value = request.params.get(member)
        if value is None:
            return None
        return [state.arn("elasticache", resource_type, request.region, **{variable: value})]

    return resolve


def _elasticache_named(resource_type, variable, *members):
    """An ElastiCache resource named by one member or a list of them (`UserIds` of
    CreateUserGroup, ElastiCache API reference)."""

    def resolve(request, state):
        names = [n for member in members for n in _listed(request.params.get(member)) if n]
        return [state.arn("elasticache", resource_type, request.region, **{variable: n}) for n in names] or None

    return resolve


def _elb(resource_type, *members):
    def resolve(request, state):
        arns = []
        for member in members:
            arns.extend(_listed(request.params.get(member)))
        if resource_type == "listener-rule/app" and request.operation == "SetRulePriorities":
            # ELBv2 API reference, SetRulePriorities: each rule is named in RulePriorities[].RuleArn.
            priorities = _listed(request.params.get("RulePriorities"))
            arns.extend(p["RuleArn"] for p in priorities if isinstance(p, dict) and p.get("RuleArn"))
        created = {
            "loadbalancer/app/": ("CreateLoadBalancer", "LoadBalancerArn"),
            "targetgroup": ("CreateTargetGroup", "TargetGroupArn"),
            "listener/app": ("CreateListener", "ListenerArn"),
            "listener-rule/app": ("CreateRule", "RuleArn"),
        }.get(resource_type)
        if created and request.operation == created[0]:
            arns.extend(_answer(request, created[1]))
        kind = {
            "loadbalancer/app/": ":loadbalancer/app/",
            "targetgroup": ":targetgroup/",
            "listener/app": ":listener/app/",
            "listener-rule/app": ":listener-rule/app/",
        }[resource_type]
        arns = [a for a in arns if kind in a]
        return list(dict.fromkeys(arns)) or None

    return resolve


def _certificate(request, state):
    arns = _listed(request.params.get("CertificateArn"))
    if request.operation in ("ImportCertificate", "RequestCertificate") and not arns:
        arns = _answer(request, "CertificateArn")
    return arns or None


def _bucket(request, state):
    bucket = request.params.get("Bucket")
    return [state.arn("s3", "bucket", BucketName=bucket)] if bucket else None


def _object(request, state):
    bucket = request.params.get("Bucket")
    if not bucket:
        return None
    keys = _listed(request.params.get("Key"))
    if request.operation == "DeleteObjects":
        keys = [o.get("Key") for o in _listed(find(request.params.get("Delete", {}), "Object")) if isinstance(o, dict)]
    return [state.arn("s3", "object", BucketName=bucket, ObjectName=k) for k in keys if k] or None


def _hosted_zone(request, state):
    zone = request.params.get("HostedZoneId") or request.params.get("Id")
    if not zone:
        return None
    return [state.arn("route53", "hostedzone", Id=zone.removeprefix("/hostedzone/"))]


def _ecs_cluster(request, state):
    name = request.params.get("clusterName") or request.params.get("cluster")
    if request.operation == "DescribeClusters":
        return [_ecs_arn(state, request, "cluster", c) for c in request.params.get("clusters", [])] or None
    return [_ecs_arn(state, request, "cluster", name)] if name else None


def _ecs_arn(state, request, kind, name):
    if name.startswith("arn:"):
        return name
    return state.arn("ecs", "cluster", request.region, ClusterName=name)


def _ecs_service(request, state):
    cluster = request.params.get("cluster", "default")
    cluster = cluster.rsplit("/", 1)[-1]
    names = _listed(request.params.get("serviceName")) or _listed(request.params.get("service")) or _listed(request.params.get("services"))
    out = []
    for name in names:
        if name.startswith("arn:"):
            out.append(name)
        else:
            out.append(state.arn("ecs", "service", request.region, ClusterName=cluster, ServiceName=name))
    return out or None


def _task_definition(request, state):
    if request.operation == "RegisterTaskDefinition":
        arns = _answer(request, "taskDefinitionArn")
        if arns:
            return arns[:1]
        family = request.params.get("family")
        return [state.arn("ecs", "task-definition", request.region, TaskDefinitionFamilyName=family, TaskDefinitionRevisionNumber="*")]
    # DeleteTaskDefinitions names up to ten revisions in `taskDefinitions`; the others one.
    refs = _listed(request.params.get("taskDefinitions")) or _listed(request.params.get("taskDefinition"))
    if not refs:
        return None
    out = []
    for ref in refs:
        if ref.startswith("arn:"):
            out.append(ref)
            continue
        family, _, revision = ref.partition(":")
        out.append(state.arn("ecs", "task-definition", request.region, TaskDefinitionFamilyName=family,
                             TaskDefinitionRevisionNumber=revision or "*"))
    return out


def _scalable_target(request, state):
    # Scalable targets are named by an id AWS makes (scalable-target/<id>); moto does not give one.
    # The ARN of the target for this ResourceId, as RegisterScalableTarget answers it, is kept.
    arns = _answer(request, "ScalableTargetARN")
    if arns:
        state.tags.setdefault(arns[0], {})
        state.scalable_targets[request.params.get("ResourceId")] = arns[0]
        return arns
    known = state.scalable_targets.get(request.params.get("ResourceId"))
    if known:
        return [known]
    return [state.arn("application-autoscaling", "ScalableTarget", request.region, ResourceId="*")]


def _namespace(request, state):
    ident = request.params.get("NamespaceId") or request.params.get("Id") if request.operation == "DeleteNamespace" else request.params.get("NamespaceId")
    if ident:
        return [state.arn("servicediscovery", "namespace", request.region, NamespaceId=ident)]
    return None


def _discovery_service(request, state):
    if request.operation == "CreateService":
        arns = _answer(request, "Arn")
        return arns[:1] or None
    ident = request.params.get("Id") or request.params.get("ServiceId")
    if ident:
        return [state.arn("servicediscovery", "service", request.region, ServiceId=ident)]
    return None


def _topic(request, state):
    arn = request.params.get("TopicArn")
    if arn:
        return [arn]
    name = request.params.get("Name")
    if request.operation == "CreateTopic" and name:
        return [state.arn("sns", "topic", request.region, TopicName=name)]
    return None


def _alarm(request, state):
    names = _listed(request.params.get("AlarmName")) or _listed(request.params.get("AlarmNames"))
    if request.operation == "DescribeAlarms" and not names:
        # A listing, by prefix or not, is authorized on every alarm (CloudWatch API reference,
        # DescribeAlarms: the permission must be "scoped to *").
        names = ["*"]
    return [state.arn("cloudwatch", "alarm", request.region, AlarmName=n) for n in names] or None


def _dashboard(request, state):
    names = _listed(request.params.get("DashboardName")) or _listed(request.params.get("DashboardNames"))
    return [state.arn("cloudwatch", "dashboard", DashboardName=n) for n in names] or None


def _state_machine(request, state):
    arn = request.params.get("stateMachineArn")
    if arn:
        return [arn]
    if request.operation == "CreateStateMachine":
        return [state.arn("states", "statemachine", request.region, StateMachineName=request.params.get("name"))]
    return None


def _schedule(request, state):
    name = request.params.get("Name")
    if not name:
        return None
    group = request.params.get("GroupName") or "default"
    return [state.arn("scheduler", "schedule", request.region, GroupName=group, ScheduleName=name)]


def _option_group(request, state):
    """RDS user guide, "Working with option groups": a cluster created without OptionGroupName gets
    the engine's default group, `default:<engine>-<major version>`."""
    name = request.params.get("OptionGroupName")
    if not name and request.operation in ("CreateDBCluster", "CreateDBInstance") and request.params.get("Engine"):
        name = f"default:{request.params['Engine']}-{_major(request, state)}"
    return [state.arn("rds", "og", request.region, OptionGroupName=name)] if name else None


def _parameter_group(request, state):
    """An instance created without DBParameterGroupName uses the engine's default one,
    `default.<engine><major version>`, and is authorized on it (Aurora user guide, "Permission
    policies to create, modify and delete resources in Aurora": `pg:default*`)."""
    name = request.params.get("DBParameterGroupName")
    if not name and request.operation == "CreateDBInstance" and request.params.get("Engine"):
        name = f"default.{request.params['Engine']}{_major(request, state)}"
    return [state.arn("rds", "pg", request.region, ParameterGroupName=name)] if name else None


def _major(request, state):
    version = request.params.get("EngineVersion") or state.cluster_versions.get(request.params.get("DBClusterIdentifier"), "")
    return str(version).split(".")[0]


def _cluster_snapshot(request, state):
    """A final snapshot is taken, and so authorized, only when SkipFinalSnapshot is false (RDS API
    reference, DeleteDBCluster: FinalDBSnapshotIdentifier)."""
    name = request.params.get("FinalDBSnapshotIdentifier") or request.params.get("DBClusterSnapshotIdentifier")
    return [state.arn("rds", "cluster-snapshot", request.region, ClusterSnapshotName=name)] if name else None


def _execution(request, state):
    arn = request.params.get("executionArn")
    return [arn] if arn else None


RESOLVERS = {
    ("kms", "key"): _kms_key,
    ("kms", "alias"): _kms_alias,
    ("iam", "role"): _iam_role,
    ("iam", "policy"): _iam_policy,
    ("logs", "log-group"): _log_group,
    ("lambda", "function"): _lambda_function,
    ("secretsmanager", "Secret"): _secret,
    ("rds", "cluster"): _rds("cluster", "DbClusterInstanceName", "DBClusterIdentifier"),
    ("rds", "db"): _rds("db", "DbInstanceName", "DBInstanceIdentifier"),
    ("rds", "subgrp"): _rds("subgrp", "SubnetGroupName", "DBSubnetGroupName"),
    ("rds", "cluster-pg"): _rds("cluster-pg", "ClusterParameterGroupName", "DBClusterParameterGroupName"),
    ("elasticache", "replicationgroup"): _elasticache("replicationgroup", "ReplicationGroupId", "ReplicationGroupId"),
    ("elasticache", "subnetgroup"): _elasticache("subnetgroup", "CacheSubnetGroupName", "CacheSubnetGroupName"),
    ("elasticache", "parametergroup"): _elasticache("parametergroup", "CacheParameterGroupName", "CacheParameterGroupName"),
    ("elasticache", "serverlesscache"): _elasticache_named("serverlesscache", "ServerlessCacheName", "ServerlessCacheName"),
    ("elasticache", "user"): _elasticache_named("user", "UserId", "UserId", "UserIds", "UserIdsToAdd", "UserIdsToRemove"),
    ("elasticache", "usergroup"): _elasticache_named("usergroup", "UserGroupId", "UserGroupId"),
    ("elasticloadbalancing", "loadbalancer/app/"): _elb("loadbalancer/app/", "LoadBalancerArn", "LoadBalancerArns"),
    ("elasticloadbalancing", "targetgroup"): _elb("targetgroup", "TargetGroupArn", "TargetGroupArns"),
    ("elasticloadbalancing", "listener/app"): _elb("listener/app", "ListenerArn"),
    ("elasticloadbalancing", "listener-rule/app"): _elb("listener-rule/app", "RuleArn"),
    ("acm", "certificate"): _certificate,
    ("s3", "bucket"): _bucket,
    ("s3", "object"): _object,
    ("route53", "hostedzone"): _hosted_zone,
    ("ecs", "cluster"): _ecs_cluster,
    ("ecs", "service"): _ecs_service,
    ("ecs", "task-definition"): _task_definition,
    ("application-autoscaling", "ScalableTarget"): _scalable_target,
    ("servicediscovery", "namespace"): _namespace,
    ("servicediscovery", "service"): _discovery_service,
    ("sns", "topic"): _topic,
    ("cloudwatch", "alarm"): _alarm,
    ("cloudwatch", "dashboard"): _dashboard,
    ("states", "statemachine"): _state_machine,
    ("states", "execution"): _execution,
    ("scheduler", "schedule"): _schedule,
    ("rds", "og"): _option_group,
    ("rds", "pg"): _parameter_group,
    ("rds", "cluster-snapshot"): _cluster_snapshot,
}


def resolve(prefix, resource_type, request, state):
    """The ARNs of `resource_type` a request acts on, or None when it names none."""
    if prefix == "ec2":
        return _ec2(request, state, resource_type)
    resolver = RESOLVERS.get((prefix, resource_type))
    if resolver is None:
        return None
    arns = resolver(request, state)
    return [a for a in arns if a] if arns else None


# --- what a successful request changes -----------------------------------------------------------


def apply(request, state, created):
    """Replays a successful request's effect on the facts authorization reads. `created` maps each
    resource ARN the call creates to the resource type it is (for its tags)."""
    if not request.succeeded:
        return
    params = request.params
    tags = tags_of(params)
    for arn, resource_type in created.items():
        given = tags.get(resource_type, tags.get("", {}))
        state.tags[arn] = dict(given)
    op = (request.service, request.operation)
    if op == ("secretsmanager", "CreateSecret") or request.service == "secretsmanager":
        for arn, name in zip(find(request.response, "ARN"), find(request.response, "Name")):
            state.secret_arns[name] = arn
            state.secret_arns[arn] = arn
        if op == ("secretsmanager", "CreateSecret") and params.get("KmsKeyId"):
            for arn in find(request.response, "ARN"):
                state.secret_keys[arn] = params["KmsKeyId"]
        secret = state.secret_arns.get(params.get("SecretId"), params.get("SecretId"))
        if request.operation == "PutResourcePolicy":
            state.secret_policies[secret] = json.loads(params["ResourcePolicy"])
        if request.operation in ("DeleteResourcePolicy", "DeleteSecret"):
            state.secret_policies.pop(secret, None)
        if request.operation == "DescribeSecret":
            for arn in find(request.response, "ARN"):
                key = request.response.get("KmsKeyId") if isinstance(request.response, dict) else None
                if key:
                    state.secret_keys.setdefault(arn, key)
    if op == ("logs", "CreateLogGroup"):
        state.log_groups.add(params.get("logGroupName"))
    if op == ("logs", "DeleteLogGroup"):
        state.log_groups.discard(params.get("logGroupName"))
    if op == ("lambda", "CreateFunction"):
        name = params.get("FunctionName")
        if f"/aws/lambda/{name}" in state.log_groups:
            state.functions_with_their_group.add(name)
    if op == ("rds", "CreateDBCluster"):
        state.cluster_versions[params.get("DBClusterIdentifier")] = params.get("EngineVersion", "")
    if request.service == "rds":
        for cluster in _listed(find(request.response, "DBCluster")):
            if isinstance(cluster, dict) and cluster.get("DbClusterResourceId"):
                state.cluster_resource_ids[cluster.get("DBClusterIdentifier")] = cluster["DbClusterResourceId"]
    if op == ("kms", "CreateKey"):
        for arn in find(request.response, "Arn"):
            state.tags[arn] = dict(tags.get("", {}))
            state.key_policies[arn] = json.loads(params["Policy"]) if params.get("Policy") else default_key_policy(state)
    if op == ("kms", "PutKeyPolicy"):
        state.key_policies[state.key_arn(params["KeyId"])] = json.loads(params["Policy"])
    if op == ("kms", "CreateAlias"):
        state.aliases[params["AliasName"]] = state.key_arn(params["TargetKeyId"])
    if op == ("kms", "DeleteAlias"):
        state.aliases.pop(params["AliasName"], None)
    if op == ("kms", "DescribeKey"):
        key_arn = first_value(request.response, "Arn")
        if params.get("KeyId", "").startswith("alias/") and key_arn:
            state.aliases[params["KeyId"]] = key_arn
    # Cloud Map answers a namespace's creation with an operation id only; its id and ARN appear
    # in later listings, where the tags given at creation are attached to it.
    if op == ("servicediscovery", "CreatePrivateDnsNamespace"):
        state.namespace_tags[params.get("Name")] = dict(tags.get("", {}))
    if request.service == "servicediscovery" and request.operation in ("ListNamespaces", "GetNamespace"):
        for namespace in _listed(find(request.response, "Namespaces")) + _listed(find(request.response, "Namespace")):
            if isinstance(namespace, dict) and namespace.get("Name") in state.namespace_tags and namespace.get("Arn"):
                state.tags.setdefault(namespace["Arn"], dict(state.namespace_tags[namespace["Name"]]))
    if op in (("ec2", "AssociateRouteTable"),):
        for association in find(request.response, "associationId"):
            state.associations[association] = (params.get("RouteTableId"), params.get("SubnetId"))
    if op == ("ec2", "DescribeRouteTables"):
        for table in _listed(find(request.response, "routeTableSet")):
            for item in _listed(table.get("item") if isinstance(table, dict) else None):
                for association in _listed(find(item, "item")):
                    if isinstance(association, dict) and association.get("routeTableAssociationId"):
                        state.associations[association["routeTableAssociationId"]] = (
                            association.get("routeTableId"),
                            association.get("subnetId"),
                        )
    if op in (("ec2", "CreateTags"),):
        for resource in _listed(params.get("Resources")):
            for arn in list(state.tags):
                if arn.endswith("/" + resource):
                    state.tags[arn].update(tags.get("", {}))
    if op == ("iam", "CreateRole"):
        name = params["RoleName"]
        state.roles[name] = Role(
            name=name,
            arn=state.arn("iam", "role", RoleNameWithPath=name),
            trust=json.loads(params["AssumeRolePolicyDocument"]),
            boundary=params.get("PermissionsBoundary"),
            tags=tags.get("", {}),
            created_by=request.principal,
        )
    if op == ("iam", "PutRolePolicy") and params["RoleName"] in state.roles:
        role = state.roles[params["RoleName"]]
        role.inline[params["PolicyName"]] = json.loads(params["PolicyDocument"])
        role.last_inline = dict(role.inline)
        # Given a policy again (the environment made anew): its calls count again.
        role.torn_down = False
    if op == ("iam", "DeleteRolePolicy") and params["RoleName"] in state.roles:
        state.roles[params["RoleName"]].inline.pop(params["PolicyName"], None)
        state.roles[params["RoleName"]].torn_down = True
    if op == ("iam", "UpdateAssumeRolePolicy") and params["RoleName"] in state.roles:
        state.roles[params["RoleName"]].trust = json.loads(params["PolicyDocument"])
    if op == ("iam", "CreatePolicy"):
        for arn in find(request.response, "Arn"):
            state.managed_policies[arn] = json.loads(params["PolicyDocument"])
    if op == ("iam", "CreatePolicyVersion") and params.get("SetAsDefault") in (True, "true"):
        state.managed_policies[params["PolicyArn"]] = json.loads(params["PolicyDocument"])


def first_value(data, name):
    values = find(data, name)
    return values[-1] if values else None


def default_key_policy(state):
    """The key policy KMS gives a key created without one (KMS developer guide, "Default key
    policy"): the account administers it through IAM."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "Enable IAM User Permissions",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{state.account}:root"},
                "Action": "kms:*",
                "Resource": "*",
            }
        ],
    }


ACCOUNT_IN_ARN = re.compile(r"arn:aws:[a-z0-9-]+:[a-z0-9-]*:(\d{12}):")
