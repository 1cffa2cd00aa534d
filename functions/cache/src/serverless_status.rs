//! `status` of `cacheMode: serverless`, reading only: READY with exactly `create`'s outputs once
//! `create` has nothing left to do (among it: the token's rotation off and no `AWSPENDING` an
//! unfinished rotation left), DELETED when none of the cache's resources exists (a secret
//! scheduled for deletion counts as gone, as `delete` judges), IN_PROGRESS otherwise. A cache that
//! failed to create, or one whose token secret is gone, fails as `create` does.

use crate::api::{Cloud, GroupState, ServerlessCache};
use crate::handler::CacheError;
use crate::{secret, serverless, serverless_auth};
use env_core::context::Context;
use env_core::contract::{Outputs, Request};
use env_core::naming::NameKind;
use env_core::{Response, Status};
use secrets::{Secret, SecretCalls};
use serde_json::json;

pub async fn status<C: Cloud>(cloud: &C, request: &Request) -> Result<Response, CacheError> {
    // Reads by name alone: the network's outputs are needed only to create.
    let cx = Context::new(cloud, request);
    let cache = serverless::find(&cx).await?;
    if cx.fields().asleep {
        return asleep(&cx, cache.as_ref()).await;
    }
    let Some(cache) = cache else {
        return without_cache(&cx).await;
    };
    if !serverless::in_service(&cache)? {
        return Ok(Response::new(Status::InProgress, Outputs::new()));
    }
    let secret = secret::of_cache(&cx, &cache.name).await?;
    // A rotation still on (a switch from the cluster) or its label left is what `create` clears
    // first.
    let ready = cache.state() == GroupState::Available
        && !secret::rotation_left(&cx, &secret.arn, secret.rotation.enabled).await?
        && secret::completion(&cx, &secret.arn, cache.endpoint.as_ref())
            .await?
            .done;
    let status = if ready {
        Status::Ready
    } else {
        Status::InProgress
    };
    let outputs = serverless::outputs(&cx, cache.endpoint.as_ref(), &secret.arn);
    Ok(Response::new(status, outputs))
}

/// No cache, awake: DELETED when nothing else is left either, IN_PROGRESS while `create` has made
/// only part or `delete` has removed only part.
async fn without_cache<C: Cloud>(cx: &Context<'_, C>) -> Result<Response, CacheError> {
    let secret = secret::live(cx).await?;
    let status = if secret.is_none() && !serverless_auth::exists(cx).await? {
        Status::Deleted
    } else {
        Status::InProgress
    };
    Ok(Response::new(status, partial(secret.as_ref())))
}

/// Asleep: READY with `create`'s outputs once the cache is gone and the secret (with a readable
/// token), the user and the user group are there; DELETED when nothing is left.
async fn asleep<C: Cloud>(
    cx: &Context<'_, C>,
    cache: Option<&ServerlessCache>,
) -> Result<Response, CacheError> {
    let secret = secret::live(cx).await?;
    let auth = serverless_auth::exists(cx).await?;
    let status = match (cache, &secret) {
        (None, None) if !auth => Status::Deleted,
        (None, Some(stored))
            if auth && !secret::rotation_left(cx, &stored.arn, stored.rotation.enabled).await? =>
        {
            // The password the next cache's user logs in with must be readable, as `create` needs.
            let value = cx.cloud.secrets().current_value(&stored.arn).await?;
            secret::token_of(&cx.names.of(NameKind::CacheAuthSecret), value.as_ref())?;
            return Ok(Response::new(
                Status::Ready,
                serverless::outputs(cx, None, &stored.arn),
            ));
        }
        _ => Status::InProgress,
    };
    Ok(Response::new(status, partial(secret.as_ref())))
}

/// What `status` shows of a cache `create` has not finished: the secret, when there.
fn partial(secret: Option<&Secret>) -> Outputs {
    let mut outputs = Outputs::new();
    if let Some(secret) = secret {
        outputs.insert("cacheAuthSecretArn".into(), json!(secret.arn));
    }
    outputs
}
