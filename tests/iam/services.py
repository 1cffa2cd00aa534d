"""The calls AWS services make with the roles we give them, derived from the recorded requests that
configure them, so those roles are checked like the functions' own.

The emulator never runs a Lambda, a task, a flow log or a state machine, so these calls are never
recorded; each generator below reads what was configured (a task definition's secrets and log group,
a flow log's destination, a state machine's tasks, a function's VPC config) and yields what the
service documents it will do with the role, with its source.
"""

import json
import re

from needs import with_resource_tags
from policy import Need

# Log stream names as each service makes them, for the ARN of the stream a role writes to.
FLOW_LOG_STREAM = "eni-0123456789abcdef0-all"  # VPC user guide, "Publish flow logs to CloudWatch Logs"
TASK_LOG_STREAM = "ecs/api/0123456789abcdef0123456789abcdef"  # ECS developer guide, awslogs-stream-prefix
LAMBDA_LOG_STREAM = "2026/01/01/[$LATEST]0123456789abcdef0123456789abcdef"  # Lambda developer guide, log streams
LAMBDA_INTERFACE = "eni-0123456789abcdef0"  # an interface Lambda makes; its id is Lambda's


def _role_name(arn):
    return arn.rsplit("/", 1)[-1] if arn else None


def _stream(state, region, group, stream):
    return f"arn:aws:logs:{region}:{state.account}:log-group:{group}:log-stream:{stream}"


def _group(state, region, group):
    return f"arn:aws:logs:{region}:{state.account}:log-group:{group}"


def flow_log_deliveries(request, state):
    """VPC user guide, "IAM role for publishing flow logs to CloudWatch Logs": the role must allow
    logs:CreateLogGroup, logs:CreateLogStream, logs:PutLogEvents, logs:DescribeLogGroups and
    logs:DescribeLogStreams (the service creates one stream per network interface; the group is
    ours, made before the flow log, so CreateLogGroup is never needed)."""
    if (request.service, request.operation) != ("ec2", "CreateFlowLogs"):
        return
    role = _role_name(request.params.get("DeliverLogsPermissionArn"))
    group = request.params.get("LogGroupName")
    if not role or not group:
        return
    for action, resource in (
        ("logs:CreateLogStream", _stream(state, request.region, group, FLOW_LOG_STREAM)),
        ("logs:PutLogEvents", _stream(state, request.region, group, FLOW_LOG_STREAM)),
        ("logs:DescribeLogStreams", _group(state, request.region, group)),
        # DescribeLogGroups supports no resource type.
        ("logs:DescribeLogGroups", "*"),
    ):
        yield role, Need(action, resource, {}, why="VPC flow logs deliver to the log group")


def task_starts(request, state):
    """ECS developer guide, "Amazon ECS task execution IAM role": to start a task ECS uses the
    execution role to create the awslogs stream and write to it, to read each secret the container
    definitions name (secretsmanager:GetSecretValue, and kms:Decrypt for a customer managed key),
    and to pull a private ECR image (ecr:GetAuthorizationToken, ecr:BatchCheckLayerAvailability,
    ecr:GetDownloadUrlForLayer, ecr:BatchGetImage)."""
    if (request.service, request.operation) != ("ecs", "RegisterTaskDefinition"):
        return
    role = _role_name(request.params.get("executionRoleArn"))
    if not role:
        return
    for container in request.params.get("containerDefinitions", []):
        logging = container.get("logConfiguration") or {}
        group = (logging.get("options") or {}).get("awslogs-group")
        if logging.get("logDriver") == "awslogs" and group:
            for action in ("logs:CreateLogStream", "logs:PutLogEvents"):
                yield role, Need(action, _stream(state, request.region, group, TASK_LOG_STREAM), {}, why="ECS writes the container's log stream")
        for secret in container.get("secrets", []):
            arn = _secret_arn(secret.get("valueFrom", ""))
            yield role, Need("secretsmanager:GetSecretValue", arn, {}, why="ECS injects the container's secret")
            key = state.secret_keys.get(arn) or state.secret_keys.get(state.secret_arns.get(arn, ""))
            if key:
                context = {"kms:ViaService": f"secretsmanager.{request.region}.amazonaws.com", "kms:CallerAccount": state.account}
                yield role, Need("kms:Decrypt", state.key_arn(key), context, why="Secrets Manager decrypts the secret for ECS")
        image = container.get("image", "")
        match = re.match(r"(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com/([^:@]+)", image)
        if match:
            account, region, repository = match.groups()
            yield role, Need("ecr:GetAuthorizationToken", "*", {}, why="ECS logs in to ECR")
            for action in ("ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"):
                yield role, Need(action, f"arn:aws:ecr:{region}:{account}:repository/{repository}", {}, why="ECS pulls the private image")


def _secret_arn(value_from):
    """`arn:aws:secretsmanager:r:a:secret:name-AbCdEf[:json-key:version-stage:version-id]` -> the
    secret's ARN (ECS developer guide, "Pass Secrets Manager secrets through environment variables")."""
    parts = value_from.split(":")
    return ":".join(parts[:7])


def blue_green_shifts(request, state):
    """ECS developer guide, "Amazon ECS infrastructure IAM role for load balancers": for native
    blue/green deployments ECS uses the role to read listeners, rules and target groups
    (elasticloadbalancing:DescribeListeners, DescribeRules, DescribeTargetGroups,
    DescribeTargetHealth), to move traffic (ModifyListener, ModifyRule) and to register tasks
    (RegisterTargets, DeregisterTargets)."""
    if (request.service, request.operation) not in (("ecs", "CreateService"), ("ecs", "UpdateService")):
        return
    for balancer in request.params.get("loadBalancers", []) or []:
        advanced = balancer.get("advancedConfiguration") or {}
        role = _role_name(advanced.get("roleArn"))
        if not role:
            continue
        for action in ("elasticloadbalancing:DescribeListeners", "elasticloadbalancing:DescribeRules", "elasticloadbalancing:DescribeTargetGroups", "elasticloadbalancing:DescribeTargetHealth"):
            yield role, Need(action, "*", {}, why="ECS blue/green reads the load balancer")
        for rule in (advanced.get("productionListenerRule"), advanced.get("testListenerRule")):
            if rule:
                yield role, Need("elasticloadbalancing:ModifyRule", rule, {}, why="ECS blue/green shifts traffic")
        for group in (balancer.get("targetGroupArn"), advanced.get("alternateTargetGroupArn")):
            if group:
                for action in ("elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"):
                    yield role, Need(action, group, {}, why="ECS blue/green registers tasks")


def lambda_runs(request, state):
    """Lambda developer guide, "Lambda execution role" and "Giving Lambda functions access to
    resources in an Amazon VPC": the execution role lets Lambda create the function's log group
    when it is missing (only then: a group made before the function needs no CreateLogGroup) and
    write its streams (logs:CreateLogGroup, logs:CreateLogStream,
    logs:PutLogEvents on /aws/lambda/<name>) and, for a VPC function, manage its network
    interfaces: ec2:CreateNetworkInterface in its subnets with its security groups,
    ec2:DescribeNetworkInterfaces (on "*" only), ec2:DeleteNetworkInterface,
    ec2:AssignPrivateIpAddresses and ec2:UnassignPrivateIpAddresses on the interfaces."""
    if (request.service, request.operation) != ("lambda", "CreateFunction"):
        return
    role = _role_name(request.params.get("Role"))
    name = request.params.get("FunctionName")
    if not role or not name:
        return
    group = f"/aws/lambda/{name}"
    if name not in state.functions_with_their_group:
        yield role, Need("logs:CreateLogGroup", _group(state, request.region, group), {}, why="Lambda creates the function's log group")
    for action in ("logs:CreateLogStream", "logs:PutLogEvents"):
        yield role, Need(action, _stream(state, request.region, group, LAMBDA_LOG_STREAM), {}, why="Lambda writes the function's logs")
    vpc = request.params.get("VpcConfig") or {}
    if not vpc.get("SubnetIds"):
        return
    ec2 = f"arn:aws:ec2:{request.region}:{state.account}"
    interface = f"{ec2}:network-interface/{LAMBDA_INTERFACE}"
    resources = [interface]
    resources += [f"{ec2}:subnet/{subnet}" for subnet in vpc.get("SubnetIds", [])]
    resources += [f"{ec2}:security-group/{group}" for group in vpc.get("SecurityGroupIds", [])]
    for resource in resources:
        yield role, Need("ec2:CreateNetworkInterface", resource, {}, why="Lambda makes the function's network interface")
    yield role, Need("ec2:DescribeNetworkInterfaces", "*", {}, why="Lambda finds the function's network interfaces")
    for action in ("ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"):
        yield role, Need(action, interface, {}, why="Lambda manages the function's network interface")


def api_runs(request, state):
    """What the API itself does with the task role, as the README promises it (the service row of
    "The components": our contract with the application, not an AWS behaviour): it reads the
    secrets its task definition names and decrypts them through Secrets Manager, reads its API keys
    from the secret `API_KEYS_SECRET_ARN` names (README, "API keys": both versions, by stage), logs
    in to Aurora as `catalog_app` with IAM authentication, connects to its Redis replication group
    as the group's `-app` user, and publishes metrics to its own namespace `catalog-api-<suffix>`."""
    if (request.service, request.operation) != ("ecs", "RegisterTaskDefinition"):
        return
    role = _role_name(request.params.get("taskRoleArn"))
    if not role:
        return
    suffix = role.split("role-ecs-task-", 1)[-1]
    for container in request.params.get("containerDefinitions", []):
        read = [_secret_arn(secret.get("valueFrom", "")) for secret in container.get("secrets", [])]
        read += [
            state.secret_arns.get(variable.get("value", ""), variable.get("value", ""))
            for variable in container.get("environment", [])
            if variable.get("name") == "API_KEYS_SECRET_ARN"
        ]
        for arn in read:
            yield role, Need("secretsmanager:GetSecretValue", arn, {}, why="the API reads its secret")
            key = state.secret_keys.get(arn)
            if key:
                context = {"kms:ViaService": f"secretsmanager.{request.region}.amazonaws.com", "kms:CallerAccount": state.account}
                yield role, Need("kms:Decrypt", state.key_arn(key), context, why="the API's secret is decrypted")
    resource_id = state.cluster_resource_ids.get(f"aurora-{suffix}")
    if resource_id:
        yield role, Need("rds-db:connect", f"arn:aws:rds-db:{request.region}:{state.account}:dbuser:{resource_id}/catalog_app", {}, why="the API logs in to Aurora with IAM")
    group = f"redis-{suffix}"
    for resource in (f"replicationgroup:{group}", f"user:{group}-app"):
        yield role, Need("elasticache:Connect", f"arn:aws:elasticache:{request.region}:{state.account}:{resource}", {}, why="the API connects to Redis")
    yield role, Need("cloudwatch:PutMetricData", "*", {"cloudwatch:namespace": f"catalog-api-{suffix}"}, why="the API publishes its metrics")


def state_machine_runs(request, state):
    """Step Functions developer guide, "How Step Functions works with IAM" and "IAM policies for
    starting Step Functions workflow executions" (the .sync pattern): the role invokes each Lambda
    task's function, starts a nested state machine, follows and stops its executions, and manages
    the EventBridge rule StepFunctionsGetEventsForStepFunctionsExecutionRule."""
    if (request.service, request.operation) not in (("stepfunctions", "CreateStateMachine"), ("stepfunctions", "UpdateStateMachine")):
        return
    role = _role_name(request.params.get("roleArn"))
    definition = request.params.get("definition")
    if not role or not definition:
        return
    for task in _tasks(json.loads(definition)):
        resource = task.get("Resource", "")
        if resource.startswith("arn:aws:lambda:"):
            yield role, Need("lambda:InvokeFunction", resource, {}, why="the state machine invokes its task")
        elif resource.startswith("arn:aws:states:::states:startExecution"):
            target = task.get("Parameters", task.get("Arguments", {})).get("StateMachineArn")
            yield role, Need("states:StartExecution", target, {}, why="the state machine starts the nested workflow")
            if resource.endswith(".sync") or ".sync:" in resource:
                executions = target.replace(":stateMachine:", ":execution:") + ":example"
                for action in ("states:DescribeExecution", "states:StopExecution"):
                    yield role, Need(action, executions, {}, why="the .sync pattern follows the nested execution")
                rule = f"arn:aws:events:{request.region}:{state.account}:rule/StepFunctionsGetEventsForStepFunctionsExecutionRule"
                for action in ("events:PutTargets", "events:PutRule", "events:DescribeRule"):
                    yield role, Need(action, rule, {}, why="the .sync pattern learns of the end through EventBridge")


def _tasks(machine):
    for state in machine.get("States", {}).values():
        if state.get("Type") == "Task":
            yield state
        for branch in state.get("Branches", []):
            yield from _tasks(branch)
        if "Iterator" in state:
            yield from _tasks(state["Iterator"])
        if "ItemProcessor" in state:
            yield from _tasks(state["ItemProcessor"])


def schedule_runs(request, state):
    """EventBridge Scheduler user guide, "Set up the execution role": the schedule's role invokes its
    target (lambda:InvokeFunction for a Lambda target)."""
    if (request.service, request.operation) not in (("scheduler", "CreateSchedule"), ("scheduler", "UpdateSchedule")):
        return
    target = request.params.get("Target") or {}
    role = _role_name(target.get("RoleArn"))
    if role and target.get("Arn", "").startswith("arn:aws:lambda:"):
        yield role, Need("lambda:InvokeFunction", target["Arn"], {}, why="the schedule invokes its target")


GENERATORS = [flow_log_deliveries, task_starts, api_runs, blue_green_shifts, lambda_runs, state_machine_runs, schedule_runs]


def service_needs(state, recording):
    """(role, Need, identity documents, boundary, caller) for every call a service makes with a
    role the recording configured; the role's policies are read as they stood while the environment lived (Role.last_inline)."""
    seen = set()
    for request in recording:
        if not request.succeeded:
            continue
        for generator in GENERATORS:
            for role, need in generator(request, state) or ():
                key = (role, need.action, need.resource)
                if key in seen:
                    continue
                seen.add(key)
                found = state.roles.get(role)
                documents = list(found.last_inline.values()) if found else []
                boundary = state.managed_policies.get(found.boundary) if found and found.boundary else None
                caller = {"arn": found.arn if found else None, "account_root": f"arn:aws:iam::{state.account}:root"}
                yield role, with_resource_tags(need, state), documents, boundary, caller
