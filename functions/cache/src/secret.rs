//! The AUTH token secret: made with the token before the replication group, completed with the
//! connection details once the group is available, readable only by its readers from its creation
//! on, and rotated every 30 days by the environment's rotation function while the cache is a
//! cluster (a serverless cache turns the rotation off: [`stop_rotating`]).

use crate::api::{CallResult, Cloud, LambdaCalls, Sensitive};
use crate::handler::CacheError;
use crate::inputs::Inputs;
use env_core::arn::account_of;
use env_core::context::Context;
use env_core::naming::{NameKind, Names};
use env_core::secret_policy::{EnvironmentSecret, ROTATION_DAYS};
use env_core::spec::CacheMode;
use secrets::{NewSecret, PasswordRules, RotationRequest, Secret, SecretCalls};
use serde_json::{json, Value};

/// AUTH tokens are 16–128 printable characters, and only `!&#$^<>-` of the punctuation (ElastiCache
/// user guide, "Authenticating with the Redis OSS AUTH command"): 64 letters and digits.
pub const TOKEN_RULES: PasswordRules<'static> = PasswordRules {
    length: 64,
    exclude_characters: "",
    exclude_punctuation: true,
};

/// The secret that holds the token, as [`ensure`] finds or makes it.
#[derive(Debug)]
pub struct TokenSecret {
    pub arn: String,
    /// Its `AWSCURRENT` token: the one a group made now must take.
    pub token: Sensitive,
    /// Made by this call with a new token: whatever took the old token (a serverless cache's
    /// user) cannot take this one without being changed.
    pub created: bool,
    /// Its rotation is on (DescribeSecret's `RotationEnabled`): the cluster turned it on.
    pub rotating: bool,
}

/// The secret and its token: the secret found (restored if it was scheduled for deletion) or made
/// with a new token.
pub async fn ensure<C: Cloud>(cx: &Context<'_, C, Inputs>) -> Result<TokenSecret, CacheError> {
    let secret_name = cx.names.of(NameKind::CacheAuthSecret);
    let secrets = cx.cloud.secrets();
    let (secret_arn, created, rotating) = match restored(cx).await? {
        Some(secret) => (secret.arn, false, secret.rotation.enabled),
        None => {
            let token = secrets.random_password(&TOKEN_RULES).await?;
            let new = NewSecret {
                name: secret_name.clone(),
                description: description(cx),
                kms_key_arn: cx.inputs.kms_key_arn.clone(),
                value: secret_document(cx, &token, None),
                tags: cx.tags.clone(),
            };
            let arn = secrets.create(&new).await?;
            // At once: nobody but its readers reads the token during the group's minutes of creation.
            protect(cx, &arn).await?;
            (arn, true, false)
        }
    };
    let stored = secrets.current_value(&secret_arn).await?;
    let token = token_of(&secret_name, stored.as_ref())?;
    Ok(TokenSecret {
        arn: secret_arn,
        token,
        created,
        rotating,
    })
}

/// The secret, restored first when it was deleted with a recovery window (by hand: a teardown
/// deletes it without one): it holds the token the group knows, which no other copy holds, and a
/// deleted secret's name stays taken until its window ends (docs/aws-behaviour.md, "Teardown: what
/// sticks"), so waiting instead could take 30 days. `None` when there is no such secret.
async fn restored<C: Cloud, I>(cx: &Context<'_, C, I>) -> CallResult<Option<Secret>> {
    let name = cx.names.of(NameKind::CacheAuthSecret);
    cx.cloud.secrets().restored(&name).await
}

/// The secret, unless it is scheduled for deletion: such a one only keeps its name reserved.
pub async fn live<C: Cloud, I>(cx: &Context<'_, C, I>) -> CallResult<Option<Secret>> {
    let secret = cx
        .cloud
        .secrets()
        .describe(&cx.names.of(NameKind::CacheAuthSecret))
        .await?;
    Ok(secret.filter(|secret| !secret.scheduled_for_deletion))
}

/// The secret of an existing cache (`cache`: the replication group's id or the serverless cache's
/// name): without it the cache's token cannot be recovered. Read only: one scheduled for deletion
/// counts as lost until a create restores it ([`restored_of_cache`]).
pub async fn of_cache<C: Cloud, I>(
    cx: &Context<'_, C, I>,
    cache: &str,
) -> Result<Secret, CacheError> {
    live(cx).await?.ok_or_else(|| lost(cx, cache))
}

/// The secret of an existing cache, restored if it was scheduled for deletion.
pub async fn restored_of_cache<C: Cloud, I>(
    cx: &Context<'_, C, I>,
    cache: &str,
) -> Result<Secret, CacheError> {
    restored(cx).await?.ok_or_else(|| lost(cx, cache))
}

pub fn lost<C, I>(cx: &Context<'_, C, I>, cache: &str) -> CacheError {
    CacheError::SecretLost(cache.to_owned(), cx.names.of(NameKind::CacheAuthSecret))
}

/// What the secret holds once its group is available, and whether it holds it already.
#[derive(Debug)]
pub struct Completion {
    pub document: Sensitive,
    pub done: bool,
}

/// Reads the secret's value: its token with the cache's connection details (`endpoint`) is what it
/// should hold.
pub async fn completion<C: Cloud, I>(
    cx: &Context<'_, C, I>,
    secret_arn: &str,
    endpoint: Option<&(String, i32)>,
) -> Result<Completion, CacheError> {
    let current = cx.cloud.secrets().current_value(secret_arn).await?;
    let token = token_of(&cx.names.of(NameKind::CacheAuthSecret), current.as_ref())?;
    let document = secret_document(cx, &token, endpoint);
    // Compared as JSON: the same content in another key order is complete already.
    let done = current.as_ref().and_then(parsed) == parsed(&document);
    Ok(Completion { document, done })
}

/// Completes the secret with the connection details once there are some, so the service reads
/// everything it needs to connect from one place.
pub async fn complete<C: Cloud, I>(
    cx: &Context<'_, C, I>,
    secret_arn: &str,
    endpoint: Option<&(String, i32)>,
) -> Result<(), CacheError> {
    let completion = completion(cx, secret_arn, endpoint).await?;
    if !completion.done {
        cx.cloud
            .secrets()
            .put_value(secret_arn, &completion.document)
            .await?;
    }
    Ok(())
}

/// The secret's resource policy: only its readers read it, only this function changes it
/// ([`env_core::secret_policy`]).
pub async fn protect<C: Cloud, I>(cx: &Context<'_, C, I>, arn: &str) -> Result<(), CacheError> {
    let policy = EnvironmentSecret::CacheAuthToken.policy(cx.names, account_of(arn));
    cx.cloud
        .secrets()
        .put_policy(arn, &policy.to_string())
        .await?;
    Ok(())
}

/// Whether the token already rotates every 30 days with the environment's rotation function.
pub fn rotates_with_ours(names: Names<'_>, secret: &Secret) -> bool {
    let ours = format!(":function:{}", names.of(NameKind::RotationFunction));
    matches!(
        secret.rotation.by_function(),
        Some((lambda, Some(ROTATION_DAYS))) if lambda.ends_with(&ours)
    )
}

/// Whether the token rotates every 30 days with the environment's rotation function, turning
/// rotation on (the first rotation at once) when that function is `Active`. The database function
/// makes the function once Aurora is available; until then the cache waits for it.
pub async fn rotating<C: Cloud, I>(
    cx: &Context<'_, C, I>,
    secret: &Secret,
) -> Result<bool, CacheError> {
    if rotates_with_ours(cx.names, secret) {
        return Ok(true);
    }
    let function_name = cx.names.of(NameKind::RotationFunction);
    // Secrets Manager invokes it as soon as rotation is turned on: it must be `Active` (Lambda
    // developer guide, "Lambda function states").
    match cx.cloud.lambda().function(&function_name).await? {
        Some(function) if function.active() => {
            if !secret.rotation.enabled && secret.rotation.lambda_arn.is_some() {
                // Turned off before (a serverless cache's), a rotation step that was already
                // running can have left `AWSPENDING` on a version after the turn-off; with rotation
                // off nothing else can be pending. Left there, RotateSecret would fail as "a
                // previous rotation isn't complete" on every call (Secrets Manager API reference,
                // RotateSecret). A secret never given a function never rotated: nothing to look for.
                cx.cloud.secrets().drop_pending_left(&secret.arn).await?;
            }
            let request = RotationRequest {
                lambda_arn: Some(&function.arn),
                days: ROTATION_DAYS,
                immediately: true,
            };
            cx.cloud.secrets().rotate(&secret.arn, &request).await?;
            tracing::info!(secret = %secret.arn, "rotation turned on");
            Ok(true)
        }
        _ => {
            tracing::info!(function = %function_name, "waiting for the rotation function");
            Ok(false)
        }
    }
}

/// Whether the token's rotation is on (`enabled`, as DescribeSecret told it) or an unfinished one
/// left its `AWSPENDING` label: a serverless cache has neither once [`stop_rotating`] is done. The
/// label is looked for even with rotation off: a rotation step already running when rotation was
/// turned off can write it afterwards.
pub async fn rotation_left<C: Cloud, I>(
    cx: &Context<'_, C, I>,
    secret_arn: &str,
    enabled: bool,
) -> CallResult<bool> {
    Ok(enabled || cx.cloud.secrets().pending_left(secret_arn).await?)
}

/// Turns the token's rotation off, for a serverless cache: the rotation function changes a
/// replication group's token, and a serverless cache has no group, so a rotation would fail or
/// change the secret without the user's password, locking every client out. Rotation is cancelled
/// first, then an unfinished rotation's `AWSPENDING` label is dropped, so the cluster can turn
/// rotation on again ([`secrets::SecretCalls::stop_rotation`]); with rotation already off, only
/// the label goes. The schedule and the function stay in the secret.
pub async fn stop_rotating<C: Cloud, I>(
    cx: &Context<'_, C, I>,
    secret_arn: &str,
) -> Result<(), CacheError> {
    cx.cloud.secrets().stop_rotation(secret_arn).await?;
    tracing::info!(secret = %secret_arn, "rotation turned off");
    Ok(())
}

/// Deletes the secret without a recovery window; one already scheduled for deletion goes on its own.
pub async fn delete<C: Cloud, I>(cx: &Context<'_, C, I>) -> CallResult<()> {
    if let Some(secret) = live(cx).await? {
        cx.cloud.secrets().delete(&secret.arn, true).await?;
    }
    Ok(())
}

/// The secret's description: whose token it holds.
fn description<C, I>(cx: &Context<'_, C, I>) -> String {
    match cx.fields().cache_mode {
        CacheMode::Cluster => format!(
            "AUTH token of the Redis cluster {}",
            cx.names.of(NameKind::CacheReplicationGroup)
        ),
        CacheMode::Serverless => format!(
            "Password of the default user of the Valkey serverless cache {}",
            cx.names.of(NameKind::ServerlessCache)
        ),
    }
}

/// The secret's JSON: the token and who takes it, and once the cache is available, how to reach
/// it. The cluster's group is named as `replicationGroupId`, which the rotation function changes
/// the token of; the serverless cache and its `default` user are named instead, and nothing else
/// changes the token (its user would need ModifyUser, which the rotation function does not call).
fn secret_document<C, I>(
    cx: &Context<'_, C, I>,
    token: &Sensitive,
    endpoint: Option<&(String, i32)>,
) -> Sensitive {
    let mut document = json!({"authToken": token.expose(), "tls": true});
    match cx.fields().cache_mode {
        CacheMode::Cluster => {
            document["replicationGroupId"] = json!(cx.names.of(NameKind::CacheReplicationGroup));
        }
        CacheMode::Serverless => {
            document["serverlessCacheName"] = json!(cx.names.of(NameKind::ServerlessCache));
            document["userId"] = json!(cx.names.of(NameKind::CacheUser));
        }
    }
    if let Some((host, port)) = endpoint {
        document["host"] = json!(host);
        document["port"] = json!(port);
    }
    Sensitive::new(document.to_string())
}

/// The token in the secret's value; a value that is not this function's JSON, or a binary one
/// (`None`), holds none.
pub fn token_of(name: &str, value: Option<&Sensitive>) -> Result<Sensitive, CacheError> {
    value
        .and_then(|value| serde_json::from_str::<Value>(value.expose()).ok())
        .and_then(|document| document.get("authToken")?.as_str().map(str::to_owned))
        .map(Sensitive::new)
        .ok_or_else(|| CacheError::MalformedSecret(name.to_owned()))
}

fn parsed(value: &Sensitive) -> Option<Value> {
    serde_json::from_str(value.expose()).ok()
}
