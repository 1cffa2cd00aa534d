"""New IAM roles and KMS keys are not usable by other services at once: IAM and KMS are eventually
consistent, and the services that assume a role or use a key see it some seconds after its creation.
Here "some seconds" is the next K calls of principals under test that pass the role or key."""

from xml.dom import minidom

import moto_state
from aws_wire import AwsError
from layer import Behaviour, Countdown

# Service-linked roles are kept by the service that uses them: moto names ECS's
# `AWSServiceRoleForecs` where AWS names it `AWSServiceRoleForECS`.
ECS_SERVICE_LINKED_ROLE = "service-linked:ecs.amazonaws.com"


def role_name(role):
    """The name of a role from its ARN (`arn:aws:iam::1:role/path/name`) or its name."""
    return str(role).rsplit("/", 1)[-1] if role else None


def _xml_text(body, tag):
    try:
        nodes = minidom.parseString(body).getElementsByTagName(tag)
    except Exception:  # noqa: BLE001 - moto's answer is not ours to validate
        return None
    return nodes[0].firstChild.data if nodes and nodes[0].firstChild else None


class NewRoles(Behaviour):
    """A role just created, or whose permissions were just given, is refused by the services that
    assume it, for the next K calls that pass it:

    - Lambda CreateFunction / UpdateFunctionConfiguration: InvalidParameterValueException "The role
      defined for the function cannot be assumed by Lambda." (aws/aws-cli#7700: `aws iam wait
      role-exists` returns before Lambda can assume the role; apex/up#189 on UpdateFunctionConfiguration;
      hashicorp/waypoint#1292 retries it); with a VpcConfig, after an inline or attached policy was
      just given to the role: "The provided execution role does not have permissions to call
      CreateNetworkInterface on EC2" (aws/aws-sam-cli#617, serverless/serverless#1966).
    - Step Functions CreateStateMachine / UpdateStateMachine: AccessDeniedException "Neither the global
      service principal states.amazonaws.com, nor the regional one is authorized to assume the provided
      role." (hashicorp/terraform-provider-aws#7893; go-to-k/cdkd#950 retries it).
    - ECS CreateService with `role`: InvalidParameterException "Unable to assume role and validate the
      specified targetGroupArn. Please verify that the ECS service role being passed has the proper
      permissions." (hashicorp/terraform#4609, a "known issue related to eventually-consistent IAM");
      without one, just after the ECS service-linked role was created: "Unable to assume the service
      linked role. Please verify that the ECS service linked role exists."
      (aws-samples/baseline-environment-on-aws#238, awslabs/fargatecli#35: on the account's first run).
    - EC2 CreateFlowLogs with DeliverLogsPermissionArn: the whole call fails with InvalidParameter
      "Unable to assume given IAM role: '<arn>'" (hashicorp/terraform-provider-aws#29323; the
      provider retries exactly this code and message, then checks `Unsuccessful` separately).
    """

    name = "role_propagation"
    default_calls = 2

    def __init__(self, calls=None, **options):
        super().__init__(calls, **options)
        self.new = Countdown()  # role names just created
        self.newly_allowed = Countdown()  # role names whose policies just changed

    def after(self, call, answer):
        if not answer.ok or call.service != "iam":
            return
        if call.operation == "CreateRole":
            self.new.arm(call.param("RoleName"), self.calls)
        elif call.operation == "CreateServiceLinkedRole":
            self.new.arm(_xml_text(answer.body, "RoleName"), self.calls)
            self.new.arm(f"service-linked:{call.param('AWSServiceName')}", self.calls)
        elif call.operation in ("PutRolePolicy", "AttachRolePolicy"):
            self.newly_allowed.arm(call.param("RoleName"), self.calls)

    def before(self, call):
        operation = (call.service, call.operation)
        if operation in (("lambda", "CreateFunction"), ("lambda", "UpdateFunctionConfiguration")):
            role = role_name(call.param("Role"))
            if role and self.new.take(role):
                return self.refuse(AwsError(400, "InvalidParameterValueException",
                                            "The role defined for the function cannot be assumed by Lambda."))
            subnets = (call.param("VpcConfig") or {}).get("SubnetIds")
            if subnets and self.newly_allowed.take(role or self._current_role(call)):
                return self.refuse(AwsError(
                    400, "InvalidParameterValueException",
                    "The provided execution role does not have permissions to call CreateNetworkInterface on EC2"))
        elif operation in (("states", "CreateStateMachine"), ("states", "UpdateStateMachine")):
            if self.new.take(role_name(call.param("roleArn"))):
                return self.refuse(AwsError(
                    400, "AccessDeniedException",
                    "Neither the global service principal states.amazonaws.com, nor the regional one is "
                    "authorized to assume the provided role."))
        elif operation == ("ecs", "CreateService"):
            role = call.param("role")
            if role and self.new.take(role_name(role)):
                return self.refuse(AwsError(
                    400, "InvalidParameterException",
                    "Unable to assume role and validate the specified targetGroupArn. Please verify that "
                    "the ECS service role being passed has the proper permissions."))
            if not role and self.new.take(ECS_SERVICE_LINKED_ROLE):
                return self.refuse(AwsError(
                    400, "InvalidParameterException",
                    "Unable to assume the service linked role. Please verify that the ECS service linked "
                    "role exists."))
        elif operation == ("ec2", "CreateFlowLogs"):
            arn = call.param("DeliverLogsPermissionArn")
            if arn and self.new.take(role_name(arn)):
                return self.refuse(AwsError(400, "InvalidParameter", f"Unable to assume given IAM role: '{arn}'"))
        return None

    @staticmethod
    def _current_role(call):
        """The role of the function that an UpdateFunctionConfiguration without `Role` changes."""
        function = moto_state.lambda_function(call.param("FunctionName"))
        return role_name(function.role) if function else None


class NewKeys(Behaviour):
    """A KMS key just created is not yet usable by another service, for the next K calls that pass
    it (by key id, key ARN, or an alias made for it since):

    - CloudWatch Logs CreateLogGroup / AssociateKmsKey: InvalidParameterException (CloudWatch Logs API
      reference, CreateLogGroup: "If you attempt to associate a KMS key with the log group but the
      KMS key does not exist or the KMS key is disabled, you receive an InvalidParameterException
      error"), worded as AWS words a key Logs cannot use: "The specified KMS key does not exist or
      is not allowed to be used with Arn 'arn:aws:logs:<region>:<account>:log-group:<name>'"
      (hashicorp/terraform-provider-aws#29282, ministryofjustice/modernisation-platform#7870, where
      a key policy without Logs gets the same words under AccessDeniedException).
    - RDS CreateDBCluster / CreateDBInstance (KmsKeyId, MasterUserSecretKmsKeyId,
      PerformanceInsightsKMSKeyId): KMSKeyNotAccessibleFault "The specified KMS key [<key>] does not
      exist, is not enabled or you do not have permissions to access it." (wording:
      hashicorp/terraform-provider-aws#16362; a cluster with a key created just before it fails so:
      crossplane-contrib/provider-aws#902).

    AWS KMS developer guide, "Eventual consistency" (accessing-kms.html): a key just created may not
    be usable at once; the services that use it are eventually consistent with KMS.
    """

    name = "kms_key_propagation"
    default_calls = 2
    RDS_KEY_PARAMETERS = ("KmsKeyId", "MasterUserSecretKmsKeyId", "PerformanceInsightsKMSKeyId")

    def __init__(self, calls=None, **options):
        super().__init__(calls, **options)
        self.keys = {}  # every name of a new key -> the key's id
        self.new = Countdown()  # key ids

    def after(self, call, answer):
        if not answer.ok or call.service != "kms":
            return
        if call.operation == "CreateKey":
            metadata = answer.json().get("KeyMetadata", {})
            key_id, arn = metadata.get("KeyId"), metadata.get("Arn")
            if key_id:
                self.keys[key_id] = key_id
                self.keys[arn] = key_id
                self.new.arm(key_id, self.calls)
        elif call.operation == "CreateAlias":
            key_id = self.keys.get(call.param("TargetKeyId"))
            alias = call.param("AliasName")
            if key_id and alias:
                self.keys[alias] = key_id
                self.keys[f"arn:aws:kms:{call.region}:{self._account(key_id)}:{alias}"] = key_id

    def _account(self, key_id):
        arns = [name for name, known in self.keys.items() if known == key_id and name.startswith("arn:")]
        return arns[0].split(":")[4] if arns else ""

    def _new(self, key):
        key_id = self.keys.get(key)
        return key_id is not None and self.new.take(key_id)

    def before(self, call):
        if call.service == "logs" and call.operation in ("CreateLogGroup", "AssociateKmsKey"):
            key = call.param("kmsKeyId")
            if key and self._new(key):
                group = call.param("logGroupName") or call.param("resourceIdentifier")
                arn = group if str(group).startswith("arn:") else (
                    f"arn:aws:logs:{call.region}:{self._account(self.keys[key])}:log-group:{group}")
                return self.refuse(AwsError(
                    400, "InvalidParameterException",
                    f"The specified KMS key does not exist or is not allowed to be used with Arn '{arn}'"))
        elif call.service == "rds" and call.operation in ("CreateDBCluster", "CreateDBInstance"):
            for parameter in self.RDS_KEY_PARAMETERS:
                key = call.param(parameter)
                if key and self._new(key):
                    return self.refuse(AwsError(
                        400, "KMSKeyNotAccessibleFault",
                        f"The specified KMS key [{key}] does not exist, is not enabled or you do not have "
                        "permissions to access it."))
        return None

