"""IAM policy evaluation, for the parts of the policy language the project's documents use.

Follows the IAM user guide, "Policy evaluation logic" (an explicit Deny wins; otherwise an Allow is
needed, from the identity policy and, when the role has one, its permissions boundary too) and "IAM
JSON policy elements" (Action/NotAction and Resource/NotResource with `*` and `?` wildcards, actions
case-insensitive, resources case-sensitive; condition blocks AND-ed across operators and keys, OR-ed
across a key's values; `...IfExists`; `ForAllValues:` / `ForAnyValue:`; negated operators true when
the key is absent; `Null`). Anything else in a document (a policy variable, an operator not listed) is
an error rather than a guess, so a check can never pass by misreading a policy.
"""

import re
from dataclasses import dataclass, field


class Unsupported(ValueError):
    """A policy uses something this evaluator does not model."""


@dataclass
class Need:
    """One authorization AWS makes for a request: an action on a resource, with the request context."""

    action: str
    resource: str  # an ARN, or "*" for an action that has no resource types
    context: dict = field(default_factory=dict)  # condition key (any case) -> str | list[str] | bool
    why: str = ""

    def key(self):
        return (self.action.lower(), self.resource)


def _listed(value):
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _wildcard(pattern, text, case_sensitive):
    if "${" in pattern:
        raise Unsupported(f"policy variables are not modelled: {pattern}")
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    flags = 0 if case_sensitive else re.IGNORECASE
    return re.fullmatch(regex, text, flags | re.DOTALL) is not None


def action_matches(patterns, action):
    return any(_wildcard(p, action, case_sensitive=False) for p in _listed(patterns))


def resource_matches(patterns, resource):
    return any(_wildcard(p, resource, case_sensitive=True) for p in _listed(patterns))


def _string_equals(policy, value):
    return policy == value


def _string_equals_ignore_case(policy, value):
    return policy.lower() == value.lower()


def _string_like(policy, value):
    return _wildcard(policy, value, case_sensitive=True)


def _arn_like(policy, value):
    # ARN operators compare each of the six colon-separated parts (IAM user guide, "ARN condition
    # operators"); a wildcard match of the whole string gives the same answer for the ARNs used here
    # as long as both have six parts.
    if value.count(":") < 5:
        return False
    return _wildcard(policy, value, case_sensitive=True)


def _bool(policy, value):
    return str(policy).lower() == str(value).lower()


BASE_OPERATORS = {
    "StringEquals": (_string_equals, False),
    "StringNotEquals": (_string_equals, True),
    "StringEqualsIgnoreCase": (_string_equals_ignore_case, False),
    "StringNotEqualsIgnoreCase": (_string_equals_ignore_case, True),
    "StringLike": (_string_like, False),
    "StringNotLike": (_string_like, True),
    "ArnEquals": (_string_equals, False),
    "ArnNotEquals": (_string_equals, True),
    "ArnLike": (_arn_like, False),
    "ArnNotLike": (_arn_like, True),
    "Bool": (_bool, False),
}


def _context_value(context, key):
    lowered = key.lower()
    for name, value in context.items():
        if name.lower() == lowered:
            return value
    return None


def condition_holds(operator, key, policy_values, context):
    policy_values = [str(v) if not isinstance(v, bool) else str(v).lower() for v in _listed(policy_values)]
    present = _context_value(context, key)
    if operator == "Null":
        absent = present is None or present == []
        return any((absent and v == "true") or (not absent and v == "false") for v in policy_values)
    qualifier = None
    if ":" in operator:
        qualifier, operator = operator.split(":", 1)
        if qualifier not in ("ForAllValues", "ForAnyValue"):
            raise Unsupported(f"condition operator qualifier {qualifier}")
    if_exists = operator.endswith("IfExists")
    base = operator[: -len("IfExists")] if if_exists else operator
    if base not in BASE_OPERATORS:
        raise Unsupported(f"condition operator {operator}")
    compare, negated = BASE_OPERATORS[base]
    values = [str(v).lower() if isinstance(v, bool) else str(v) for v in _listed(present)]
    if qualifier == "ForAllValues":
        # True when every value of the request's key matches one of the policy's (vacuously true
        # when the key is absent or empty).
        return all(any(compare(p, v) for p in policy_values) != negated for v in values)
    if qualifier == "ForAnyValue":
        return any(any(compare(p, v) for p in policy_values) != negated for v in values)
    if present is None:
        return if_exists or negated
    if len(values) != 1:
        raise Unsupported(f"{operator} on the multivalued key {key} needs ForAllValues or ForAnyValue")
    matched = any(compare(p, values[0]) for p in policy_values)
    return matched != negated


def conditions_hold(condition, context):
    for operator, keys in (condition or {}).items():
        for key, values in keys.items():
            if not condition_holds(operator, key, values, context):
                return False
    return True


SUPPORTED_ELEMENTS = {"Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Condition", "Principal"}


def statement_applies(statement, need):
    unknown = set(statement) - SUPPORTED_ELEMENTS
    if unknown:
        raise Unsupported(f"statement elements {sorted(unknown)}")
    if "Action" in statement:
        if not action_matches(statement["Action"], need.action):
            return False
    elif "NotAction" in statement:
        if action_matches(statement["NotAction"], need.action):
            return False
    else:
        raise Unsupported("a statement without Action or NotAction")
    if "Resource" in statement:
        if not resource_matches(statement["Resource"], need.resource):
            return False
    elif "NotResource" in statement:
        if resource_matches(statement["NotResource"], need.resource):
            return False
    elif "Principal" not in statement:
        raise Unsupported("an identity policy statement without Resource or NotResource")
    return conditions_hold(statement.get("Condition"), need.context)


def statements(document):
    return _listed(document.get("Statement"))


def decide(documents, need):
    """'Allow', 'Deny' (explicit) or 'ImplicitDeny' for one need under a set of identity documents."""
    allowed = False
    for document in documents:
        for statement in statements(document):
            if not statement_applies(statement, need):
                continue
            if statement["Effect"] == "Deny":
                return "Deny"
            if statement["Effect"] == "Allow":
                allowed = True
    return "Allow" if allowed else "ImplicitDeny"


def principal_matches(principal, caller):
    """Whether a resource policy's Principal names the caller: {"AWS": role ARN or account root},
    {"Service": name}, or "*"."""
    if principal == "*":
        return True
    for kind, values in principal.items():
        for value in _listed(values):
            if kind == "Service" and caller.get("service") == value:
                return True
            if kind == "AWS" and value in (caller.get("arn"), "*"):
                return True
    return False


def resource_policy_decision(document, caller, need):
    """What a resource-based policy (a KMS key policy) says for a caller: 'Allow' (it grants the
    caller itself), 'Delegated' (it grants the caller's account root, so identity policies decide),
    'Deny', or 'ImplicitDeny'."""
    result = "ImplicitDeny"
    for statement in statements(document):
        if not statement_applies(statement, need):
            continue
        principal = statement.get("Principal", {})
        anyone = principal == "*"
        aws = [] if anyone else _listed(principal.get("AWS"))
        names_caller = principal_matches(principal, caller)
        names_root = not anyone and caller.get("account_root") in aws
        if statement["Effect"] == "Deny" and (names_caller or names_root):
            return "Deny"
        if statement["Effect"] == "Allow":
            if anyone or (caller.get("arn") is not None and caller.get("arn") in aws):
                result = "Allow"
            elif names_caller and "Service" in principal:
                result = "Allow"
            elif names_root and result != "Allow":
                result = "Delegated"
    return result


def document_actions(document):
    """Every action an Allow statement names (patterns as written)."""
    names = []
    for statement in statements(document):
        if statement.get("Effect") == "Allow":
            names.extend(_listed(statement.get("Action")))
    return names


def without_action(document, action):
    """A copy of a document with one action taken out of every statement that names it (a
    statement left with none is dropped): how a test proves each action is needed."""
    copy = {**document, "Statement": []}
    for statement in statements(document):
        actions = [a for a in _listed(statement.get("Action")) if a.lower() != action.lower()]
        if "Action" in statement and not actions:
            continue
        copy["Statement"].append({**statement, **({"Action": actions} if "Action" in statement else {})})
    return copy


__all__ = [
    "Need",
    "Unsupported",
    "decide",
    "resource_policy_decision",
    "document_actions",
    "without_action",
]
