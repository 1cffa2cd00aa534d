//! The IAM policy of the network function's role (`catalog-fn-network`), beside the function it
//! authorizes: `envctl deploy` writes it with the logging every function gets (bootstrap/deploy,
//! `policies`), and the integration test `permissions` proves it against every request the function
//! makes (tests/iam).
//!
//! The network function: the VPC and everything in it, the environment's KMS key, the flow-log
//! group and the flow-log role.
//!
//! EC2 names resources by id (`vpc/vpc-0abc…`), so names cannot scope them: whatever the function
//! creates it must tag as the backend's (`aws:RequestTag`), and whatever it changes or deletes must
//! carry that tag (`aws:ResourceTag`); tagging is allowed only inside those creates
//! (`ec2:CreateAction`, EC2 user guide "Grant permission to tag Amazon EC2 resources during
//! creation"), and afterwards only a claimed pool VPC's pull request and expiry. Two EC2 rights
//! cannot be scoped by tag, each said at its statement.

use env_core::arn::ArnScope;
use env_core::naming::NameKind;
use env_core::policy::{any, own_roles, tagged, tagged_at_creation, Arns, Statement};
use env_core::pool::POOL_PREFIX;
use serde_json::json;

/// What the network function creates, by the EC2 resource type each create makes.
const CREATES: [&str; 11] = [
    "ec2:CreateVpc",
    "ec2:CreateSubnet",
    "ec2:CreateInternetGateway",
    "ec2:CreateNatGateway",
    "ec2:CreateRouteTable",
    "ec2:CreateSecurityGroup",
    "ec2:CreateVpcEndpoint",
    "ec2:CreateFlowLogs",
    "ec2:AllocateAddress",
    "ec2:AuthorizeSecurityGroupIngress",
    "ec2:AuthorizeSecurityGroupEgress",
];

/// The EC2 resource types the function makes and tags.
const TYPES: [&str; 9] = [
    "vpc/*",
    "subnet/*",
    "internet-gateway/*",
    "natgateway/*",
    "route-table/*",
    "security-group/*",
    "vpc-endpoint/*",
    "vpc-flow-log/*",
    "elastic-ip/*",
];

pub fn statements(scope: &ArnScope) -> Vec<Statement> {
    let arns = Arns::new(scope);
    let mut statements = create_tagged(&arns);
    statements.extend(change_tagged(&arns));
    statements.extend(untagged_network(&arns));
    statements.extend(key(&arns));
    statements.extend(flow_logs(scope, &arns));
    statements
}

/// Creating the network's resources, tagged as the backend's.
fn create_tagged(arns: &Arns) -> Vec<Statement> {
    let ours = arns.each("ec2", &TYPES);
    let create_actions: Vec<&str> = CREATES
        .iter()
        .map(|action| action.trim_start_matches("ec2:"))
        .collect();
    vec![
        Statement::allow("CreateTheNetworkTagged", &CREATES, ours.clone()).when(tagged_at_creation()),
        Statement::allow("TagOnlyWhileCreating", &["ec2:CreateTags"], ours).when(json!({
            "StringEquals": {
                "ec2:CreateAction": create_actions,
                format!("aws:RequestTag/{}", env_core::tags::MANAGED_BY): env_core::tags::MANAGER_NAME
            }
        })),
    ]
}

/// Changing and deleting only the backend's tagged network, and its groups' rules.
fn change_tagged(arns: &Arns) -> Vec<Statement> {
    vec![
        // A claimed pool environment's VPC gets its pull request and a later expiry after its
        // creation (docs/warm-pool-design.md §3.2): only on the backend's pool VPCs (a claim only
        // ever re-tags those), with at least one key and only those two. The Service
        // Authorization Reference lists aws:ResourceTag/${TagKey} and aws:TagKeys for
        // ec2:CreateTags on the vpc resource type; `Null … false` keeps ForAllValues from
        // matching a request without tag keys ("The ForAllValues set operator also returns true
        // if there are no context keys in the request", IAM user guide, "Multivalued context key
        // examples").
        Statement::allow(
            "TagTheClaimedVpc",
            &["ec2:CreateTags"],
            vec![arns.regional("ec2", "vpc/*")],
        )
        .when(json!({
            "StringEquals": {
                format!("aws:ResourceTag/{}", env_core::tags::MANAGED_BY): env_core::tags::MANAGER_NAME
            },
            "StringLike": {
                format!("aws:ResourceTag/{}", env_core::tags::ENVIRONMENT): format!("{POOL_PREFIX}*")
            },
            "ForAllValues:StringEquals": {
                "aws:TagKeys": [env_core::tags::PULL_REQUEST, env_core::tags::EXPIRES_AT]
            },
            "Null": {"aws:TagKeys": "false"}
        })),
        Statement::allow(
            "ChangeOnlyTheBackendsNetwork",
            &[
                "ec2:CreateSubnet",
                "ec2:CreateRouteTable",
                "ec2:CreateSecurityGroup",
                "ec2:CreateNatGateway",
                "ec2:CreateVpcEndpoint",
                "ec2:CreateFlowLogs",
                "ec2:CreateRoute",
                // A sleep removes the private tables' default routes, a wake a stale one
                // (route-table resource, aws:ResourceTag: Service Authorization Reference, EC2).
                "ec2:DeleteRoute",
                "ec2:AttachInternetGateway",
                "ec2:DetachInternetGateway",
                "ec2:AssociateRouteTable",
                "ec2:DisassociateRouteTable",
                "ec2:ModifyVpcAttribute",
                "ec2:AuthorizeSecurityGroupIngress",
                "ec2:AuthorizeSecurityGroupEgress",
                "ec2:RevokeSecurityGroupIngress",
                "ec2:RevokeSecurityGroupEgress",
                "ec2:DeleteSubnet",
                "ec2:DeleteRouteTable",
                "ec2:DeleteSecurityGroup",
                "ec2:DeleteInternetGateway",
                "ec2:DeleteNatGateway",
                "ec2:DeleteVpcEndpoints",
                "ec2:DeleteFlowLogs",
                "ec2:DeleteVpc",
                "ec2:ReleaseAddress",
            ],
            arns.each("ec2", &TYPES),
        )
        .when(tagged()),
        // A rule is a resource of its own (`security-group-rule/…`) that the function does not tag;
        // authorizing it is still bound to one of the backend's groups by the statement above.
        Statement::allow(
            "RulesOfTheBackendsGroups",
            &[
                "ec2:AuthorizeSecurityGroupIngress",
                "ec2:AuthorizeSecurityGroupEgress",
            ],
            vec![arns.regional("ec2", "security-group-rule/*")],
        ),
    ]
}

/// What EC2 or Lambda makes untagged in the network, and reading the network.
fn untagged_network(arns: &Arns) -> Vec<Statement> {
    vec![
        // The default security group of a new VPC is made by EC2 without the VPC's tags, and its
        // rules must go (control EC2.2). Revoking only ever narrows access.
        Statement::allow(
            "EmptyTheDefaultGroup",
            &[
                "ec2:RevokeSecurityGroupIngress",
                "ec2:RevokeSecurityGroupEgress",
            ],
            vec![arns.regional("ec2", "security-group/*")],
        ),
        // Lambda makes the rotation function's network interfaces without tags and leaves them
        // detached for up to 35 minutes after the function is deleted; only detached interfaces
        // can be deleted at all.
        Statement::allow(
            "DeleteDetachedInterfaces",
            &["ec2:DeleteNetworkInterface"],
            vec![arns.regional("ec2", "network-interface/*")],
        ),
        Statement::allow(
            "ReadTheNetwork",
            &[
                "ec2:DescribeAvailabilityZones",
                "ec2:DescribeVpcs",
                "ec2:DescribeSubnets",
                "ec2:DescribeInternetGateways",
                "ec2:DescribeNatGateways",
                "ec2:DescribeAddresses",
                "ec2:DescribeRouteTables",
                "ec2:DescribeSecurityGroups",
                "ec2:DescribeFlowLogs",
                "ec2:DescribeVpcEndpoints",
                "ec2:DescribeNetworkInterfaces",
            ],
            any(),
        ),
    ]
}

/// The environment's KMS key, created tagged, and its alias.
fn key(arns: &Arns) -> Vec<Statement> {
    vec![
        // Tags given to CreateKey are authorized on "*": the key does not exist yet (KMS developer
        // guide, "Controlling access to tags": tagging while creating needs a permission "that
        // isn't restricted to particular KMS keys"). NotResource keeps it off every existing key,
        // so the role cannot tag another key into its reach; only the backend's tag keys.
        Statement::allow("CreateTheKeyTagged", &["kms:CreateKey"], any()).when(tagged_at_creation()),
        Statement::allow_except(
            "TagOnlyTheKeyBeingCreated",
            &["kms:TagResource"],
            vec![ArnScope::new("*", "*").regional("kms", "key/*")],
        )
        .when(json!({
            "StringEquals": {
                format!("aws:RequestTag/{}", env_core::tags::MANAGED_BY): env_core::tags::MANAGER_NAME
            },
            "ForAllValues:StringEquals": {"aws:TagKeys": env_core::tags::KEYS}
        })),
        // Everything else on the key is the key policy's to grant, by this function's role (see
        // the network function's key_policy): in effect from the key's creation.
        // An alias is authorized on the alias (here) and on its key (the key policy; KMS API
        // reference, CreateAlias).
        Statement::allow(
            "TheEnvironmentsAlias",
            &["kms:CreateAlias", "kms:DeleteAlias"],
            vec![arns.regional("kms", &NameKind::KmsAlias.wildcard())],
        ),
    ]
}

/// The flow-log group and the flow-log role.
fn flow_logs(scope: &ArnScope, arns: &Arns) -> Vec<Statement> {
    let mut statements = vec![
        Statement::allow(
            "FlowLogGroup",
            &[
                "logs:CreateLogGroup",
                "logs:TagResource",
                "logs:PutRetentionPolicy",
                "logs:DeleteLogGroup",
            ],
            vec![arns.log_group(&NameKind::FlowLogGroup.wildcard())],
        ),
        Statement::allow("FindLogGroups", &["logs:DescribeLogGroups"], any()),
    ];
    statements.extend(own_roles(
        scope,
        "FlowLogRole",
        &[(
            NameKind::FlowLogRole.wildcard(),
            "vpc-flow-logs.amazonaws.com",
        )],
    ));
    statements
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    #[test]
    fn only_a_pool_vpc_of_the_backend_is_retagged_and_only_with_the_claims_keys() {
        let scope = ArnScope::new("us-west-2", "123456789012");
        let statements: Vec<Value> = statements(&scope).iter().map(Statement::to_json).collect();
        let retag = statements
            .iter()
            .find(|statement| statement["Sid"] == "TagTheClaimedVpc")
            .expect("the claim's statement");
        assert_eq!(retag["Action"], json!(["ec2:CreateTags"]));
        assert_eq!(
            retag["Resource"],
            json!(["arn:aws:ec2:us-west-2:123456789012:vpc/*"])
        );
        assert_eq!(
            retag["Condition"],
            json!({
                "StringEquals": {"aws:ResourceTag/catalog:managed-by": "catalog-environments"},
                "StringLike": {"aws:ResourceTag/catalog:environment": "pool-*"},
                "ForAllValues:StringEquals": {
                    "aws:TagKeys": ["catalog:pull-request", "catalog:expires-at"]
                },
                "Null": {"aws:TagKeys": "false"}
            })
        );
    }
}
