"""What AWS authorizes for a request beyond what the Service Authorization Reference's rows say on
their own: our table of the parameter-triggered rules, each row with the AWS document it comes from.

Three kinds of rows:
- TAG_ON_CREATE: creating with tags also needs the service's tagging action, for services whose SAR
  row does not list it as a dependent action;
- DEPENDENT: when a dependent action the SAR lists applies to our parameters (it is required unless
  a row here says when it is not, so the SAR stays the default);
- EXTRA: actions the service guides name for parameters we pass (S3 code, VPC config, customer KMS
  keys, rotation functions, log delivery, target tracking alarms, Cloud Map's Route 53 zones) and
  service-linked roles created on first use.
"""

from policy import Need

# --- tagging at creation -------------------------------------------------------------------------

# (IAM prefix, operation) -> (tagging action, condition key naming the create action or None, source)
TAG_ON_CREATE = {
    ("iam", "CreateRole"): ("iam:TagRole", None, "IAM user guide, \"Permissions required to tag IAM entities\": creating a role with tags needs iam:TagRole"),
    ("secretsmanager", "CreateSecret"): ("secretsmanager:TagResource", None, "Secrets Manager API reference, CreateSecret, Tags: \"If you include tags in the secret, you also need secretsmanager:TagResource\""),
    ("iam", "CreatePolicy"): ("iam:TagPolicy", None, "IAM user guide, \"Permissions required to tag IAM entities\""),
    ("logs", "CreateLogGroup"): ("logs:TagResource", None, "CloudWatch Logs API reference, CreateLogGroup: \"To add tags, you must have the logs:TagResource or logs:TagLogGroup permission\""),
    ("ecs", "CreateCluster"): ("ecs:TagResource", "ecs:CreateAction", "ECS developer guide, \"Grant permission to tag resources on creation\": ecs:TagResource with ecs:CreateAction"),
    ("ecs", "CreateService"): ("ecs:TagResource", "ecs:CreateAction", "ECS developer guide, \"Grant permission to tag resources on creation\""),
    ("ecs", "RegisterTaskDefinition"): ("ecs:TagResource", "ecs:CreateAction", "ECS developer guide, \"Grant permission to tag resources on creation\""),
    ("acm", "ImportCertificate"): ("acm:AddTagsToCertificate", None, "ACM user guide, \"Tagging resources\": ImportCertificate and RequestCertificate with Tags need acm:AddTagsToCertificate"),
    ("acm", "RequestCertificate"): ("acm:AddTagsToCertificate", None, "ACM user guide, \"Tagging resources\""),
    ("sns", "CreateTopic"): ("sns:TagResource", None, "SNS developer guide, \"Amazon SNS tags\": CreateTopic with tags needs sns:TagResource"),
    ("cloudwatch", "PutMetricAlarm"): ("cloudwatch:TagResource", None, "CloudWatch API reference, PutMetricAlarm, Tags: \"you must have cloudwatch:TagResource permission\""),
    ("servicediscovery", "CreatePrivateDnsNamespace"): ("servicediscovery:TagResource", None, "Cloud Map developer guide, \"Tagging your AWS Cloud Map resources\""),
    ("servicediscovery", "CreateService"): ("servicediscovery:TagResource", None, "Cloud Map developer guide, \"Tagging your AWS Cloud Map resources\""),
    ("states", "CreateStateMachine"): ("states:TagResource", None, "Step Functions developer guide, \"Tagging in Step Functions\": tags on create need states:TagResource"),
    ("lambda", "CreateFunction"): ("lambda:TagResource", None, "Lambda developer guide, \"Using tags on Lambda functions\": CreateFunction with tags needs lambda:TagResource"),
    ("scheduler", "CreateScheduleGroup"): ("scheduler:TagResource", None, "EventBridge Scheduler user guide, \"Tagging\""),
}

# The SAR's dependent tagging actions (listed on the create's row) apply only when tags are given:
# each service's tag-on-create page, e.g. EC2 user guide "Grant permission to tag Amazon EC2
# resources during creation" (ec2:CreateTags with ec2:CreateAction), ELB user guide "Tag on create"
# (elasticloadbalancing:AddTags with elasticloadbalancing:CreateAction).
TAGGING_ACTIONS = {
    "ec2:CreateTags": "ec2:CreateAction",
    "elasticloadbalancing:AddTags": "elasticloadbalancing:CreateAction",
    "rds:AddTagsToResource": None,
    "elasticache:AddTagsToResource": None,
    "secretsmanager:TagResource": None,
    "kms:TagResource": None,
    "application-autoscaling:TagResource": None,
    "lambda:TagResource": None,
    "sns:TagResource": None,
}


def has_tags(request):
    params = request.params
    return any(params.get(name) for name in ("Tags", "tags", "TagSpecifications", "TagList"))


# --- dependent actions the SAR lists, and when they apply to our parameters -----------------------


def _param(*names):
    return lambda request: any(request.params.get(name) not in (None, "", [], {}) for name in names)


def _never(request):
    return False


def _always(request):
    return True


# (action, dependent action) -> (applies(request) -> bool, source). Absent pairs always apply.
DEPENDENT = {
    # Aurora: roles are passed only with AssociatedRoles / MonitoringRoleArn / DomainIAMRoleName;
    # instances are created by CreateDBCluster only for Multi-AZ DB clusters (DBClusterInstanceClass);
    # the KMS actions only with a customer key; the secret only with ManageMasterUserPassword
    # (RDS user guide, "Password management with Amazon RDS and AWS Secrets Manager": required
    # permissions; "AWS KMS key management").
    ("rds:CreateDBCluster", "iam:PassRole"): (_param("AssociatedRoles", "MonitoringRoleArn", "DomainIAMRoleName"), "RDS API reference, CreateDBCluster: roles only through these members"),
    ("rds:CreateDBCluster", "rds:CreateDBInstance"): (_param("DBClusterInstanceClass"), "RDS user guide, \"Multi-AZ DB clusters\": CreateDBCluster makes instances only with DBClusterInstanceClass"),
    ("rds:CreateDBCluster", "kms:CreateGrant"): (_param("KmsKeyId", "MasterUserSecretKmsKeyId"), "RDS user guide, \"AWS KMS key management\""),
    ("rds:CreateDBCluster", "kms:Decrypt"): (_param("KmsKeyId", "MasterUserSecretKmsKeyId"), "RDS user guide, \"AWS KMS key management\""),
    ("rds:CreateDBCluster", "kms:DescribeKey"): (_param("KmsKeyId", "MasterUserSecretKmsKeyId"), "RDS user guide, \"AWS KMS key management\""),
    ("rds:CreateDBCluster", "kms:GenerateDataKey"): (_param("KmsKeyId", "MasterUserSecretKmsKeyId"), "RDS user guide, \"AWS KMS key management\""),
    ("rds:CreateDBCluster", "secretsmanager:CreateSecret"): (_param("ManageMasterUserPassword"), "RDS user guide, \"Password management with Amazon RDS and AWS Secrets Manager\""),
    ("rds:CreateDBCluster", "secretsmanager:TagResource"): (_param("ManageMasterUserPassword"), "RDS user guide, \"Password management with Amazon RDS and AWS Secrets Manager\""),
    ("rds:CreateDBInstance", "iam:PassRole"): (_param("MonitoringRoleArn", "DomainIAMRoleName"), "RDS API reference, CreateDBInstance"),
    ("rds:CreateDBInstance", "kms:CreateGrant"): (_param("KmsKeyId", "PerformanceInsightsKMSKeyId", "MasterUserSecretKmsKeyId"), "RDS user guide, \"AWS KMS key management\""),
    ("rds:CreateDBInstance", "kms:Decrypt"): (_param("KmsKeyId", "PerformanceInsightsKMSKeyId", "MasterUserSecretKmsKeyId"), "RDS user guide, \"AWS KMS key management\""),
    ("rds:CreateDBInstance", "kms:DescribeKey"): (_param("KmsKeyId", "PerformanceInsightsKMSKeyId", "MasterUserSecretKmsKeyId"), "RDS user guide, \"AWS KMS key management\""),
    ("rds:CreateDBInstance", "kms:GenerateDataKey"): (_param("KmsKeyId", "PerformanceInsightsKMSKeyId", "MasterUserSecretKmsKeyId"), "RDS user guide, \"AWS KMS key management\""),
    ("rds:CreateDBInstance", "secretsmanager:CreateSecret"): (_param("ManageMasterUserPassword"), "RDS user guide, \"Password management with Amazon RDS and AWS Secrets Manager\""),
    ("rds:CreateDBInstance", "secretsmanager:TagResource"): (_param("ManageMasterUserPassword"), "RDS user guide, \"Password management with Amazon RDS and AWS Secrets Manager\""),
    ("rds:CreateDBInstance", "rds:CreateTenantDatabase"): (_never, "RDS user guide: tenant databases exist only for RDS for Oracle CDBs"),
    ("rds:ModifyDBCluster", "iam:PassRole"): (_param("MonitoringRoleArn", "DomainIAMRoleName"), "RDS API reference, ModifyDBCluster"),
    ("rds:ModifyDBCluster", "kms:CreateGrant"): (_param("MasterUserSecretKmsKeyId", "PerformanceInsightsKMSKeyId"), "RDS user guide, \"AWS KMS key management\""),
    ("rds:ModifyDBCluster", "kms:Decrypt"): (_param("MasterUserSecretKmsKeyId", "PerformanceInsightsKMSKeyId"), "RDS user guide, \"AWS KMS key management\""),
    ("rds:ModifyDBCluster", "kms:DescribeKey"): (_param("MasterUserSecretKmsKeyId", "PerformanceInsightsKMSKeyId"), "RDS user guide, \"AWS KMS key management\""),
    ("rds:ModifyDBCluster", "kms:GenerateDataKey"): (_param("MasterUserSecretKmsKeyId", "PerformanceInsightsKMSKeyId"), "RDS user guide, \"AWS KMS key management\""),
    ("rds:ModifyDBCluster", "rds:ModifyDBInstance"): (_param("DBClusterInstanceClass", "AllocatedStorage", "Iops"), "RDS user guide, \"Multi-AZ DB clusters\""),
    ("rds:ModifyDBCluster", "secretsmanager:CreateSecret"): (_param("ManageMasterUserPassword"), "RDS user guide, \"Password management with Amazon RDS and AWS Secrets Manager\""),
    ("rds:ModifyDBCluster", "secretsmanager:RotateSecret"): (_param("RotateMasterUserPassword"), "RDS user guide, \"Password management with Amazon RDS and AWS Secrets Manager\""),
    ("rds:ModifyDBCluster", "secretsmanager:TagResource"): (_param("ManageMasterUserPassword"), "RDS user guide, \"Password management with Amazon RDS and AWS Secrets Manager\""),
    # A final snapshot is taken (and tagged) only without SkipFinalSnapshot; instances are deleted by
    # DeleteDBCluster only for Multi-AZ DB clusters (Aurora's are deleted one by one, first).
    ("rds:DeleteDBCluster", "rds:CreateDBClusterSnapshot"): (lambda r: str(r.params.get("SkipFinalSnapshot")).lower() != "true", "RDS API reference, DeleteDBCluster, SkipFinalSnapshot"),
    ("rds:DeleteDBCluster", "rds:AddTagsToResource"): (lambda r: str(r.params.get("SkipFinalSnapshot")).lower() != "true", "RDS API reference, DeleteDBCluster, SkipFinalSnapshot"),
    ("rds:DeleteDBCluster", "rds:DeleteDBInstance"): (_never, "RDS user guide, \"Deleting Aurora DB clusters and DB instances\": an Aurora cluster is deleted after its instances"),
    ("rds:DeleteDBInstance", "rds:CreateDBSnapshot"): (lambda r: str(r.params.get("SkipFinalSnapshot")).lower() == "false", "RDS API reference, DeleteDBInstance: a final snapshot only when SkipFinalSnapshot is false (instances of an Aurora cluster never take one)"),
    ("rds:DeleteDBInstance", "rds:AddTagsToResource"): (lambda r: str(r.params.get("SkipFinalSnapshot")).lower() == "false", "RDS API reference, DeleteDBInstance"),
    ("rds:DeleteDBInstance", "rds:DeleteTenantDatabase"): (_never, "RDS user guide: tenant databases exist only for RDS for Oracle CDBs"),
    # ElastiCache: the network interfaces of a replication group are made and removed by its
    # service-linked role (ElastiCache user guide, "Using Service-Linked Roles for Amazon
    # ElastiCache": ElastiCacheServiceRolePolicy holds ec2:CreateNetworkInterface,
    # ec2:DeleteNetworkInterface, ec2:DescribeNetworkInterfaces, ec2:DescribeSubnets,
    # ec2:DescribeVpcs; the guide's "ElastiCache API permissions" table lists no ec2 action for these
    # calls; ModifyReplicationGroup changing only the AUTH token adds no node at all).
    **{
        (action, dependent): (_never, "ElastiCache user guide, \"Using Service-Linked Roles for Amazon ElastiCache\"")
        for action in ("elasticache:CreateReplicationGroup", "elasticache:DeleteReplicationGroup", "elasticache:DeleteCacheSubnetGroup", "elasticache:ModifyReplicationGroup")
        for dependent in ("ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets", "ec2:DescribeVpcs")
    },
    # ElastiCache: seeding from S3 needs the object only with SnapshotArns.
    ("elasticache:CreateReplicationGroup", "s3:GetObject"): (_param("SnapshotArns"), "ElastiCache user guide, \"Seeding a new cluster with an externally created backup\""),
    # A serverless cache reads a snapshot from S3 only when restoring one (SnapshotArnsToRestore).
    ("elasticache:CreateServerlessCache", "s3:GetObject"): (_param("SnapshotArnsToRestore"), "ElastiCache API reference, CreateServerlessCache, SnapshotArnsToRestore"),
    # Lambda: a capacity provider only with CapacityProviderConfig.
    ("lambda:CreateFunction", "lambda:PassCapacityProvider"): (_param("CapacityProviderConfig"), "Lambda API reference, CreateFunction, CapacityProviderConfig"),
    # VPC flow logs: the ECS listing actions only for flow logs of ECS resources; PassRole only with
    # a delivery role.
    ("ec2:CreateFlowLogs", "ecs:ListClusters"): (lambda r: r.params.get("ResourceType") not in ("VPC", "Subnet", "NetworkInterface", "TransitGateway", "TransitGatewayAttachment"), "VPC user guide, \"Flow logs for Amazon ECS\""),
    ("ec2:CreateFlowLogs", "ecs:ListContainerInstances"): (lambda r: r.params.get("ResourceType") not in ("VPC", "Subnet", "NetworkInterface", "TransitGateway", "TransitGatewayAttachment"), "VPC user guide, \"Flow logs for Amazon ECS\""),
    ("ec2:CreateFlowLogs", "ecs:ListServices"): (lambda r: r.params.get("ResourceType") not in ("VPC", "Subnet", "NetworkInterface", "TransitGateway", "TransitGatewayAttachment"), "VPC user guide, \"Flow logs for Amazon ECS\""),
    ("ec2:CreateFlowLogs", "ecs:ListTaskDefinitions"): (lambda r: r.params.get("ResourceType") not in ("VPC", "Subnet", "NetworkInterface", "TransitGateway", "TransitGatewayAttachment"), "VPC user guide, \"Flow logs for Amazon ECS\""),
    ("ec2:CreateFlowLogs", "ecs:ListTasks"): (lambda r: r.params.get("ResourceType") not in ("VPC", "Subnet", "NetworkInterface", "TransitGateway", "TransitGatewayAttachment"), "VPC user guide, \"Flow logs for Amazon ECS\""),
    ("ec2:CreateFlowLogs", "iam:PassRole"): (_param("DeliverLogsPermissionArn"), "VPC user guide, \"IAM role for publishing flow logs to CloudWatch Logs\": the user needs iam:PassRole for the role"),
    # A gateway endpoint associates no private hosted zone (that is interface endpoints with private
    # DNS), and uses no subnets or security groups.
    ("ec2:CreateVpcEndpoint", "route53:AssociateVPCWithHostedZone"): (lambda r: r.params.get("VpcEndpointType", "Gateway") == "Interface" and str(r.params.get("PrivateDnsEnabled", "true")).lower() != "false", "PrivateLink guide, \"Interface endpoints\": private DNS associates a private hosted zone"),
    # SNS passes roles only for delivery status logging (topic attributes *FeedbackRoleArn).
    ("sns:CreateTopic", "iam:PassRole"): (lambda r: any(k.endswith("FeedbackRoleArn") for k in (r.params.get("Attributes") or {})), "SNS developer guide, \"Amazon SNS message delivery status\""),
    # Step Functions: a version is published only with `publish` (API reference, CreateStateMachine).
    ("states:CreateStateMachine", "states:PublishStateMachineVersion"): (lambda r: str(r.params.get("publish")).lower() == "true", "Step Functions API reference, CreateStateMachine, publish"),
    ("states:UpdateStateMachine", "states:PublishStateMachineVersion"): (lambda r: str(r.params.get("publish")).lower() == "true", "Step Functions API reference, UpdateStateMachine, publish"),
    # KMS: the lockout safety check asks the new key policy itself to let the caller call
    # PutKeyPolicy later (KMS API reference, CreateKey, Policy: "the key policy must allow the
    # principal that is making the CreateKey request to make a subsequent PutKeyPolicy request");
    # check.py verifies that of the key policy, not of the caller's IAM policy. A service-linked
    # role only for multi-Region keys.
    ("kms:CreateKey", "kms:PutKeyPolicy"): (_never, "KMS API reference, CreateKey, Policy and BypassPolicyLockoutSafetyCheck"),
    ("kms:CreateKey", "iam:CreateServiceLinkedRole"): (lambda r: str(r.params.get("MultiRegion")).lower() == "true", "KMS developer guide, \"Using service-linked roles for AWS KMS\": AWSServiceRoleForKeyManagementServiceMultiRegionKeys, for multi-Region keys"),
}


# (action, resource type the SAR marks required) -> (involved(request) -> bool, source): a required
# resource that our parameters leave out of the call.
INVOLVED = {
    # The SAR marks both execution kinds required; an execution is one or the other (Step
    # Functions developer guide: express executions are named arn:…:express:…).
    ("states:DescribeExecution", "express"): (lambda r: ":express:" in str(r.params.get("executionArn")), "Step Functions developer guide, \"Standard and Express workflows\""),
    ("states:DescribeExecution", "execution"): (lambda r: ":execution:" in str(r.params.get("executionArn")), "Step Functions developer guide, \"Standard and Express workflows\""),
    # ListExecutions lists a state machine's executions or a Map Run's: "You can specify either a
    # mapRunArn or a stateMachineArn, but not both" (Step Functions API reference, ListExecutions).
    ("states:ListExecutions", "maprun"): (lambda r: bool(r.params.get("mapRunArn")), "Step Functions API reference, ListExecutions: mapRunArn or stateMachineArn, not both"),
    ("rds:DeleteDBCluster", "cluster-snapshot"): (lambda r: str(r.params.get("SkipFinalSnapshot")).lower() != "true", "RDS API reference, DeleteDBCluster: the final snapshot (FinalDBSnapshotIdentifier) exists only when SkipFinalSnapshot is false"),
}


# --- what the service guides add for our parameters -----------------------------------------------


def _key_of_secret(request, state):
    from resources import resolve

    keys = []
    for arn in resolve("secretsmanager", "Secret", request, state) or []:
        key = state.secret_keys.get(arn)
        if key is None and request.operation == "CreateSecret":
            key = request.params.get("KmsKeyId")
        if key:
            keys.append(state.key_arn(key))
    return keys


def _via(service, region):
    return f"{service}.{region}.amazonaws.com"


def secrets_under_a_customer_key(request, state):
    """Secrets Manager user guide, "Secret encryption and decryption in AWS Secrets Manager": to
    create or update a secret value under a customer managed key the caller needs
    kms:GenerateDataKey (and kms:Decrypt to create a version), to read it kms:Decrypt, each through
    Secrets Manager (kms:ViaService)."""
    action = {
        "CreateSecret": ["kms:GenerateDataKey", "kms:Decrypt"],
        "PutSecretValue": ["kms:GenerateDataKey"],
        "GetSecretValue": ["kms:Decrypt"],
    }.get(request.operation)
    if not action or (request.operation == "CreateSecret" and not (request.params.get("SecretString") or request.params.get("SecretBinary"))):
        return []
    context = {"kms:ViaService": _via("secretsmanager", request.region), "kms:CallerAccount": state.account}
    return [
        Need(name, key, dict(context), why=secrets_under_a_customer_key.__doc__.split(":")[0])
        for key in _key_of_secret(request, state)
        for name in action
    ]


def rotation_function_invoked(request, state):
    """Secrets Manager user guide, "Permissions for rotation": RotateSecret with a rotation
    function needs lambda:InvokeFunction on it."""
    arn = request.params.get("RotationLambdaARN")
    if request.operation != "RotateSecret" or not arn:
        return []
    return [Need("lambda:InvokeFunction", arn, {}, why="RotateSecret invokes the rotation function")]


def lambda_code_and_network(request, state):
    """Lambda developer guide: "Deploying Lambda functions as .zip file archives" (code in S3 needs
    s3:GetObject on it) and "Giving Lambda functions access to resources in an Amazon VPC" (the user
    who configures VpcConfig needs ec2:DescribeSecurityGroups, ec2:DescribeSubnets and
    ec2:DescribeVpcs)."""
    if request.service != "lambda" or request.operation not in ("CreateFunction", "UpdateFunctionCode", "UpdateFunctionConfiguration"):
        return []
    needs = []
    code = request.params.get("Code") or request.params
    bucket, key = code.get("S3Bucket"), code.get("S3Key")
    if bucket and key:
        needs.append(Need("s3:GetObject", state.arn("s3", "object", BucketName=bucket, ObjectName=key), {}, why="the function's code is read from S3"))
    vpc = request.params.get("VpcConfig") or {}
    if vpc.get("SubnetIds"):
        for action in ("ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeVpcs"):
            needs.append(Need(action, "*", {}, why="VpcConfig is checked by describing its subnets, groups and VPC"))
    return needs


def auto_scaling_of_an_ecs_service(request, state):
    """Application Auto Scaling user guide, "Permissions required to call Application Auto Scaling
    API actions": registering an ECS service needs ecs:DescribeServices and ecs:UpdateService;
    target tracking policies create and delete their CloudWatch alarms with
    cloudwatch:DescribeAlarms, cloudwatch:PutMetricAlarm and cloudwatch:DeleteAlarms."""
    if request.service != "application-autoscaling" or request.params.get("ServiceNamespace") != "ecs":
        return []
    resource = request.params.get("ResourceId", "")  # service/<cluster>/<service>
    parts = resource.split("/")
    service = state.arn("ecs", "service", request.region, ClusterName=parts[1], ServiceName=parts[2]) if len(parts) == 3 else "*"
    needs = []
    if request.operation in ("RegisterScalableTarget", "DeregisterScalableTarget"):
        needs += [Need("ecs:DescribeServices", service, {}, why="a scalable ECS service is read"), Need("ecs:UpdateService", service, {}, why="and its desired count set")]
    if request.operation in ("PutScalingPolicy", "DeleteScalingPolicy"):
        alarms = state.arn("cloudwatch", "alarm", request.region, AlarmName="TargetTracking-" + resource + "-*")
        for action in ("cloudwatch:DescribeAlarms", "cloudwatch:PutMetricAlarm", "cloudwatch:DeleteAlarms"):
            needs.append(Need(action, alarms, {}, why="target tracking manages its CloudWatch alarms"))
    return needs


def cloud_map_private_namespace(request, state):
    """Cloud Map developer guide, "AWS Cloud Map API permissions reference": CreatePrivateDnsNamespace
    requires route53:CreateHostedZone, route53:GetHostedZone, route53:ListHostedZonesByName,
    ec2:DescribeVpcs and ec2:DescribeRegions (the namespace is a Route 53 private hosted zone);
    CreateService, DeleteService and DeleteNamespace require only their own action."""
    if request.service != "servicediscovery" or request.operation != "CreatePrivateDnsNamespace":
        return []
    zone = "arn:aws:route53:::hostedzone/*"
    needs = [
        ("route53:CreateHostedZone", "*"),
        ("route53:GetHostedZone", zone),
        ("route53:ListHostedZonesByName", "*"),
        ("ec2:DescribeVpcs", "*"),
        ("ec2:DescribeRegions", "*"),
    ]
    return [Need(action, resource, {}, why="Cloud Map makes the namespace's Route 53 private zone") for action, resource in needs]


def elasticache_log_delivery(request, state):
    """ElastiCache user guide, "Log delivery": delivering engine or slow logs to CloudWatch Logs
    needs logs:CreateLogDelivery, logs:GetLogDelivery, logs:UpdateLogDelivery,
    logs:DeleteLogDelivery, logs:ListLogDeliveries, logs:PutResourcePolicy and
    logs:DescribeResourcePolicies of the caller (and logs:DescribeLogGroups)."""
    if request.service != "elasticache" or not request.params.get("LogDeliveryConfigurations"):
        return []
    actions = [
        "logs:CreateLogDelivery",
        "logs:GetLogDelivery",
        "logs:UpdateLogDelivery",
        "logs:DeleteLogDelivery",
        "logs:ListLogDeliveries",
        "logs:PutResourcePolicy",
        "logs:DescribeResourcePolicies",
        "logs:DescribeLogGroups",
    ]
    return [Need(action, "*", {}, why="ElastiCache sets up the log delivery in the caller's name") for action in actions]


def elasticache_customer_key(request, state):
    """ElastiCache user guide, "At-Rest Encryption in ElastiCache": ElastiCache uses a customer
    managed key through a grant it creates when the replication group is created ("one grant per
    replication group"), so the caller needs kms:CreateGrant (for an AWS resource,
    kms:GrantIsForAWSResource) and kms:DescribeKey on the key. ElastiCache does not support
    kms:ViaService ("Providing/denying access to Amazon ElastiCache using ViaService will have no
    effect"), so the request carries no such key and a policy must not require one."""
    key = request.params.get("KmsKeyId")
    if request.service != "elasticache" or request.operation != "CreateReplicationGroup" or not key:
        return []
    arn = state.key_arn(key)
    caller = {"kms:CallerAccount": state.account}
    return [
        Need("kms:DescribeKey", arn, dict(caller), why="ElastiCache checks the key"),
        Need("kms:CreateGrant", arn, {**caller, "kms:GrantIsForAWSResource": True}, why="ElastiCache gets a grant on the key"),
    ]


# Service-linked roles created on first use with the caller's iam:CreateServiceLinkedRole (each
# service's "Using service-linked roles" page: "Permissions for creating a service-linked role").
SERVICE_LINKED = {
    ("rds", "CreateDBCluster"): ("rds.amazonaws.com", "AWSServiceRoleForRDS"),
    ("rds", "CreateDBInstance"): ("rds.amazonaws.com", "AWSServiceRoleForRDS"),
    ("elasticache", "CreateReplicationGroup"): ("elasticache.amazonaws.com", "AWSServiceRoleForElastiCache"),
    ("elasticache", "CreateCacheSubnetGroup"): ("elasticache.amazonaws.com", "AWSServiceRoleForElastiCache"),
    ("elasticloadbalancing", "CreateLoadBalancer"): ("elasticloadbalancing.amazonaws.com", "AWSServiceRoleForElasticLoadBalancing"),
    ("ecs", "CreateCluster"): ("ecs.amazonaws.com", "AWSServiceRoleForECS"),
    ("ecs", "CreateService"): ("ecs.amazonaws.com", "AWSServiceRoleForECS"),
    ("application-autoscaling", "RegisterScalableTarget"): ("ecs.application-autoscaling.amazonaws.com", "AWSServiceRoleForApplicationAutoScaling_ECSService"),
}


def service_linked_role(request, state):
    from resources import IAM_PREFIX

    entry = SERVICE_LINKED.get((IAM_PREFIX[request.service], request.operation))
    if entry is None:
        return []
    service, role = entry
    arn = f"arn:aws:iam::{state.account}:role/aws-service-role/{service}/{role}"
    return [Need("iam:CreateServiceLinkedRole", arn, {"iam:AWSServiceName": service}, why=f"{service} creates its service-linked role on first use")]


EXTRA = [
    secrets_under_a_customer_key,
    rotation_function_invoked,
    lambda_code_and_network,
    auto_scaling_of_an_ecs_service,
    cloud_map_private_namespace,
    elasticache_log_delivery,
    elasticache_customer_key,
    service_linked_role,
]
