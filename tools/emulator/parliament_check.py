"""Lints IAM policy documents with parliament (PyPI), the way its CLI does, for the tests.

Reads a JSON list of {"name": ..., "document": {...}} on stdin and prints one JSON line per finding
above LOW ({"name", "issue", "severity", "detail"}); prints nothing when every document is clean.
"""

import json
import sys

from parliament import analyze_policy_string, enhance_finding

ABOVE_LOW = {"MEDIUM", "HIGH", "CRITICAL"}


def main() -> None:
    for entry in json.load(sys.stdin):
        policy = analyze_policy_string(json.dumps(entry["document"]))
        for finding in policy.findings:
            finding = enhance_finding(finding)
            if finding.severity in ABOVE_LOW:
                print(json.dumps({
                    "name": entry["name"],
                    "issue": finding.issue,
                    "severity": finding.severity,
                    "detail": str(finding.detail),
                }))


if __name__ == "__main__":
    main()
