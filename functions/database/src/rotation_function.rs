//! The environment's rotation Lambda (functions/rotation) for the application secret, the API keys
//! and the Redis AUTH token: its role,
//! the function in the private subnets with the rotation security group, Secrets Manager's
//! permission to invoke it, and the secret's rotation turned on with it.

use crate::api::{
    Cloud, Function, FunctionSettings, LambdaCalls, RotationRequest, Secret, SecretCalls,
};
use crate::handler::DatabaseError;
use crate::rotation_policy::{document, PolicyArns};
use crate::settings::Settings;
use env_core::arn::{account_of, region_of, ArnScope};
use env_core::naming::{AwsLogGroup, NameKind, Names};
use env_core::tags::Tag;
use iam_roles::RoleCalls;
use serde_json::json;
use std::time::{Duration, SystemTime};

/// Lambda's longest (15 minutes): a database step needs seconds, but the Redis token's setSecret
/// waits for ElastiCache to apply a new token to every node of every shard (`TOKEN_WAIT_SECONDS`),
/// which takes minutes in AWS.
pub const TIMEOUT_SECONDS: i32 = 900;
/// What setSecret waits at most, leaving two minutes of the timeout for its other calls.
pub const TOKEN_WAIT_SECONDS: i32 = 780;
/// How long a login may take when Aurora may be paused: a paused instance resumes on the first
/// connection, which then waits for it, about 15 seconds and longer after a day paused (Aurora user
/// guide, "Scaling to Zero ACUs with automatic pause and resume for Aurora Serverless v2"). The
/// function's default (5 s) would time out on every rotation that meets a paused database.
pub const RESUME_CONNECT_TIMEOUT_SECONDS: u32 = 45;
/// The RDS CA bundle inside the rotation function's package (README, "TLS").
pub const CA_BUNDLE_PATH: &str = "/var/task/rds-ca-bundle.pem";
pub const POLICY_NAME: &str = "rotate-database-secret";
/// What IAM shows of the role, for whoever comes across it.
pub const ROLE_DESCRIPTION: &str =
    "Runs the environment's Secrets Manager rotation of the database user";
pub const PERMISSION_ID: &str = "SecretsManagerRotation";
pub const SECRETS_MANAGER: &str = "secretsmanager.amazonaws.com";
/// Lambda's state once it can be invoked (Lambda developer guide, "Lambda function states").
pub const ACTIVE: &str = "Active";
/// While Lambda sets a new function up; no change is taken then. A function can be changed only
/// when `Active` or `Inactive` (idle for weeks, its network interfaces reclaimed: a rotation
/// function between two rotations 30 days apart).
pub const PENDING: &str = "Pending";

/// What the function and its policy are scoped to.
#[derive(Debug, Clone, Copy)]
pub struct Scope<'a> {
    pub app_secret_arn: &'a str,
    pub api_keys_secret_arn: &'a str,
    pub master_secret_arn: &'a str,
    pub kms_key_arn: &'a str,
    /// Any ARN of the environment's account and region (the cluster's).
    pub sibling_arn: &'a str,
    pub subnet_ids: &'a [String],
    pub security_group_id: &'a str,
    pub tags: &'a [Tag],
    /// When the request began ([`env_core::contract::Request::started_at`]).
    pub started_at: SystemTime,
    /// The cluster pauses at 0 ACUs: a login may have to wait for it to resume.
    pub database_pauses: bool,
}

fn trust_policy() -> String {
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"},
            "Action": "sts:AssumeRole"
        }]
    })
    .to_string()
}

async fn role<C: Cloud>(cloud: &C, name: &str, tags: &[Tag]) -> Result<String, DatabaseError> {
    let roles = cloud.roles();
    if let Some(arn) = roles.arn(name).await? {
        return Ok(arn);
    }
    let arn = roles
        .create(name, ROLE_DESCRIPTION, &trust_policy(), tags)
        .await?;
    tracing::info!(role = name, "rotation role created");
    Ok(arn)
}

/// The role and the function, created when absent and updated when an earlier deployment made it
/// ([`drift`]); the role's inline policy is checked on every call and put again when it differs
/// ([`RoleCalls::put_policy`]), so a hand-edited policy is put back.
pub async fn ensure<C: Cloud>(
    cloud: &C,
    names: Names<'_>,
    settings: &Settings,
    scope: Scope<'_>,
) -> Result<Function, DatabaseError> {
    let function_name = names.of(NameKind::RotationFunction);
    let role_arn = role_with_policy(cloud, names, scope).await?;

    // Before the function: Lambda would create its group itself, keeping logs forever.
    let logs = names.aws_log_group(AwsLogGroup::RotationFunction);
    crate::log_groups_first::ensure(cloud.logs(), &logs, scope.kms_key_arn, scope.tags).await?;

    let function = function_settings(names, settings, scope, role_arn);
    if let Some(existing) = cloud.lambda().function(&function_name).await? {
        return brought_up_to_date(cloud, existing, &function, scope.started_at).await;
    }
    match cloud.lambda().create_function(&function).await {
        Ok(()) => tracing::info!(function = %function_name, "rotation function created"),
        // A new role is not assumable by Lambda for some seconds, and its new inline policy not
        // yet in force when Lambda checks that it may make the function's network interfaces
        // (IAM user guide, "Troubleshooting IAM": changes are eventually consistent).
        Err(error)
            if error.is_code("InvalidParameterValueException")
                && (error.to_string().contains("cannot be assumed")
                    || error.to_string().contains("CreateNetworkInterface")) =>
        {
            return Err(DatabaseError::RoleNotAssumableYet(error));
        }
        Err(error) if error.is_code("ResourceConflictException") => {}
        Err(error) => return Err(error.into()),
    }
    cloud
        .lambda()
        .function(&function_name)
        .await?
        .ok_or(DatabaseError::NotVisibleYet(function_name))
}

/// The function's role, made when absent, with its inline policy put; its ARN.
async fn role_with_policy<C: Cloud>(
    cloud: &C,
    names: Names<'_>,
    scope: Scope<'_>,
) -> Result<String, DatabaseError> {
    let role_name = names.of(NameKind::RotationRole);
    let role_arn = role(cloud, &role_name, scope.tags).await?;
    let arns = ArnScope::new(region_of(scope.sibling_arn), account_of(scope.sibling_arn));
    let cluster = names.of(NameKind::EcsCluster);
    let service = names.of(NameKind::EcsService);
    let policy = document(PolicyArns {
        secret: scope.app_secret_arn,
        api_keys_secret: scope.api_keys_secret_arn,
        master_secret: scope.master_secret_arn,
        cache_secret: &arns.regional(
            "secretsmanager",
            &format!("secret:{}-??????", names.of(NameKind::CacheAuthSecret)),
        ),
        replication_group: &arns.regional(
            "elasticache",
            &format!(
                "replicationgroup:{}",
                names.of(NameKind::CacheReplicationGroup)
            ),
        ),
        service: &arns.regional("ecs", &format!("service/{cluster}/{service}")),
        key: scope.kms_key_arn,
        log_group: &arns.regional(
            "logs",
            &format!(
                "log-group:{}",
                names.aws_log_group(AwsLogGroup::RotationFunction)
            ),
        ),
    });
    cloud
        .roles()
        .put_policy(&role_name, POLICY_NAME, &policy.to_string())
        .await?;
    Ok(role_arn)
}

/// The function this deployment wants, running as `role_arn`.
fn function_settings(
    names: Names<'_>,
    settings: &Settings,
    scope: Scope<'_>,
    role_arn: String,
) -> FunctionSettings {
    let mut environment = vec![
        ("DB_CA_BUNDLE", CA_BUNDLE_PATH.to_owned()),
        // The Redis token's rotation restarts the service's tasks (functions/rotation,
        // `cache_token`) and waits for ElastiCache to apply a new token.
        ("ECS_CLUSTER", names.of(NameKind::EcsCluster)),
        ("ECS_SERVICE", names.of(NameKind::EcsService)),
        ("CACHE_TOKEN_WAIT_SECONDS", TOKEN_WAIT_SECONDS.to_string()),
    ];
    if scope.database_pauses {
        let seconds = RESUME_CONNECT_TIMEOUT_SECONDS.to_string();
        environment.push(("DB_CONNECT_TIMEOUT_SECONDS", seconds));
    }
    FunctionSettings {
        name: names.of(NameKind::RotationFunction),
        description: "Secrets Manager rotation of the environment's database user",
        role_arn,
        code_bucket: settings.code_bucket.clone(),
        code_key: settings.code_key.clone(),
        code_sha256: settings.code_sha256.clone(),
        architecture: settings.architecture.clone(),
        subnet_ids: scope.subnet_ids.to_vec(),
        security_group_ids: vec![scope.security_group_id.to_owned()],
        environment,
        timeout_seconds: TIMEOUT_SECONDS,
        tags: scope.tags.to_vec(),
    }
}

/// What a function made by an earlier deployment of the backend lacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Drift {
    /// Another package, or one built for another architecture.
    Code,
    /// Another timeout or environment.
    Configuration,
}

/// The change `function` needs to be what `desired` describes; the code first. Its network
/// settings are not compared: the security group rules are what limit it.
pub fn drift(function: &Function, desired: &FunctionSettings) -> Option<Drift> {
    if function.code_sha256 != desired.code_sha256 || function.architecture != desired.architecture
    {
        return Some(Drift::Code);
    }
    (function.timeout_seconds != desired.timeout_seconds
        || function.environment != desired.variables())
    .then_some(Drift::Configuration)
}

/// Brings a function an earlier deployment made to this deployment's package and settings (so a
/// redeploy reaches existing environments on their next provision), one change per call: Lambda
/// refuses a change while another is in progress (`ResourceConflictException`, Lambda developer
/// guide, "Lambda function states"), so the code goes first and the configuration on a later
/// call. The function comes back marked `updating` while it differs or a change is under way.
///
/// A change Lambda reports `Failed` keeps "the function's previous code and configuration" (same
/// page): when it was made during this request (`started_at`), the function is left as it is, still
/// rotating with its previous package, and the next provision tries again; a failure from before
/// is tried again now.
async fn brought_up_to_date<C: Cloud>(
    cloud: &C,
    mut function: Function,
    desired: &FunctionSettings,
    started_at: SystemTime,
) -> Result<Function, DatabaseError> {
    let Some(drift) = drift(&function, desired) else {
        return Ok(function);
    };
    if function.updating || function.state == PENDING {
        // Lambda would refuse a change now; the next call makes it.
        function.updating = true;
        return Ok(function);
    }
    if let Some(reason) = &function.update_failure {
        // LastModified is to the second.
        let since_start = function.last_modified >= Some(started_at - Duration::from_secs(1));
        if since_start {
            tracing::warn!(function = %desired.name, ?drift, %reason, "the update failed; the function keeps its previous package and settings until the next provision");
            return Ok(function);
        }
    }
    let change = match drift {
        Drift::Code => cloud.lambda().update_function_code(desired).await,
        Drift::Configuration => cloud.lambda().update_function_configuration(desired).await,
    };
    match change {
        Ok(()) => tracing::info!(function = %desired.name, ?drift, "rotation function updated"),
        // A change another call started meanwhile: the next call looks again.
        Err(error) if error.is_code("ResourceConflictException") => {}
        Err(error) => return Err(error.into()),
    }
    function.updating = true;
    Ok(function)
}

/// Whether the secret rotates every `days` with this function.
pub fn rotates_with(secret: &Secret, function: &Function, days: i64) -> bool {
    let rotation = &secret.rotation;
    rotation.enabled
        && rotation.days == Some(days)
        && rotation.lambda_arn.as_deref() == Some(function.arn.as_str())
}

/// Lets Secrets Manager of this account invoke the function (Secrets Manager user guide,
/// "Permissions for rotation": the resource policy with `aws:SourceAccount`), then turns the
/// secret's rotation on.
pub async fn turn_on<C: Cloud>(
    cloud: &C,
    secret: &Secret,
    function: &Function,
    days: i64,
    immediately: bool,
) -> Result<(), DatabaseError> {
    let account = account_of(&function.arn);
    let permission = cloud
        .lambda()
        .allow_invoke(&function.arn, PERMISSION_ID, SECRETS_MANAGER, account)
        .await;
    crate::api::created(permission, "ResourceConflictException")?;
    let rotation = RotationRequest {
        lambda_arn: Some(&function.arn),
        days,
        immediately,
    };
    cloud.secrets().rotate(&secret.arn, &rotation).await?;
    tracing::info!(secret = %secret.arn, days, immediately, "rotation turned on");
    Ok(())
}

/// Deletes the function, then its role's inline policy and the role.
pub async fn delete<C: Cloud>(cloud: &C, names: Names<'_>) -> Result<(), DatabaseError> {
    let function_name = names.of(NameKind::RotationFunction);
    if cloud.lambda().function(&function_name).await?.is_some() {
        // Lambda releases the function's VPC network interfaces afterwards; the network teardown
        // waits for them.
        cloud.lambda().delete_function(&function_name).await?;
    }
    let role_name = names.of(NameKind::RotationRole);
    let roles = cloud.roles();
    if roles.arn(&role_name).await?.is_some() {
        let removed = roles.delete_policy(&role_name, POLICY_NAME).await;
        crate::api::found(removed, &["NoSuchEntity"])?;
        roles.delete(&role_name).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_lambda_may_assume_the_role() {
        let trust: serde_json::Value = serde_json::from_str(&trust_policy()).unwrap();
        let statement = &trust["Statement"][0];
        assert_eq!(statement["Principal"]["Service"], "lambda.amazonaws.com");
        assert_eq!(statement["Action"], "sts:AssumeRole");
    }
}
