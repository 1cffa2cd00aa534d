"""Tests of the offline IAM check itself: a checker that allowed too much would prove nothing.

Run with `python -m unittest discover -s tests/iam` (the Rust integration test
`permissions::the_iam_checker_passes_its_own_tests` does).
"""

import json
import unittest

import policy
import resources
import services
import wire
from needs import Unresolved, needs_of
from policy import Need

ACCOUNT = "123456789012"


def doc(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action, resource="*", condition=None, **extra):
    statement = {"Effect": "Allow", "Action": action, "Resource": resource, **extra}
    if condition:
        statement["Condition"] = condition
    return statement


class PolicyEvaluation(unittest.TestCase):
    def test_actions_match_case_insensitively_with_wildcards_resources_case_sensitively(self):
        d = doc(allow("ec2:Describe*", "*"), allow("s3:GetObject", "arn:aws:s3:::bucket/*"))
        self.assertEqual(policy.decide([d], Need("EC2:describevpcs", "*")), "Allow")
        self.assertEqual(policy.decide([d], Need("ec2:CreateVpc", "*")), "ImplicitDeny")
        self.assertEqual(policy.decide([d], Need("s3:GetObject", "arn:aws:s3:::bucket/a/b")), "Allow")
        self.assertEqual(policy.decide([d], Need("s3:GetObject", "arn:aws:s3:::Bucket/a")), "ImplicitDeny")

    def test_a_specific_resource_does_not_cover_an_action_without_resource_types(self):
        d = doc(allow("ec2:DescribeVpcs", "arn:aws:ec2:us-west-2:123456789012:vpc/*"))
        self.assertEqual(policy.decide([d], Need("ec2:DescribeVpcs", "*")), "ImplicitDeny")

    def test_an_explicit_deny_wins_over_any_allow(self):
        d = doc(allow("iam:*"), {"Effect": "Deny", "Action": "iam:DeleteRolePermissionsBoundary", "Resource": "*"})
        self.assertEqual(policy.decide([d], Need("iam:DeleteRolePermissionsBoundary", "arn:aws:iam::1:role/x")), "Deny")

    def test_not_action_and_not_resource(self):
        d = doc({"Effect": "Allow", "NotAction": "iam:*", "NotResource": "arn:aws:s3:::secret/*"})
        self.assertEqual(policy.decide([d], Need("s3:GetObject", "arn:aws:s3:::public/a")), "Allow")
        self.assertEqual(policy.decide([d], Need("s3:GetObject", "arn:aws:s3:::secret/a")), "ImplicitDeny")
        self.assertEqual(policy.decide([d], Need("iam:GetRole", "arn:aws:s3:::public/a")), "ImplicitDeny")

    def test_conditions_and_across_keys_or_across_values(self):
        condition = {"StringEquals": {"aws:RequestTag/team": ["a", "b"], "aws:RequestedRegion": "us-west-2"}}
        d = doc(allow("ec2:CreateVpc", "*", condition))
        ok = {"aws:RequestTag/team": "b", "aws:RequestedRegion": "us-west-2"}
        self.assertEqual(policy.decide([d], Need("ec2:CreateVpc", "*", ok)), "Allow")
        self.assertEqual(policy.decide([d], Need("ec2:CreateVpc", "*", {**ok, "aws:RequestTag/team": "c"})), "ImplicitDeny")
        self.assertEqual(policy.decide([d], Need("ec2:CreateVpc", "*", {"aws:RequestedRegion": "us-west-2"})), "ImplicitDeny")

    def test_condition_keys_are_case_insensitive_values_are_not(self):
        d = doc(allow("kms:CreateGrant", "*", {"Bool": {"kms:GrantIsForAWSResource": "true"}}))
        self.assertEqual(policy.decide([d], Need("kms:CreateGrant", "*", {"KMS:grantisforawsresource": True})), "Allow")
        self.assertEqual(policy.decide([d], Need("kms:CreateGrant", "*", {"kms:GrantIsForAWSResource": False})), "ImplicitDeny")
        self.assertEqual(policy.decide([d], Need("kms:CreateGrant", "*")), "ImplicitDeny")
        like = doc(allow("s3:GetObject", "*", {"StringLike": {"aws:ResourceTag/env": "pr-*"}}))
        self.assertEqual(policy.decide([like], Need("s3:GetObject", "*", {"aws:ResourceTag/env": "PR-1"})), "ImplicitDeny")

    def test_negated_operators_and_if_exists_hold_when_the_key_is_absent(self):
        negated = doc(allow("s3:PutObject", "*", {"StringNotEquals": {"s3:x-amz-acl": "public-read"}}))
        self.assertEqual(policy.decide([negated], Need("s3:PutObject", "*")), "Allow")
        self.assertEqual(policy.decide([negated], Need("s3:PutObject", "*", {"s3:x-amz-acl": "public-read"})), "ImplicitDeny")
        if_exists = doc(allow("ec2:RunInstances", "*", {"StringEqualsIfExists": {"ec2:InstanceType": "t3.micro"}}))
        self.assertEqual(policy.decide([if_exists], Need("ec2:RunInstances", "*")), "Allow")
        self.assertEqual(policy.decide([if_exists], Need("ec2:RunInstances", "*", {"ec2:InstanceType": "m5.large"})), "ImplicitDeny")

    def test_null_checks_presence(self):
        d = doc(allow("ec2:CreateTags", "*", {"Null": {"aws:RequestTag/team": "false"}}))
        self.assertEqual(policy.decide([d], Need("ec2:CreateTags", "*", {"aws:RequestTag/team": "x"})), "Allow")
        self.assertEqual(policy.decide([d], Need("ec2:CreateTags", "*")), "ImplicitDeny")

    def test_for_all_values_is_vacuous_on_an_absent_key_for_any_value_is_not(self):
        all_values = doc(allow("route53:ChangeResourceRecordSets", "*", {"ForAllValues:StringLike": {"route53:ChangeResourceRecordSetsNormalizedRecordNames": ["_*.example.com"]}}))
        names = "route53:ChangeResourceRecordSetsNormalizedRecordNames"
        self.assertEqual(policy.decide([all_values], Need("route53:ChangeResourceRecordSets", "*", {names: ["_a.example.com", "_b.example.com"]})), "Allow")
        self.assertEqual(policy.decide([all_values], Need("route53:ChangeResourceRecordSets", "*", {names: ["_a.example.com", "www.example.com"]})), "ImplicitDeny")
        self.assertEqual(policy.decide([all_values], Need("route53:ChangeResourceRecordSets", "*")), "Allow")
        any_value = doc(allow("ec2:CreateTags", "*", {"ForAnyValue:StringEquals": {"aws:TagKeys": ["team"]}}))
        self.assertEqual(policy.decide([any_value], Need("ec2:CreateTags", "*", {"aws:TagKeys": ["a", "team"]})), "Allow")
        self.assertEqual(policy.decide([any_value], Need("ec2:CreateTags", "*")), "ImplicitDeny")

    def test_arn_like_needs_an_arn(self):
        d = doc(allow("iam:PassRole", "*", {"ArnLike": {"aws:SourceArn": "arn:aws:states:*:123456789012:stateMachine:*"}}))
        self.assertEqual(policy.decide([d], Need("iam:PassRole", "*", {"aws:SourceArn": "arn:aws:states:us-west-2:123456789012:stateMachine:x"})), "Allow")
        self.assertEqual(policy.decide([d], Need("iam:PassRole", "*", {"aws:SourceArn": "states"})), "ImplicitDeny")

    def test_what_it_does_not_model_is_an_error_not_a_guess(self):
        with self.assertRaises(policy.Unsupported):
            policy.decide([doc(allow("s3:GetObject", "arn:aws:s3:::${aws:username}/*"))], Need("s3:GetObject", "arn:aws:s3:::a/b"))
        with self.assertRaises(policy.Unsupported):
            policy.decide([doc(allow("s3:GetObject", "*", {"DateGreaterThan": {"aws:CurrentTime": "2020-01-01"}}))], Need("s3:GetObject", "*"))
        with self.assertRaises(policy.Unsupported):
            policy.decide([doc({"Effect": "Allow", "Action": "s3:GetObject"})], Need("s3:GetObject", "*"))

    def test_a_key_policy_allows_its_principal_or_delegates_to_the_account(self):
        key = doc(
            {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::1:root"}, "Action": "kms:*", "Resource": "*"},
            {"Effect": "Allow", "Principal": {"Service": "logs.us-west-2.amazonaws.com"}, "Action": "kms:Decrypt*", "Resource": "*"},
        )
        need = Need("kms:Decrypt", "arn:aws:kms:us-west-2:1:key/k")
        caller = {"arn": "arn:aws:iam::1:role/r", "account_root": "arn:aws:iam::1:root"}
        self.assertEqual(policy.resource_policy_decision(key, caller, need), "Delegated")
        self.assertEqual(policy.resource_policy_decision(key, {"service": "logs.us-west-2.amazonaws.com"}, need), "Allow")
        other = {"arn": "arn:aws:iam::2:role/r", "account_root": "arn:aws:iam::2:root"}
        self.assertEqual(policy.resource_policy_decision(key, other, need), "ImplicitDeny")
        direct = doc({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::1:role/r"}, "Action": "kms:Decrypt", "Resource": "*", "Condition": {"StringEquals": {"kms:ViaService": "rds.us-west-2.amazonaws.com"}}})
        self.assertEqual(policy.resource_policy_decision(direct, caller, Need("kms:Decrypt", need.resource, {"kms:ViaService": "rds.us-west-2.amazonaws.com"})), "Allow")
        self.assertEqual(policy.resource_policy_decision(direct, caller, need), "ImplicitDeny")

    def test_a_secrets_resource_policy_denies_all_but_its_readers_whatever_their_identity_policies(self):
        import check

        secret = "arn:aws:secretsmanager:us-west-2:1:secret:secret-db-app-pr-1-AbCdEf"
        state = resources.State(account="1")
        state.secret_arns[secret] = secret
        state.secret_policies[secret] = doc({
            "Effect": "Deny", "Principal": "*", "Action": "secretsmanager:GetSecretValue", "Resource": "*",
            "Condition": {"ArnNotEquals": {"aws:PrincipalArn": ["arn:aws:iam::1:role/reader"]},
                          "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}},
        })
        everything = [doc(allow("secretsmanager:*"))]
        need = Need("secretsmanager:GetSecretValue", secret)
        role = lambda name: {"arn": f"arn:aws:iam::1:role/{name}", "account_root": "arn:aws:iam::1:root"}
        self.assertEqual(check.decide(need, everything, None, role("reader"), state), "Allow")
        self.assertEqual(check.decide(need, everything, None, role("admin"), state), "DeniedBySecretPolicy")
        # What the policy does not name stays the identity policies' to decide.
        self.assertEqual(check.decide(Need("secretsmanager:DeleteSecret", secret), everything, None, role("admin"), state), "Allow")

    def test_dropping_an_action_removes_it_from_every_statement(self):
        d = doc(allow(["kms:CreateKey", "kms:TagResource"]), allow("kms:TagResource", "arn:aws:kms:*:*:key/*"))
        dropped = policy.without_action(d, "kms:tagresource")
        self.assertEqual(dropped["Statement"], [allow(["kms:CreateKey"])])


def entry(principal, signing, body, target=None, status=200, response="", method="POST", path="/", query=""):
    headers = {"CONTENT_TYPE": "application/x-www-form-urlencoded"}
    if target:
        headers["HTTP_X_AMZ_TARGET"] = target
    return {
        "principal": principal,
        "region": "us-west-2",
        "signingName": signing,
        "method": method,
        "path": path,
        "query": query,
        "headers": headers,
        "status": status,
        "body": body,
        "response": response,
    }


class Decoding(unittest.TestCase):
    def test_ec2_query_members_come_back_nested_under_their_api_names(self):
        body = "Action=CreateSubnet&Version=2016-11-15&VpcId=vpc-1&CidrBlock=10.0.0.0%2F20&TagSpecification.1.ResourceType=subnet&TagSpecification.1.Tag.1.Key=catalog%3Aenvironment&TagSpecification.1.Tag.1.Value=pr-1"
        request = wire.decode(0, entry("p", "ec2", body, response="<CreateSubnetResponse><subnet><subnetId>subnet-9</subnetId></subnet></CreateSubnetResponse>"))
        self.assertEqual(request.operation, "CreateSubnet")
        self.assertEqual(request.params["VpcId"], "vpc-1")
        self.assertEqual(request.params["TagSpecifications"], [{"ResourceType": "subnet", "Tags": [{"Key": "catalog:environment", "Value": "pr-1"}]}])
        self.assertEqual(wire.first(request.response, "subnetId"), "subnet-9")

    def test_json_and_rest_requests_name_their_operation(self):
        kms = wire.decode(0, entry("p", "kms", json.dumps({"KeyId": "alias/x"}), target="TrentService.DescribeKey"))
        self.assertEqual((kms.service, kms.operation, kms.params), ("kms", "DescribeKey", {"KeyId": "alias/x"}))
        get = wire.decode(1, entry("p", "lambda", "", method="GET", path="/2015-03-31/functions/rotation-pr-1"))
        self.assertEqual((get.operation, get.params["FunctionName"]), ("GetFunction", "rotation-pr-1"))
        tagging = wire.decode(2, entry("p", "s3", "<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Tagging>", method="PUT", path="/alb-logs-pr-1", query="tagging"))
        self.assertEqual(tagging.operation, "PutBucketTagging")
        self.assertEqual(tagging.params["Bucket"], "alb-logs-pr-1")

    def test_an_unknown_service_is_an_error(self):
        with self.assertRaises(ValueError):
            wire.decode(0, entry("p", "dynamodb", "{}", target="DynamoDB_20120810.ListTables"))


class Teardown(unittest.TestCase):
    def recording(self, *steps):
        from urllib.parse import urlencode

        trust = json.dumps(doc({"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}))
        policy = json.dumps(doc(allow("secretsmanager:GetRandomPassword")))
        iam = {
            "create": {"Action": "CreateRole", "RoleName": "r", "AssumeRolePolicyDocument": trust},
            "put": {"Action": "PutRolePolicy", "RoleName": "r", "PolicyName": "p", "PolicyDocument": policy},
            "delete": {"Action": "DeleteRolePolicy", "RoleName": "r", "PolicyName": "p"},
        }
        entries = []
        for step in steps:
            if step in iam:
                entries.append(entry("deployer", "iam", urlencode({**iam[step], "Version": "2010-05-08"})))
            else:
                entries.append(entry("r", "secretsmanager", "{}", target="secretsmanager.GetRandomPassword"))
        return [wire.decode(i, e) for i, e in enumerate(entries)]

    def test_a_call_made_after_the_teardown_took_the_roles_policy_off_is_reported_apart(self):
        import check

        everything = {"deployer": [doc(allow("iam:*"))]}
        report, _ = check.run(self.recording("create", "put", "call", "delete", "call"), everything, ACCOUNT, [])
        self.assertEqual(report["denied"], [])
        self.assertEqual([d["action"] for d in report["afterTeardown"]], ["secretsmanager:GetRandomPassword"])
        # Given its policy again, the role's calls count again.
        report, _ = check.run(self.recording("create", "put", "delete", "put", "delete", "call"), everything, ACCOUNT, [])
        self.assertEqual(len(report["afterTeardown"]), 1)
        report, _ = check.run(self.recording("create", "put", "delete", "put", "call"), everything, ACCOUNT, [["r", "secretsmanager:GetRandomPassword"]])
        self.assertEqual([d["decision"] for d in report["denied"]], ["ImplicitDeny"])


class Needs(unittest.TestCase):
    def state(self):
        return resources.State(account=ACCOUNT)

    def test_a_tagged_create_needs_the_action_on_what_it_makes_and_uses_and_the_tagging_action(self):
        body = "Action=CreateSubnet&Version=2016-11-15&VpcId=vpc-1&CidrBlock=10.0.0.0%2F20&TagSpecification.1.ResourceType=subnet&TagSpecification.1.Tag.1.Key=team&TagSpecification.1.Tag.1.Value=a"
        request = wire.decode(0, entry("p", "ec2", body, response="<CreateSubnetResponse><subnet><subnetId>subnet-9</subnetId></subnet></CreateSubnetResponse>"))
        state = self.state()
        state.tags[f"arn:aws:ec2:us-west-2:{ACCOUNT}:vpc/vpc-1"] = {"team": "a"}
        outcome = needs_of(request, state)
        found = {(n.action, n.resource): n.context for n in outcome.needs}
        subnet = f"arn:aws:ec2:us-west-2:{ACCOUNT}:subnet/subnet-9"
        vpc = f"arn:aws:ec2:us-west-2:{ACCOUNT}:vpc/vpc-1"
        self.assertEqual(found[("ec2:CreateSubnet", subnet)]["aws:RequestTag/team"], "a")
        self.assertNotIn("aws:ResourceTag/team", found[("ec2:CreateSubnet", subnet)])
        self.assertEqual(found[("ec2:CreateSubnet", vpc)]["aws:ResourceTag/team"], "a")
        self.assertEqual(found[("ec2:CreateTags", subnet)]["ec2:CreateAction"], "CreateSubnet")
        self.assertEqual(outcome.created, {subnet: "subnet"})

    def test_a_required_resource_missing_from_the_request_is_a_gap_not_a_pass(self):
        request = wire.decode(0, entry("p", "ec2", "Action=DeleteSubnet&Version=2016-11-15"))
        with self.assertRaises(Unresolved):
            needs_of(request, self.state())

    def test_a_function_with_s3_code_in_a_vpc_needs_the_object_the_describes_and_the_passed_role(self):
        body = json.dumps({"FunctionName": "rotation-pr-1", "Role": f"arn:aws:iam::{ACCOUNT}:role/role-rotation-pr-1", "Code": {"S3Bucket": "b", "S3Key": "k.zip"}, "VpcConfig": {"SubnetIds": ["subnet-1"], "SecurityGroupIds": ["sg-1"]}, "Tags": {"team": "a"}})
        request = wire.decode(0, entry("p", "lambda", body, method="POST", path="/2015-03-31/functions"))
        actions = {(n.action, n.resource) for n in needs_of(request, self.state()).needs}
        self.assertIn(("s3:GetObject", "arn:aws:s3:::b/k.zip"), actions)
        self.assertIn(("ec2:DescribeSubnets", "*"), actions)
        self.assertIn(("iam:PassRole", f"arn:aws:iam::{ACCOUNT}:role/role-rotation-pr-1"), actions)
        self.assertIn(("lambda:TagResource", f"arn:aws:lambda:us-west-2:{ACCOUNT}:function:rotation-pr-1"), actions)

    def test_lambda_needs_create_log_group_only_for_a_function_made_before_its_group(self):
        function = json.dumps({"FunctionName": "rotation-pr-1", "Role": f"arn:aws:iam::{ACCOUNT}:role/role-rotation-pr-1", "Code": {"S3Bucket": "b", "S3Key": "k.zip"}})
        create = wire.decode(1, entry("p", "lambda", function, path="/2015-03-31/functions"))
        group = wire.decode(0, entry("p", "logs", json.dumps({"logGroupName": "/aws/lambda/rotation-pr-1"}), target="Logs_20140328.CreateLogGroup"))
        arn = f"arn:aws:logs:us-west-2:{ACCOUNT}:log-group:/aws/lambda/rotation-pr-1"
        for recording, needed in (([create], True), ([group, create], False)):
            state = self.state()
            for request in recording:
                resources.apply(request, state, {})
            actions = {(n.action, n.resource) for _, n in services.lambda_runs(create, state)}
            self.assertEqual(("logs:CreateLogGroup", arn) in actions, needed)
            self.assertIn("logs:PutLogEvents", {action for action, _ in actions})

    def test_a_log_group_is_authorized_by_its_arn_with_a_trailing_colon_star(self):
        group = f"arn:aws:logs:us-west-2:{ACCOUNT}:log-group:/aws/rds/cluster/aurora-pr-1/postgresql"
        retention = wire.decode(0, entry("p", "logs", json.dumps({"logGroupName": "/aws/rds/cluster/aurora-pr-1/postgresql", "retentionInDays": 14}), target="Logs_20140328.PutRetentionPolicy"))
        self.assertEqual({(n.action, n.resource) for n in needs_of(retention, self.state()).needs}, {("logs:PutRetentionPolicy", f"{group}:*")})
        need = needs_of(retention, self.state()).needs[0]
        pattern = "arn:aws:logs:us-west-2:*:log-group:/aws/rds/cluster/aurora-*/postgresql"
        self.assertEqual(policy.decide([doc(allow("logs:PutRetentionPolicy", pattern))], need), "ImplicitDeny")
        self.assertEqual(policy.decide([doc(allow("logs:PutRetentionPolicy", f"{pattern}:*"))], need), "Allow")

    def test_a_tagged_create_without_a_resource_type_tags_on_star(self):
        body = json.dumps({"Policy": "{}", "Tags": [{"TagKey": "team", "TagValue": "a"}]})
        answer = json.dumps({"KeyMetadata": {"Arn": f"arn:aws:kms:us-west-2:{ACCOUNT}:key/k1"}})
        request = wire.decode(0, entry("p", "kms", body, target="TrentService.CreateKey", response=answer))
        found = {(n.action, n.resource): n.context for n in needs_of(request, self.state()).needs}
        self.assertEqual(found[("kms:TagResource", "*")]["aws:RequestTag/team"], "a")
        self.assertNotIn(("kms:TagResource", f"arn:aws:kms:us-west-2:{ACCOUNT}:key/k1"), found)

    def test_add_permission_is_authorized_with_the_principal_it_grants_to(self):
        body = json.dumps({"StatementId": "lb", "Action": "lambda:InvokeFunction", "Principal": "elasticloadbalancing.amazonaws.com"})
        request = wire.decode(0, entry("p", "lambda", body, method="POST", path="/2015-03-31/functions/waker/policy"))
        self.assertEqual(request.operation, "AddPermission")
        need = needs_of(request, self.state()).needs[0]
        self.assertEqual((need.action, need.resource), ("lambda:AddPermission", f"arn:aws:lambda:us-west-2:{ACCOUNT}:function:waker"))
        only_elb = doc(allow("lambda:AddPermission", need.resource, {"StringEquals": {"lambda:Principal": "elasticloadbalancing.amazonaws.com"}}))
        only_s3 = doc(allow("lambda:AddPermission", need.resource, {"StringEquals": {"lambda:Principal": "s3.amazonaws.com"}}))
        self.assertEqual(policy.decide([only_elb], need), "Allow")
        self.assertEqual(policy.decide([only_s3], need), "ImplicitDeny")

    def test_rule_priorities_are_authorized_on_each_rule_they_move(self):
        rule = f"arn:aws:elasticloadbalancing:us-west-2:{ACCOUNT}:listener-rule/app/alb-pr-1/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee"
        body = f"Action=SetRulePriorities&Version=2015-12-01&RulePriorities.member.1.RuleArn={rule}&RulePriorities.member.1.Priority=3"
        request = wire.decode(0, entry("p", "elasticloadbalancing", body))
        self.assertEqual(request.operation, "SetRulePriorities")
        self.assertEqual({(n.action, n.resource) for n in needs_of(request, self.state()).needs}, {("elasticloadbalancing:SetRulePriorities", rule)})

    def test_a_listing_of_alarms_is_authorized_on_every_alarm(self):
        body = json.dumps({"AlarmNamePrefix": "alarm-"})
        request = wire.decode(0, entry("p", "monitoring", body, target="GraniteServiceVersion20100801.DescribeAlarms"))
        resources = {n.resource for n in needs_of(request, self.state()).needs}
        self.assertEqual(resources, {f"arn:aws:cloudwatch:us-west-2:{ACCOUNT}:alarm:*"})

    def test_an_instance_without_parameter_groups_is_authorized_on_the_defaults(self):
        body = "Action=CreateDBInstance&Version=2014-10-31&DBInstanceIdentifier=w&DBClusterIdentifier=c&Engine=aurora-postgresql&DBInstanceClass=db.serverless"
        state = self.state()
        state.cluster_versions["c"] = "16.8"
        resources = {n.resource for n in needs_of(wire.decode(0, entry("p", "rds", body)), state).needs if n.action == "rds:CreateDBInstance"}
        self.assertIn(f"arn:aws:rds:us-west-2:{ACCOUNT}:pg:default.aurora-postgresql16", resources)
        self.assertIn(f"arn:aws:rds:us-west-2:{ACCOUNT}:og:default:aurora-postgresql-16", resources)


if __name__ == "__main__":
    unittest.main()
