"""Everything AWS authorizes for one recorded request, as a list of Needs (action, resource ARN,
request context).

1. The operation's own action on each resource type the Service Authorization Reference lists for
   it (required types must be found in the request, optional ones are checked when present), with
   the condition keys the SAR lists for that type filled from the request (aws:RequestTag/*,
   aws:TagKeys on what it creates; aws:ResourceTag/* from the resource's tags; service keys).
2. The dependent actions the SAR lists, unless rules.DEPENDENT says why they do not apply to our
   parameters.
3. The tagging action when tags are given at creation (rules.TAG_ON_CREATE).
4. The actions the service guides name for our parameters, and service-linked roles
   (rules.EXTRA).
"""

from dataclasses import dataclass

import rules
import sar
from policy import Need
from wire import find
from resources import CREATED, EC2_CREATED, action_of, resolve, tags_of

PASSED_TO = {
    # (IAM prefix, operation) -> [(member path, service the role is passed to)]
    ("ec2", "CreateFlowLogs"): [(("DeliverLogsPermissionArn",), "vpc-flow-logs.amazonaws.com")],
    ("lambda", "CreateFunction"): [(("Role",), "lambda.amazonaws.com")],
    ("lambda", "UpdateFunctionConfiguration"): [(("Role",), "lambda.amazonaws.com")],
    ("ecs", "RegisterTaskDefinition"): [(("executionRoleArn",), "ecs-tasks.amazonaws.com"), (("taskRoleArn",), "ecs-tasks.amazonaws.com")],
    ("ecs", "CreateService"): [(("loadBalancers", "*", "advancedConfiguration", "roleArn"), "ecs.amazonaws.com")],
    ("ecs", "UpdateService"): [(("loadBalancers", "*", "advancedConfiguration", "roleArn"), "ecs.amazonaws.com")],
    ("states", "CreateStateMachine"): [(("roleArn",), "states.amazonaws.com")],
    ("states", "UpdateStateMachine"): [(("roleArn",), "states.amazonaws.com")],
    ("scheduler", "CreateSchedule"): [(("Target", "RoleArn"), "scheduler.amazonaws.com")],
    ("scheduler", "UpdateSchedule"): [(("Target", "RoleArn"), "scheduler.amazonaws.com")],
}


# Actions AWS never authorizes (STS API reference, GetCallerIdentity: "No permissions are required
# to perform this operation").
UNAUTHORIZED = {"sts:GetCallerIdentity"}


class Unresolved(ValueError):
    """A required resource of an action could not be found in the request: the model has a gap."""


@dataclass
class Outcome:
    needs: list
    created: dict  # ARN -> resource type, for the tags the call gives
    absent: bool = False  # the request named something that does not exist


def _at(value, path):
    values = [value]
    for step in path:
        next_values = []
        for item in values:
            if step == "*":
                next_values.extend(item if isinstance(item, list) else [])
            elif isinstance(item, dict) and item.get(step) is not None:
                next_values.append(item[step])
        values = next_values
    return [v for v in values if isinstance(v, str) and v]


def passed_roles(request, prefix):
    roles = []
    for path, service in PASSED_TO.get((prefix, request.operation), []):
        for arn in _at(request.params, path):
            roles.append((arn, service))
    return roles


def _context(request, state, keys, arn, creates):
    context = {"aws:RequestedRegion": request.region}
    keys = set(keys)
    tags = tags_of(request.params)
    if creates is not None and "aws:RequestTag/${TagKey}" in keys:
        given = tags.get(creates, tags.get("", {}))
        for key, value in given.items():
            context[f"aws:RequestTag/{key}"] = value
        context["aws:TagKeys"] = list(given)
    if "aws:ResourceTag/${TagKey}" in keys and creates is None:
        for key, value in state.tags.get(arn, {}).items():
            context[f"aws:ResourceTag/{key}"] = value
    if "iam:PermissionsBoundary" in keys:
        if request.operation == "CreateRole":
            boundary = request.params.get("PermissionsBoundary")
        else:
            role = state.roles.get(request.params.get("RoleName"))
            boundary = role.boundary if role else None
        if boundary:
            context["iam:PermissionsBoundary"] = boundary
    if "application-autoscaling:service-namespace" in keys and request.params.get("ServiceNamespace"):
        context["application-autoscaling:service-namespace"] = request.params["ServiceNamespace"]
    if "application-autoscaling:scalable-dimension" in keys and request.params.get("ScalableDimension"):
        context["application-autoscaling:scalable-dimension"] = request.params["ScalableDimension"]
    # Service Authorization Reference, AWS Lambda, condition keys: lambda:Principal filters
    # AddPermission by the principal the statement is for, the request's Principal.
    if "lambda:Principal" in keys and request.params.get("Principal"):
        context["lambda:Principal"] = request.params["Principal"]
    if request.service == "route53" and request.operation == "ChangeResourceRecordSets":
        context.update(_record_set_keys(request))
    return context


def _record_set_keys(request):
    """Route 53 developer guide, "Using IAM policy conditions for fine-grained access control":
    names are lowercased, without the trailing dot."""
    changes = request.params.get("ChangeBatch", {}).get("Changes", {})
    items = changes.get("Change") if isinstance(changes, dict) else changes
    items = items if isinstance(items, list) else [items]
    names, types, actions = [], [], []
    for change in items:
        record = change.get("ResourceRecordSet", {})
        names.append(record.get("Name", "").rstrip(".").lower())
        types.append(record.get("Type", ""))
        actions.append(change.get("Action", ""))
    return {
        "route53:ChangeResourceRecordSetsNormalizedRecordNames": names,
        "route53:ChangeResourceRecordSetsRecordTypes": types,
        "route53:ChangeResourceRecordSetsActions": actions,
    }


def _creates(request, prefix, resource_type, use):
    """The tag set name a created resource of this type takes its tags from ("" = the request's
    tags), or None when the call does not create it."""
    if prefix == "ec2":
        created = EC2_CREATED.get(request.operation)
        return resource_type if created and created[0] == resource_type else None
    if CREATED.get((prefix, request.operation)) == resource_type and not _names_existing(request):
        return ""
    return None


def _names_existing(request):
    """A create that names an existing resource instead (ACM's reimport under CertificateArn)."""
    return request.operation == "ImportCertificate" and bool(request.params.get("CertificateArn"))


def needs_of(request, state):
    action = action_of(request)
    if not sar.exists(action):
        raise Unresolved(f"request {request.index}: {action} is not an action the Service Authorization Reference defines")
    prefix = action.split(":")[0]
    if action in UNAUTHORIZED:
        return Outcome(needs=[], created={})
    uses = sar.resource_uses(action)
    action_wide = next((u for u in uses if not u.resource_type), None)
    wide_keys = action_wide.condition_keys if action_wide else ()
    needs = []
    created = {}
    resources = {}
    for use in uses:
        if not use.resource_type:
            continue
        arns = resolve(prefix, use.resource_type, request, state)
        if not arns:
            if _absent(request):
                # Nothing exists to authorize against: AWS answers "not found".
                return Outcome(needs=[], created={}, absent=True)
            involved, _source = rules.INVOLVED.get((action, use.resource_type), (None, None))
            if use.required and involved is not None and not involved(request):
                continue
            if use.required and not _alternative_resolved(prefix, use.resource_type, uses, request, state):
                raise Unresolved(f"request {request.index} ({request.principal} {request.operation}): no {prefix} {use.resource_type} found in {sorted(request.params)}")
            continue
        creates = _creates(request, prefix, use.resource_type, use)
        resources[use.resource_type] = arns
        for arn in arns:
            keys = use.condition_keys + sar.resource_condition_keys(prefix, use.resource_type) + wide_keys
            needs.append(Need(action, arn, _context(request, state, keys, arn, creates), why="the operation"))
            if creates is not None and request.succeeded:
                created[arn] = creates
    # A create whose action names no resource type (ACM's RequestCertificate, KMS's CreateKey)
    # still makes a resource, tagged as the request says.
    made = CREATED.get((prefix, request.operation))
    if made and request.succeeded and not any(u.resource_type == made for u in uses):
        for arn in resolve(prefix, made, request, state) or []:
            created.setdefault(arn, "")
    if not needs:
        needs.append(Need(action, "*", _context(request, state, wide_keys, "*", "" if "aws:RequestTag/${TagKey}" in wide_keys else None), why="the operation (no resource types)"))
    needs.extend(_dependents(request, state, action, prefix, uses, resources, created))
    needs.extend(_tag_on_create(request, state, action, prefix, needs, created))
    for extra in rules.EXTRA:
        needs.extend(extra(request, state))
    for arn, service in passed_roles(request, prefix):
        needs.append(Need("iam:PassRole", arn, {"iam:PassedToService": service}, why=f"the role is passed to {service}"))
    return Outcome(needs=_unique([with_resource_tags(need, state) for need in needs]), created=created)


def with_resource_tags(need, state):
    """An existing resource's tags are in the context of every action on it (IAM user guide,
    "aws:ResourceTag"), whichever rule added the need; a need about a resource being created
    carries the request's tags instead."""
    if any(key.startswith("aws:RequestTag/") for key in need.context) or need.resource not in state.tags:
        return need
    context = dict(need.context)
    for key, value in state.tags[need.resource].items():
        context.setdefault(f"aws:ResourceTag/{key}", value)
    return Need(need.action, need.resource, context, need.why)


def _alternative_resolved(prefix, resource_type, uses, request, state):
    """The SAR marks alternatives both required (ELB: `listener/app*` and `listener/net*`): a
    request acts on one kind, so one found is enough."""
    family = resource_type.split("/")[0]
    siblings = [u.resource_type for u in uses if u.resource_type != resource_type and u.resource_type.split("/")[0] == family and "/" in u.resource_type]
    return any(resolve(prefix, sibling, request, state) for sibling in siblings)


def _absent(request):
    """A request AWS answered 'not found' for a resource only named by reference (an alias that
    does not exist yet): there is nothing to authorize against, and AWS answers not found."""
    return request.status in (400, 404) and any(
        word in json_text(request.response) for word in ("NotFound", "NoSuch", "does not exist")
    )


def json_text(data):
    import json

    return json.dumps(data) if data is not None else ""


def _dependents(request, state, action, prefix, uses, resources, created):
    needs = []
    for use in uses:
        for dependent in use.dependent_actions:
            applies, _source = rules.DEPENDENT.get((action, dependent), (None, None))
            # A tagging action of the same service tags what the call creates; another service's
            # (RDS's secretsmanager:TagResource) follows its own rule below.
            if dependent in rules.TAGGING_ACTIONS and dependent.split(":")[0] == prefix:
                if not rules.has_tags(request):
                    continue
                create_key = rules.TAGGING_ACTIONS[dependent]
                if not sar.has_resource_types(dependent) or not sar.has_resource_types(action):
                    # A create whose own action has no resource type (KMS CreateKey, ACM
                    # RequestCertificate) is authorized before the resource exists, on "*", and
                    # so is the tagging it implies (KMS developer guide, "Controlling access to
                    # tags": tagging while creating needs a permission "that isn't restricted to
                    # particular KMS keys").
                    targets = {"*": ""}
                else:
                    targets = dict(created) or {arn: "" for arn in resources.get(use.resource_type, [])} or {"*": ""}
                for arn, tag_set in targets.items():
                    context = {"aws:RequestedRegion": request.region}
                    context.update(_context(request, state, ("aws:RequestTag/${TagKey}",), arn, tag_set))
                    if create_key:
                        context[create_key] = request.operation
                    needs.append(Need(dependent, arn, context, why=f"tags given to {request.operation}"))
                continue
            if applies is not None and not applies(request):
                continue
            if dependent == "iam:PassRole":
                continue  # passed roles are named by the request's members (PASSED_TO)
            needs.extend(_dependent_on_own_resources(request, state, dependent, use, resources))
    return needs


def _serverless_endpoint(dependent, request, state):
    """ElastiCache makes a serverless cache's VPC endpoint in the caller's account with the caller's
    permissions: the SAR lists these ec2 actions as CreateServerlessCache's dependent actions, and
    AmazonElastiCacheFullAccess grants ec2:CreateVpcEndpoint on `vpc-endpoint/*` for it (AWS
    managed policy reference). The endpoint's id is not known before it exists, so the need is on
    any of the account's endpoints; CreateVpcEndpoint also acts on the subnets and security groups
    the request names. The Describe actions take no resource type and are needed on "*" anyway."""
    if not sar.has_resource_types(dependent):
        return []

    def arns(resource_type, ids):
        variable = sar.VARIABLE.findall(sar.arn_format("ec2", resource_type))[-1]
        return [state.arn("ec2", resource_type, request.region, **{variable: i}) for i in ids]

    needed = arns("vpc-endpoint", ["*"])
    if dependent == "ec2:CreateVpcEndpoint":
        for member, resource_type in (("SubnetIds", "subnet"), ("SecurityGroupIds", "security-group")):
            value = request.params.get(member)
            ids = value if isinstance(value, list) else [value] if value else []
            needed += arns(resource_type, [str(i) for i in ids])
    return needed


def _dependent_on_own_resources(request, state, dependent, use, resources):
    """A dependent action, on the resources the SAR types of its own name in this request, else on
    the resource of the row that lists it, else "*"."""
    dep_prefix = dependent.split(":")[0]
    dep_uses = [u for u in sar.resource_uses(dependent) if u.resource_type]
    arns = []
    if dep_prefix == "secretsmanager" and request_prefix(request) == "rds":
        # The master secret RDS creates and tags (named `rds!…`), as its answer gives it.
        arns = [str(arn) for arn in find(request.response, "SecretArn")]
    if dep_prefix == "ec2" and request.operation == "CreateServerlessCache":
        arns = _serverless_endpoint(dependent, request, state)
    for dep_use in dep_uses if not arns else []:
        arns.extend(resolve(dep_prefix, dep_use.resource_type, request, state) or [])
    if not arns and dep_prefix == "kms":
        key = request.params.get("KmsKeyId") or request.params.get("MasterUserSecretKmsKeyId") or request.params.get("PerformanceInsightsKMSKeyId")
        if key:
            arns = [state.key_arn(key)]
    if not arns and not dep_uses:
        arns = ["*"]
    if not arns:
        arns = resources.get(use.resource_type) if dep_prefix == request_prefix(request) else None
    if not arns:
        raise Unresolved(f"request {request.index} ({request.principal} {request.operation}): the dependent action {dependent} names no resource found in the request")
    context = {"aws:RequestedRegion": request.region}
    if dep_prefix == "kms":
        context["kms:ViaService"] = f"{request_prefix(request)}.{request.region}.amazonaws.com"
        context["kms:CallerAccount"] = state.account
        if dependent == "kms:CreateGrant":
            context["kms:GrantIsForAWSResource"] = True
    return [Need(dependent, arn, dict(context), why=f"a dependent action of {request.operation}") for arn in arns]


def request_prefix(request):
    from resources import IAM_PREFIX

    return IAM_PREFIX[request.service]


def _tag_on_create(request, state, action, prefix, needs, created):
    entry = rules.TAG_ON_CREATE.get((prefix, request.operation))
    if entry is None or not rules.has_tags(request):
        return []
    tag_action, create_key, _source = entry
    if sar.has_resource_types(tag_action) and sar.has_resource_types(action):
        targets = list(created) or [n.resource for n in needs if n.action == action and n.resource != "*"] or ["*"]
    else:
        targets = ["*"]
    out = []
    for arn in targets:
        context = _context(request, state, ("aws:RequestTag/${TagKey}",), arn, "")
        if create_key:
            context[create_key] = request.operation
        out.append(Need(tag_action, arn, context, why=f"tags given to {request.operation}"))
    return out


def _unique(needs):
    seen = {}
    for need in needs:
        seen.setdefault((need.action.lower(), need.resource, repr(sorted(need.context.items(), key=str))), need)
    return list(seen.values())
