//! The application's credentials, once the cluster is available (the secret names its writer
//! endpoint): its secret rotating every 30 days with the environment's rotation Lambda (and, when
//! rotation runs at once, rotated once, which created the database user), and the API keys secret;
//! each secret with the resource policy that lets only its readers read it
//! ([`env_core::secret_policy`]).

use crate::api::{Cloud, Cluster, Secret, SecretCalls, State};
use crate::handler::{DatabaseError, DATABASE_NAME, ROTATION_DAYS};
use crate::inputs::Cx;
use crate::rotation_function::{self, Scope};
use crate::secrets::{self, AppDatabase, Wanted};
use env_core::arn::account_of;
use env_core::context::Context;
use env_core::contract::Outputs;
use env_core::naming::NameKind;
use env_core::secret_policy::EnvironmentSecret;
use serde_json::json;

/// The application secret, the API keys secret and the rotation Lambda, once the cluster is
/// available (the secret names its writer endpoint). Whether all of them are ready; their ARNs go
/// into `outputs`. `pauses`: Aurora may be paused when the rotation function connects.
pub async fn ensure<C: Cloud>(
    cx: &Cx<'_, C>,
    cluster_state: State,
    cluster: &Cluster,
    pauses: bool,
    outputs: &mut Outputs,
) -> Result<bool, DatabaseError> {
    let (State::Available, Some(master), Some(host), Some(port)) = (
        cluster_state,
        &cluster.master_secret_arn,
        &cluster.writer_endpoint,
        cluster.port,
    ) else {
        return Ok(false);
    };
    let database = AppDatabase {
        host,
        port,
        dbname: cluster.database_name.as_deref().unwrap_or(DATABASE_NAME),
        master_secret_arn: master,
    };
    let (app, api_keys) = ensure_secrets(cx, database, outputs).await?;
    let network = cx.inputs.network;
    let scope = Scope {
        app_secret_arn: &app.arn,
        api_keys_secret_arn: &api_keys.arn,
        master_secret_arn: database.master_secret_arn,
        kms_key_arn: &network.kms_key_arn,
        sibling_arn: &cluster.arn,
        subnet_ids: &network.private_subnets,
        security_group_id: &network.rotation_security_group,
        tags: &cx.tags,
        started_at: cx.inputs.started_at,
        database_pauses: pauses,
    };
    rotating(cx, scope, [&app, &api_keys], outputs).await
}

/// The application secret and the API keys secret, each with its resource policy.
async fn ensure_secrets<C: Cloud>(
    cx: &Cx<'_, C>,
    database: AppDatabase<'_>,
    outputs: &mut Outputs,
) -> Result<(Secret, Secret), DatabaseError> {
    let key = cx.inputs.network.kms_key_arn.as_str();
    let app = secrets::ensure(
        cx.cloud,
        Wanted {
            name: cx.names.of(NameKind::DatabaseSecret),
            description: "Credentials of the application's database user, rotated every 30 days",
            kms_key_arn: key,
            tags: &cx.tags,
        },
        |password| secrets::app_value(database, password),
    )
    .await?;
    outputs.insert("dbAppSecretArn".into(), json!(app.arn));
    let api_keys = secrets::ensure(
        cx.cloud,
        Wanted {
            name: cx.names.of(NameKind::ApiKeysSecret),
            description: "API keys of the environment's service",
            kms_key_arn: key,
            tags: &cx.tags,
        },
        secrets::api_keys_value,
    )
    .await?;
    outputs.insert("apiKeysSecretArn".into(), json!(api_keys.arn));
    // Put on every call (it replaces the policy whole), so a hand-edited policy is put back.
    for (secret, which) in [
        (&app, EnvironmentSecret::DatabaseCredentials),
        (&api_keys, EnvironmentSecret::ApiKeys),
    ] {
        let policy = which.policy(cx.names, account_of(&secret.arn));
        cx.cloud
            .secrets()
            .put_policy(&secret.arn, &policy.to_string())
            .await?;
    }
    Ok((app, api_keys))
}

/// The rotation Lambda, and both secrets rotating with it; whether they are.
async fn rotating<C: Cloud>(
    cx: &Cx<'_, C>,
    scope: Scope<'_>,
    [app, api_keys]: [&Secret; 2],
    outputs: &mut Outputs,
) -> Result<bool, DatabaseError> {
    let settings = cx.inputs.settings;
    let function = rotation_function::ensure(cx.cloud, cx.names, settings, scope).await?;
    outputs.insert("rotationFunctionArn".into(), json!(function.arn));
    if function.updating {
        // READY only once the function runs this deployment's package and settings.
        return Ok(false);
    }

    // Both secrets rotate with the function (the API keys by its `api_keys` strategy), the
    // first rotation at once: the keys' first rotation only replaces the key made here, and
    // proves that the function can rotate them.
    let turned_off: Vec<&Secret> = [app, api_keys]
        .into_iter()
        .filter(|secret| !rotation_function::rotates_with(secret, &function, ROTATION_DAYS))
        .collect();
    if turned_off.is_empty() {
        // The first rotation creates the database user (functions/rotation); until it has run
        // once, the service would be handed credentials that do not log in.
        return Ok(app.rotation.rotated || !settings.rotate_immediately);
    }
    // Secrets Manager invokes the function at once when rotating immediately: it must be Active.
    if function.state == rotation_function::ACTIVE {
        for secret in turned_off {
            rotation_function::turn_on(
                cx.cloud,
                secret,
                &function,
                ROTATION_DAYS,
                settings.rotate_immediately,
            )
            .await?;
        }
    }
    Ok(false)
}

/// Deletes both secrets.
pub async fn delete<C: Cloud, I>(cx: &Context<'_, C, I>) -> Result<(), DatabaseError> {
    // Without forceDestroy, the default recovery window (30 days) leaves a way back from a
    // teardown by mistake; a create of the same environment restores them.
    for kind in [NameKind::DatabaseSecret, NameKind::ApiKeysSecret] {
        secrets::delete(cx.cloud, &cx.names.of(kind), cx.fields().force_destroy).await?;
    }
    Ok(())
}
