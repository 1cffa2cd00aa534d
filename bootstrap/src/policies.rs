//! Which AWS actions each deployed function may call: its IAM role allows exactly these.
//!
//! The lists are data, written from the SDK calls in each function's source (`functions/*/src`), and a
//! test re-derives them from that source, so a function that starts calling something new fails the
//! build until its role allows it. Action names follow the Service Authorization Reference ("Actions
//! defined by …" for each service); where an SDK operation's action has another name, [`action_of`]
//! says so.

/// One function the backend deploys, with the actions its SDK calls need and the ones it needs
/// without calling them (passing a role, tagging on create).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FunctionPolicy {
    pub function: &'static str,
    pub calls: &'static [&'static str],
    /// The shared crates of functions/ it is built with: their calls are in `calls`, and what those
    /// calls need without making them comes from [`SHARED_CRATES`].
    pub shared: &'static [&'static str],
    pub implied: &'static [&'static str],
}

/// What each shared crate's calls need besides their own actions: tags given at creation need the
/// service's tagging action (IAM user guide, "Permissions required to tag IAM entities"; CloudWatch
/// Logs likewise, as `CreateLogGroup` with tags).
pub const SHARED_CRATES: &[(&str, &[&str])] = &[
    ("iam-roles", &["iam:TagRole"]),
    ("log-groups", &["logs:TagResource"]),
];

/// Every function the CLI deploys, in the order the provision workflow first calls them. The rotation
/// function is not here: the database function deploys it per environment from the package in S3.
pub const FUNCTIONS: &[FunctionPolicy] = &[
    FunctionPolicy {
        function: "validate",
        calls: &[],
        shared: &[],
        implied: &[],
    },
    FunctionPolicy {
        function: "network",
        calls: NETWORK,
        shared: &["iam-roles", "log-groups"],
        // CreateFlowLogs hands the flow-log role to the service (VPC user guide, "IAM role for
        // publishing flow logs to CloudWatch Logs"); tags given at creation need ec2:CreateTags
        // (EC2 user guide, "Grant permission to tag Amazon EC2 resources during creation").
        implied: &["iam:PassRole", "ec2:CreateTags"],
    },
    FunctionPolicy {
        function: "database",
        calls: DATABASE,
        shared: &["iam-roles"],
        // CreateFunction hands the rotation role to Lambda; RDS, Secrets Manager and Lambda tag on
        // create only with their tagging action allowed; a cluster encrypted with a customer key and a
        // secret under it need the caller to use the key (RDS user guide, "Key management";
        // Secrets Manager user guide, "Secret encryption and decryption").
        implied: &[
            "iam:PassRole",
            "rds:AddTagsToResource",
            "secretsmanager:TagResource",
            "lambda:TagResource",
            "kms:CreateGrant",
            "kms:DescribeKey",
            "kms:Decrypt",
            "kms:GenerateDataKey",
        ],
    },
    FunctionPolicy {
        function: "cache",
        calls: CACHE,
        shared: &["log-groups"],
        // Delivering the slow log makes ElastiCache set up a CloudWatch Logs delivery in the caller's
        // name (ElastiCache user guide, "ElastiCache logging destinations": permissions to publish
        // logs to CloudWatch Logs); tags given at creation need each service's tagging action
        // (ElastiCache user guide, "Controlling access using tags"; Secrets Manager and CloudWatch
        // Logs likewise); a group and a secret under a customer key need the caller to use the key.
        implied: &[
            "logs:CreateLogDelivery",
            "logs:GetLogDelivery",
            "logs:UpdateLogDelivery",
            "logs:DeleteLogDelivery",
            "logs:ListLogDeliveries",
            "logs:PutResourcePolicy",
            "logs:DescribeResourcePolicies",
            "elasticache:AddTagsToResource",
            "secretsmanager:TagResource",
            "kms:CreateGrant",
            "kms:DescribeKey",
            "kms:Decrypt",
            "kms:GenerateDataKey",
        ],
    },
    FunctionPolicy {
        function: "edge",
        calls: EDGE,
        shared: &[],
        // PutBucketPolicy on its access-log buckets lets the function grant itself any object access
        // there anyway (parliament: RESOURCE_POLICY_PRIVILEGE_ESCALATION), so the role states it
        // openly, on those buckets only (see BUCKETS).
        implied: &["s3:GetObject", "s3:PutObject"],
    },
    FunctionPolicy {
        function: "service",
        calls: SERVICE,
        shared: &["iam-roles", "log-groups"],
        // The task and execution roles are passed to ECS (ECS developer guide, "Task execution IAM role").
        implied: &["iam:PassRole"],
    },
    FunctionPolicy {
        function: "monitoring",
        calls: MONITORING,
        shared: &[],
        implied: &[],
    },
    FunctionPolicy {
        function: "outputs",
        calls: OUTPUTS,
        shared: &[],
        implied: &[],
    },
    FunctionPolicy {
        function: "cleanup",
        calls: CLEANUP,
        shared: &[],
        implied: &[],
    },
];

/// What every function needs to write its own logs (Lambda developer guide, "Sending Lambda function
/// logs to CloudWatch Logs": the AWSLambdaBasicExecutionRole actions).
pub const LOGGING: &[&str] = &[
    "logs:CreateLogGroup",
    "logs:CreateLogStream",
    "logs:PutLogEvents",
];

/// The IAM action an SDK operation of `sdk` (the `aws_sdk_<sdk>` crate) needs: how the test derives
/// the lists from the source.
#[cfg(test)]
fn action_of(sdk: &str, operation: &str) -> String {
    let service = match sdk {
        "elasticloadbalancingv2" => "elasticloadbalancing",
        "applicationautoscaling" => "application-autoscaling",
        "cloudwatchlogs" => "logs",
        "resourcegroupstagging" => "tag",
        "sfn" => "states",
        other => other,
    };
    // S3's actions are named after permissions, not operations (Service Authorization Reference,
    // "Actions defined by Amazon S3").
    let renamed = match (sdk, operation) {
        ("s3", "list_objects_v2") => Some("ListBucket"),
        ("s3", "delete_objects") => Some("DeleteObject"),
        ("s3", "put_public_access_block") => Some("PutBucketPublicAccessBlock"),
        ("s3", "put_bucket_encryption") => Some("PutEncryptionConfiguration"),
        ("s3", "put_bucket_lifecycle_configuration") => Some("PutLifecycleConfiguration"),
        ("s3", "list_buckets") => Some("ListAllMyBuckets"),
        _ => None,
    };
    let name = renamed.map_or_else(|| pascal_case(operation), str::to_owned);
    // RDS spells its acronym in capitals: rds:CreateDBCluster.
    let name = if sdk == "rds" {
        name.replace("Db", "DB")
    } else {
        name
    };
    format!("{service}:{name}")
}

#[cfg(test)]
fn pascal_case(snake: &str) -> String {
    snake
        .split('_')
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect()
}

/// The only S3 resources a function works on: the environments' access-log buckets
/// (`alb-logs-<suffix>-<account>`, env-core's naming) and their objects.
pub const BUCKETS: [&str; 2] = ["arn:aws:s3:::alb-logs-*", "arn:aws:s3:::alb-logs-*/*"];

/// S3 actions that name a bucket or an object, and so can be limited to [`BUCKETS`]; listing all
/// buckets has no resource (Service Authorization Reference, "Actions defined by Amazon S3").
fn bucket_scoped(action: &str) -> bool {
    action.starts_with("s3:") && action != "s3:ListAllMyBuckets"
}

/// The policy document of a function's role: its own actions, and its logging.
pub fn document(policy: &FunctionPolicy) -> serde_json::Value {
    let mut statements = vec![serde_json::json!({
        "Sid": "Logging",
        "Effect": "Allow",
        "Action": LOGGING,
        "Resource": "*"
    })];
    let by_shared_crates = SHARED_CRATES
        .iter()
        .filter(|(name, _)| policy.shared.contains(name))
        .flat_map(|(_, actions)| actions.iter());
    let mut all: Vec<&str> = policy
        .calls
        .iter()
        .chain(policy.implied)
        .chain(by_shared_crates)
        .copied()
        .collect();
    all.sort_unstable();
    all.dedup();
    let (buckets, actions): (Vec<&str>, Vec<&str>) =
        all.into_iter().partition(|action| bucket_scoped(action));
    if !buckets.is_empty() {
        statements.push(serde_json::json!({
            "Sid": "AccessLogBuckets",
            "Effect": "Allow",
            "Action": buckets,
            "Resource": BUCKETS
        }));
    }
    if !actions.is_empty() {
        // Resources are "*": the functions' resources are named per environment at run time, and
        // many of these actions (Describe*, Create*) do not support resource-level permissions.
        statements.push(serde_json::json!({
            "Sid": "Component",
            "Effect": "Allow",
            "Action": actions,
            "Resource": "*"
        }));
    }
    serde_json::json!({"Version": "2012-10-17", "Statement": statements})
}

const NETWORK: &[&str] = &[
    "ec2:AllocateAddress",
    "ec2:AssociateRouteTable",
    "ec2:AttachInternetGateway",
    "ec2:AuthorizeSecurityGroupEgress",
    "ec2:AuthorizeSecurityGroupIngress",
    "ec2:CreateFlowLogs",
    "ec2:CreateInternetGateway",
    "ec2:CreateNatGateway",
    "ec2:CreateRoute",
    "ec2:CreateRouteTable",
    "ec2:CreateSecurityGroup",
    "ec2:CreateSubnet",
    "ec2:CreateVpc",
    "ec2:CreateVpcEndpoint",
    "ec2:DeleteFlowLogs",
    "ec2:DeleteInternetGateway",
    "ec2:DeleteNatGateway",
    "ec2:DeleteNetworkInterface",
    "ec2:DeleteRouteTable",
    "ec2:DeleteSecurityGroup",
    "ec2:DeleteSubnet",
    "ec2:DeleteVpc",
    "ec2:DeleteVpcEndpoints",
    "ec2:DescribeAddresses",
    "ec2:DescribeAvailabilityZones",
    "ec2:DescribeFlowLogs",
    "ec2:DescribeInternetGateways",
    "ec2:DescribeNatGateways",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeRouteTables",
    "ec2:DescribeSecurityGroups",
    "ec2:DescribeSubnets",
    "ec2:DescribeVpcEndpoints",
    "ec2:DescribeVpcs",
    "ec2:DetachInternetGateway",
    "ec2:DisassociateRouteTable",
    "ec2:ModifyVpcAttribute",
    "ec2:ReleaseAddress",
    "ec2:RevokeSecurityGroupEgress",
    "ec2:RevokeSecurityGroupIngress",
    "iam:CreateRole",
    "iam:DeleteRole",
    "iam:DeleteRolePolicy",
    "iam:GetRole",
    "iam:PutRolePolicy",
    "kms:CreateAlias",
    "kms:CreateKey",
    "kms:DeleteAlias",
    "kms:DescribeKey",
    "kms:EnableKeyRotation",
    "kms:ScheduleKeyDeletion",
    "logs:CreateLogGroup",
    "logs:DeleteLogGroup",
    "logs:DescribeLogGroups",
    "logs:PutRetentionPolicy",
];
const DATABASE: &[&str] = &[
    "iam:CreateRole",
    "iam:DeleteRole",
    "iam:DeleteRolePolicy",
    "iam:GetRole",
    "iam:PutRolePolicy",
    "lambda:AddPermission",
    "lambda:CreateFunction",
    "lambda:DeleteFunction",
    "lambda:GetFunction",
    "rds:CreateDBCluster",
    "rds:CreateDBClusterParameterGroup",
    "rds:CreateDBInstance",
    "rds:CreateDBSubnetGroup",
    "rds:DeleteDBCluster",
    "rds:DeleteDBClusterParameterGroup",
    "rds:DeleteDBInstance",
    "rds:DeleteDBSubnetGroup",
    "rds:DescribeDBClusterParameterGroups",
    "rds:DescribeDBClusters",
    "rds:DescribeDBInstances",
    "rds:DescribeDBSubnetGroups",
    "rds:ModifyDBCluster",
    "rds:ModifyDBClusterParameterGroup",
    "secretsmanager:CreateSecret",
    "secretsmanager:DeleteSecret",
    "secretsmanager:DescribeSecret",
    "secretsmanager:GetRandomPassword",
    "secretsmanager:RestoreSecret",
    "secretsmanager:RotateSecret",
];
const OUTPUTS: &[&str] = &[
    "cloudwatch:ListDashboards",
    "ec2:DescribeSubnets",
    "ec2:DescribeVpcs",
    "ecs:DescribeClusters",
    "ecs:DescribeServices",
    "elasticache:DescribeReplicationGroups",
    "elasticloadbalancing:DescribeLoadBalancers",
    "logs:DescribeLogGroups",
    "rds:DescribeDBClusters",
    "secretsmanager:DescribeSecret",
    "servicediscovery:GetService",
    "servicediscovery:ListNamespaces",
    "servicediscovery:ListServices",
    "sns:ListTopics",
];
const CLEANUP: &[&str] = &[
    "states:DescribeExecution",
    "states:StartExecution",
    "tag:GetResources",
];
const CACHE: &[&str] = &[
    "elasticache:CreateCacheSubnetGroup",
    "elasticache:CreateReplicationGroup",
    "elasticache:DeleteCacheSubnetGroup",
    "elasticache:DeleteReplicationGroup",
    "elasticache:DescribeCacheSubnetGroups",
    "elasticache:DescribeReplicationGroups",
    "logs:CreateLogGroup",
    "logs:DeleteLogGroup",
    "logs:DescribeLogGroups",
    "logs:PutRetentionPolicy",
    "secretsmanager:CreateSecret",
    "secretsmanager:DeleteSecret",
    "secretsmanager:DescribeSecret",
    "secretsmanager:GetRandomPassword",
    "secretsmanager:GetSecretValue",
    "secretsmanager:PutSecretValue",
];
const EDGE: &[&str] = &[
    "acm:DeleteCertificate",
    "acm:DescribeCertificate",
    "acm:ImportCertificate",
    "acm:ListCertificates",
    "acm:ListTagsForCertificate",
    "acm:RequestCertificate",
    "elasticloadbalancing:CreateListener",
    "elasticloadbalancing:CreateRule",
    "elasticloadbalancing:CreateLoadBalancer",
    "elasticloadbalancing:CreateTargetGroup",
    "elasticloadbalancing:DeleteListener",
    "elasticloadbalancing:DeleteRule",
    "elasticloadbalancing:DeleteLoadBalancer",
    "elasticloadbalancing:DeleteTargetGroup",
    "elasticloadbalancing:DescribeListeners",
    "elasticloadbalancing:DescribeLoadBalancerAttributes",
    "elasticloadbalancing:DescribeLoadBalancers",
    "elasticloadbalancing:DescribeRules",
    "elasticloadbalancing:DescribeTargetGroups",
    "elasticloadbalancing:ModifyListener",
    "elasticloadbalancing:ModifyLoadBalancerAttributes",
    "elasticloadbalancing:ModifyTargetGroup",
    "elasticloadbalancing:ModifyTargetGroupAttributes",
    "route53:ChangeResourceRecordSets",
    "s3:CreateBucket",
    "s3:DeleteBucket",
    "s3:DeleteObject",
    "s3:ListAllMyBuckets",
    "s3:ListBucket",
    "s3:PutBucketPolicy",
    "s3:PutBucketPublicAccessBlock",
    "s3:PutBucketTagging",
    "s3:PutEncryptionConfiguration",
    "s3:PutLifecycleConfiguration",
];
const SERVICE: &[&str] = &[
    "application-autoscaling:DeleteScalingPolicy",
    "application-autoscaling:DeregisterScalableTarget",
    "application-autoscaling:DescribeScalableTargets",
    "application-autoscaling:DescribeScalingPolicies",
    "application-autoscaling:PutScalingPolicy",
    "application-autoscaling:RegisterScalableTarget",
    "ecs:CreateCluster",
    "ecs:CreateService",
    "ecs:DeleteCluster",
    "ecs:DeleteService",
    "ecs:DeregisterTaskDefinition",
    "ecs:DescribeClusters",
    "ecs:DescribeServices",
    "ecs:DescribeTaskDefinition",
    "ecs:ListTaskDefinitions",
    "ecs:RegisterTaskDefinition",
    "ecs:UpdateService",
    "iam:CreateRole",
    "iam:DeleteRole",
    "iam:DeleteRolePolicy",
    "iam:GetRole",
    "iam:ListRolePolicies",
    "iam:PutRolePolicy",
    "logs:CreateLogGroup",
    "logs:DeleteLogGroup",
    "logs:DescribeLogGroups",
    "logs:PutRetentionPolicy",
    "servicediscovery:CreatePrivateDnsNamespace",
    "servicediscovery:CreateService",
    "servicediscovery:DeleteNamespace",
    "servicediscovery:DeleteService",
    "servicediscovery:GetService",
    "servicediscovery:ListNamespaces",
    "servicediscovery:ListServices",
];
const MONITORING: &[&str] = &[
    "cloudwatch:DeleteAlarms",
    "cloudwatch:DeleteDashboards",
    "cloudwatch:DescribeAlarms",
    "cloudwatch:ListDashboards",
    "cloudwatch:PutDashboard",
    "cloudwatch:PutMetricAlarm",
    "logs:DeleteMetricFilter",
    "logs:DescribeMetricFilters",
    "logs:PutMetricFilter",
    "sns:CreateTopic",
    "sns:DeleteTopic",
    "sns:ListSubscriptionsByTopic",
    "sns:ListTopics",
    "sns:Subscribe",
    "sns:Unsubscribe",
];

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeMap, BTreeSet};
    use std::path::Path;

    /// `field: aws_sdk_<sdk>::Client` declarations: which client each struct field is.
    fn client_fields(source: &str) -> BTreeMap<String, String> {
        source
            .match_indices("::Client")
            .filter_map(|(at, _)| {
                let before = &source[..at];
                let sdk_start = before.rfind("aws_sdk_")?;
                let sdk = &before[sdk_start + "aws_sdk_".len()..];
                let declaration = before[..sdk_start].trim_end().strip_suffix(':')?;
                let field: String = declaration
                    .chars()
                    .rev()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect::<Vec<_>>()
                    .into_iter()
                    .rev()
                    .collect();
                Some((field, sdk.to_owned()))
            })
            .collect()
    }

    /// The sources a function's binary is built from: its own and those of the workspace crates in
    /// functions/ it depends on (`log-groups.workspace = true` → functions/log-groups/src).
    fn source_dirs(crate_dir: &Path) -> Vec<std::path::PathBuf> {
        let manifest = std::fs::read_to_string(crate_dir.join("Cargo.toml")).unwrap();
        let functions = crate_dir.parent().unwrap();
        let mut dirs = vec![crate_dir.join("src")];
        for line in manifest.lines() {
            if let Some(name) = line.strip_suffix(".workspace = true") {
                let shared = functions.join(name.trim());
                if shared.join("Cargo.toml").exists() {
                    dirs.push(shared.join("src"));
                }
            }
        }
        dirs
    }

    /// The IAM actions of every `self.<client>.<operation>(` call in a crate's sources.
    fn actions_called(crate_dir: &Path) -> BTreeSet<String> {
        let mut actions = BTreeSet::new();
        let mut pending = source_dirs(crate_dir);
        while let Some(dir) = pending.pop() {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    pending.push(path);
                    continue;
                }
                let source = std::fs::read_to_string(&path).unwrap();
                let fields = client_fields(&source);
                // Calls are chained over lines: compare without whitespace.
                let compact: String = source.chars().filter(|c| !c.is_whitespace()).collect();
                for (field, sdk) in &fields {
                    let needle = format!("self.{field}.");
                    for (at, _) in compact.match_indices(&needle) {
                        let rest = &compact[at + needle.len()..];
                        let operation: String = rest
                            .chars()
                            .take_while(|c| c.is_alphanumeric() || *c == '_')
                            .collect();
                        if rest[operation.len()..].starts_with('(') {
                            actions.insert(action_of(sdk, &operation));
                        }
                    }
                }
            }
        }
        actions
    }

    #[test]
    fn each_role_lists_exactly_the_actions_its_function_calls() {
        let functions = Path::new(env!("CARGO_MANIFEST_DIR")).join("../functions");
        for policy in FUNCTIONS {
            let called = actions_called(&functions.join(policy.function));
            let listed: BTreeSet<String> = policy.calls.iter().map(|a| (*a).to_owned()).collect();
            assert_eq!(listed, called, "functions/{}", policy.function);
        }
    }

    #[test]
    fn each_role_names_the_shared_crates_its_function_is_built_with() {
        let functions = Path::new(env!("CARGO_MANIFEST_DIR")).join("../functions");
        for policy in FUNCTIONS {
            let built_with: BTreeSet<String> = source_dirs(&functions.join(policy.function))
                .iter()
                .skip(1)
                .map(|src| {
                    src.parent()
                        .unwrap()
                        .file_name()
                        .unwrap()
                        .to_string_lossy()
                        .into_owned()
                })
                .collect();
            let named: BTreeSet<String> = policy.shared.iter().map(|c| (*c).to_owned()).collect();
            assert_eq!(named, built_with, "functions/{}", policy.function);
        }
        // Every shared crate says what its calls imply, even when that is nothing.
        for dir in std::fs::read_dir(&functions).unwrap() {
            let dir = dir.unwrap().path();
            let library = dir.join("src/lib.rs").exists() && !dir.join("src/main.rs").exists();
            let name = dir.file_name().unwrap().to_string_lossy().into_owned();
            if library && name != "core" {
                assert!(SHARED_CRATES.iter().any(|(c, _)| *c == name), "{name}");
            }
        }
    }

    #[test]
    fn every_deployed_function_with_an_aws_client_is_in_the_table() {
        let functions = Path::new(env!("CARGO_MANIFEST_DIR")).join("../functions");
        let known: BTreeSet<&str> = FUNCTIONS.iter().map(|p| p.function).collect();
        for entry in std::fs::read_dir(&functions).unwrap() {
            let entry = entry.unwrap();
            let name = entry.file_name().into_string().unwrap();
            // Libraries (core, log-groups) have no binary of their own; rotation is deployed per
            // environment by the database function.
            if !entry.path().join("src/main.rs").exists() || name == "rotation" {
                continue;
            }
            assert!(
                known.contains(name.as_str()),
                "functions/{name} has no role"
            );
        }
    }

    #[test]
    fn sdk_operations_map_to_their_iam_actions() {
        assert_eq!(action_of("rds", "create_db_cluster"), "rds:CreateDBCluster");
        assert_eq!(action_of("s3", "list_objects_v2"), "s3:ListBucket");
        assert_eq!(action_of("s3", "create_bucket"), "s3:CreateBucket");
        assert_eq!(
            action_of("elasticloadbalancingv2", "create_listener"),
            "elasticloadbalancing:CreateListener"
        );
        assert_eq!(
            action_of("applicationautoscaling", "put_scaling_policy"),
            "application-autoscaling:PutScalingPolicy"
        );
        assert_eq!(
            action_of("cloudwatchlogs", "create_log_group"),
            "logs:CreateLogGroup"
        );
        assert_eq!(pascal_case("a__b"), "AB");
    }

    #[test]
    fn a_role_document_allows_logging_and_only_its_functions_actions() {
        let network = FUNCTIONS.iter().find(|p| p.function == "network").unwrap();
        let document = document(network);
        let statements = document["Statement"].as_array().unwrap();
        assert_eq!(statements.len(), 2);
        assert_eq!(statements[0]["Action"], serde_json::json!(LOGGING));
        let actions = statements[1]["Action"].as_array().unwrap();
        // PassRole and CreateTags of its own, TagRole and TagResource for its shared crates.
        assert_eq!(actions.len(), NETWORK.len() + 4);
        assert!(actions.contains(&serde_json::json!("iam:PassRole")));
        assert!(actions.contains(&serde_json::json!("iam:TagRole")));
        assert!(actions.contains(&serde_json::json!("logs:TagResource")));
        assert!(!actions.contains(&serde_json::json!("rds:CreateDBCluster")));
        let validate = document_of("validate");
        assert_eq!(validate["Statement"].as_array().unwrap().len(), 1);
    }

    #[test]
    fn s3_actions_reach_only_the_access_log_buckets_and_their_objects() {
        let bucket = env_core::naming::Names::new(
            &env_core::spec::EnvironmentSuffix::parse("pr-42").unwrap(),
        )
        .bucket("123456789012");
        assert!(bucket.starts_with(
            BUCKETS[0]
                .trim_start_matches("arn:aws:s3:::")
                .trim_end_matches('*')
        ));
        let edge = document_of("edge");
        let statements = edge["Statement"].as_array().unwrap();
        assert_eq!(statements.len(), 3);
        assert_eq!(statements[1]["Sid"], "AccessLogBuckets");
        assert_eq!(statements[1]["Resource"], serde_json::json!(BUCKETS));
        let scoped = statements[1]["Action"].as_array().unwrap();
        assert!(scoped.contains(&serde_json::json!("s3:PutBucketPolicy")));
        assert!(scoped.contains(&serde_json::json!("s3:GetObject")));
        let rest = statements[2]["Action"].as_array().unwrap();
        assert!(rest.contains(&serde_json::json!("s3:ListAllMyBuckets")));
        assert!(!rest
            .iter()
            .any(|a| a.as_str().unwrap().starts_with("s3:") && a != "s3:ListAllMyBuckets"));
    }

    fn document_of(function: &str) -> serde_json::Value {
        document(FUNCTIONS.iter().find(|p| p.function == function).unwrap())
    }
}
