//! The IAM policy of the database function's role (`catalog-fn-database`), beside the function it
//! authorizes: `envctl deploy` writes it with the logging every function gets (bootstrap/deploy,
//! `policies`), and the integration test `permissions` proves it against every request the function
//! makes (tests/iam).
//!
//! The database function: Aurora and its subnet and parameter groups, the application and API-key
//! secrets, the RDS-managed master secret's schedule, and the rotation Lambda with its role.
//!
//! RDS, Secrets Manager, Lambda and IAM name resources by name, so every statement names the
//! environments' names (env-core's naming); the KMS key is reached by the backend's tag and only
//! through RDS and Secrets Manager.

use env_core::arn::unscoped;
use env_core::arn::ArnScope;
use env_core::naming::{AwsLogGroup, NameKind};
use env_core::policy::{any, own_roles, service_linked_roles, Arns, Statement};

/// The secret RDS makes for a cluster whose master password it manages (RDS user guide,
/// "Password management with Amazon RDS and AWS Secrets Manager": its name starts with `rds!`).
const MANAGED_MASTER_SECRET: &str = "secret:rds!cluster-*";

pub fn statements(scope: &ArnScope, artifacts_bucket: &str) -> Vec<Statement> {
    let arns = Arns::new(scope);
    let mut statements = vec![aurora(&arns)];
    statements.extend(secrets(&arns));
    statements.extend(before_creating(&arns));
    statements.extend(rotation_function(&arns, artifacts_bucket));
    statements.extend(roles(scope));
    statements
}

/// The cluster, its writer and reader, its subnet and parameter groups, and the engine's defaults.
fn aurora(arns: &Arns) -> Statement {
    Statement::allow(
        "Aurora",
        &[
            "rds:CreateDBCluster",
            "rds:ModifyDBCluster",
            "rds:DeleteDBCluster",
            "rds:DescribeDBClusters",
            "rds:CreateDBInstance",
            "rds:DeleteDBInstance",
            "rds:DescribeDBInstances",
            "rds:CreateDBSubnetGroup",
            "rds:DeleteDBSubnetGroup",
            "rds:DescribeDBSubnetGroups",
            "rds:CreateDBClusterParameterGroup",
            "rds:ModifyDBClusterParameterGroup",
            "rds:DeleteDBClusterParameterGroup",
            "rds:DescribeDBClusterParameterGroups",
            "rds:AddTagsToResource",
        ],
        vec![
            arns.regional(
                "rds",
                &format!("cluster:{}", NameKind::AuroraCluster.wildcard()),
            ),
            // Writer and reader: aurora-writer-<suffix>, aurora-reader-<suffix>.
            arns.regional("rds", &format!("db:{}", NameKind::AuroraCluster.wildcard())),
            arns.regional(
                "rds",
                &format!("subgrp:{}", NameKind::DbSubnetGroup.wildcard()),
            ),
            arns.regional(
                "rds",
                &format!(
                    "cluster-pg:{}",
                    NameKind::DbClusterParameterGroup.wildcard()
                ),
            ),
            // CreateDBCluster is authorized on an option group too (Service Authorization
            // Reference, "og" required); Aurora PostgreSQL uses none of its own, so the
            // engine's default one.
            arns.regional("rds", "og:default:*"),
            // CreateDBInstance is authorized on the instance's parameter group too, the
            // default one when none is named (Aurora user guide, "Permission policies to
            // create, modify and delete resources in Aurora").
            arns.regional("rds", "pg:default.*"),
        ],
    )
}

/// The application and API-key secrets, and the master secret RDS manages.
fn secrets(arns: &Arns) -> Vec<Statement> {
    let secret =
        |kind: NameKind| arns.regional("secretsmanager", &format!("secret:{}", kind.wildcard()));
    vec![
        Statement::allow(
            "ApplicationSecrets",
            &[
                "secretsmanager:CreateSecret",
                "secretsmanager:TagResource",
                "secretsmanager:DescribeSecret",
                "secretsmanager:RotateSecret",
                // Who may read each secret (env_core::secret_policy).
                "secretsmanager:PutResourcePolicy",
                "secretsmanager:DeleteSecret",
                "secretsmanager:RestoreSecret",
            ],
            vec![
                secret(NameKind::DatabaseSecret),
                secret(NameKind::ApiKeysSecret),
            ],
        ),
        // RDS creates and tags the master secret in the caller's name; its 30-day schedule is set
        // with RotateSecret (Secrets Manager user guide, "Managed rotation").
        Statement::allow(
            "ManagedMasterSecret",
            &[
                "secretsmanager:CreateSecret",
                "secretsmanager:TagResource",
                "secretsmanager:DescribeSecret",
                "secretsmanager:RotateSecret",
            ],
            vec![arns.regional("secretsmanager", MANAGED_MASTER_SECRET)],
        ),
    ]
}

/// What is needed before the cluster and the rotation function exist: an engine version, the
/// log groups AWS would make, and a generated password.
fn before_creating(arns: &Arns) -> Vec<Statement> {
    vec![
        // A new cluster's engine version is chosen from those RDS offers; the action supports no
        // resource type (Service Authorization Reference, Amazon RDS).
        Statement::allow(
            "ChooseEngineVersions",
            &["rds:DescribeDBEngineVersions"],
            any(),
        ),
        // The log groups RDS and Lambda would otherwise create without retention or key; the
        // tags given at creation need TagResource (CloudWatch Logs API reference,
        // CreateLogGroup).
        Statement::allow(
            "AwsLogGroupsFirst",
            &[
                "logs:CreateLogGroup",
                "logs:TagResource",
                "logs:AssociateKmsKey",
                "logs:PutRetentionPolicy",
                "logs:DeleteLogGroup",
            ],
            // Each with and without ":*": IAM authorizes most CloudWatch Logs actions on a group
            // by its ARN with a trailing ":*", tagging without (Logs API reference, LogGroup).
            [AwsLogGroup::AuroraPostgresql, AwsLogGroup::RotationFunction]
                .map(|group| arns.log_group(&group.wildcard()))
                .into_iter()
                .flat_map(|group| [format!("{group}:*"), group])
                .collect(),
        ),
        Statement::allow("FindLogGroups", &["logs:DescribeLogGroups"], any()),
        Statement::allow(
            "GeneratePasswords",
            &["secretsmanager:GetRandomPassword"],
            any(),
        ),
    ]
}

/// The rotation function, its code and the network it runs in.
fn rotation_function(arns: &Arns, artifacts_bucket: &str) -> Vec<Statement> {
    vec![
        // The key's uses through RDS and Secrets Manager are the key policy's to grant, by this
        // function's role (the network function's key_policy).
        Statement::allow(
            "RotationFunction",
            &[
                "lambda:CreateFunction",
                "lambda:TagResource",
                "lambda:GetFunction",
                // A function an earlier deployment made gets this deployment's package and
                // settings (functions/database, `rotation_function::drift`).
                "lambda:UpdateFunctionCode",
                "lambda:UpdateFunctionConfiguration",
                "lambda:AddPermission",
                "lambda:DeleteFunction",
                // RotateSecret with a rotation function needs to invoke it (Secrets Manager API
                // reference, RotateSecret).
                "lambda:InvokeFunction",
            ],
            vec![arns.regional(
                "lambda",
                &format!("function:{}", NameKind::RotationFunction.wildcard()),
            )],
        ),
        // CreateFunction reads the code from S3 with the caller's rights and checks the VPC
        // configuration with them (Lambda developer guide, "Giving Lambda functions access to
        // resources in an Amazon VPC").
        Statement::allow(
            "RotationCode",
            &["s3:GetObject"],
            vec![unscoped("s3", &format!("{artifacts_bucket}/rotation/*"))],
        ),
        Statement::allow(
            "CheckTheRotationFunctionsNetwork",
            &[
                "ec2:DescribeSecurityGroups",
                "ec2:DescribeSubnets",
                "ec2:DescribeVpcs",
            ],
            any(),
        ),
    ]
}

/// RDS's service-linked role and the rotation function's own role.
fn roles(scope: &ArnScope) -> Vec<Statement> {
    let mut statements = vec![service_linked_roles(
        scope,
        &[("rds.amazonaws.com", "AWSServiceRoleForRDS")],
    )];
    statements.extend(own_roles(
        scope,
        "RotationRole",
        &[(NameKind::RotationRole.wildcard(), "lambda.amazonaws.com")],
    ));
    statements
}
