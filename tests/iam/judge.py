"""Judges IAM documents with cloudsplaining (PyPI), the way its `scan-policy-file` does, plus one
rule of ours: no `"*"` resource for an action the Service Authorization Reference lets a Resource
element narrow.

Reads a JSON list of {"name": ..., "document": {...}} on stdin; prints one JSON object mapping each
name to its findings: {"PrivilegeEscalation": [...], "DataExfiltration": [...], "ResourceExposure":
[...], "CredentialsExposure": [...], "InfrastructureModification": [...], "ScopableOnStar": [...]}.
"""

import json
import sys

from cloudsplaining.output.policy_finding import PolicyFinding
from cloudsplaining.scan.policy_document import PolicyDocument

import sar


def scopable_on_star(document):
    """Actions allowed on "*" although they have a resource type to name instead."""
    found = []
    for statement in document.get("Statement", []):
        resources = statement.get("Resource", [])
        resources = resources if isinstance(resources, list) else [resources]
        if statement.get("Effect") != "Allow" or "*" not in resources:
            continue
        actions = statement.get("Action", [])
        for action in actions if isinstance(actions, list) else [actions]:
            if sar.exists(action) and sar.has_resource_types(action):
                found.append(action)
    return sorted(found)


def judge(document):
    finding = PolicyFinding(PolicyDocument(document))
    infrastructure = finding.missing_resource_constraints_for_modify_actions
    return {
        "PrivilegeEscalation": [e["type"] for e in finding.privilege_escalation],
        "DataExfiltration": finding.data_exfiltration,
        "ResourceExposure": finding.resource_exposure,
        "CredentialsExposure": finding.credentials_exposure,
        # Only actions with no resource type may remain here (they cannot be scoped).
        "InfrastructureModification": sorted(a for a in infrastructure if sar.exists(a) and sar.has_resource_types(a)),
        "ScopableOnStar": scopable_on_star(document),
    }


def main():
    entries = json.load(sys.stdin)
    json.dump({entry["name"]: judge(entry["document"]) for entry in entries}, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
