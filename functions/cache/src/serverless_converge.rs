//! `create` of `cacheMode: serverless`, idempotent and called again until READY: the token secret
//! found or made (the same secret as the cluster's), the `default` user with the token as its
//! password and its user group, then the serverless cache. Once the cache is available, the secret
//! is completed with its endpoint and the answer is READY: about a minute after the first call
//! rather than the cluster's 5–10. The token is not rotated in this mode: the rotation function
//! changes a replication group's token, which a serverless cache has none of (README, "Rotation"),
//! so a rotation the cluster turned on (a switch of `cacheMode`) is turned off first, before the
//! user takes the token, and an `AWSPENDING` label an unfinished rotation left is dropped whenever
//! one is found (a rotation step racing the turn-off can write it afterwards).
//!
//! Asleep (`asleep: true`), the cache is deleted as the cluster's replication group is (nothing
//! stays billed but the snapshots), and the secret, the user and the user group stay; waking is
//! this `create` again, the cache made anew with the same user group.

use crate::api::{Cloud, GroupState};
use crate::handler::CacheError;
use crate::inputs::Inputs;
use crate::{secret, serverless, serverless_auth};
use env_core::context::Context;
use env_core::contract::Request;
use env_core::naming::NameKind;
use env_core::{Response, Status};

/// CreateServerlessCache's refusal of a user group that is not `active` (API reference).
const INVALID_USER_GROUP_STATE: &str = "InvalidUserGroupState";

pub async fn converge<C: Cloud>(cloud: &C, request: &Request) -> Result<Response, CacheError> {
    // Checked before any AWS call: an event without the network's outputs changes nothing.
    let inputs = Inputs::from_outputs(&request.outputs)?;
    let cx = Context::new(cloud, request).with(inputs);
    let token = secret::ensure(&cx).await?;
    // A new secret beside a user that exists: the user's password is the lost token, which no
    // other copy holds, so no client could log in (as the cluster answers a lost secret).
    if token.created && serverless_auth::user_exists(&cx).await? {
        return Err(secret::lost(&cx, &cx.names.of(NameKind::ServerlessCache)));
    }
    let waiting = Response::new(
        Status::InProgress,
        serverless::outputs(&cx, None, &token.arn),
    );
    if secret::rotation_left(&cx, &token.arn, token.rotating).await? {
        // Off before anything takes the token; the token is read again on the next call, since a
        // rotation that finished while this one read it would have changed it.
        secret::stop_rotating(&cx, &token.arn).await?;
        return Ok(waiting);
    }
    let Some(group) = serverless_auth::ensure(&cx, token.token).await? else {
        // A user or user group of the same id is still being deleted: made once it is gone.
        return Ok(waiting);
    };
    if cx.fields().asleep {
        return asleep(&cx, &token.arn).await;
    }
    let cache = match serverless::find(&cx).await? {
        Some(cache) => cache,
        // The group is made `creating`: the cache is asked for once it is `active`.
        None if !group.active => return Ok(waiting),
        None => match serverless::create(&cx, group.id).await {
            // The group left `active` between the describe and the create (a cache of this
            // environment deleted a moment ago can leave it `modifying`): asked again next call.
            Err(error) if error.is_code(INVALID_USER_GROUP_STATE) => return Ok(waiting),
            created => created?,
        },
    };
    let status = if !serverless::in_service(&cache)? {
        // Still deleting (put to sleep a moment ago): made again once it is gone.
        Status::InProgress
    } else if cache.state() == GroupState::Available {
        secret::complete(&cx, &token.arn, cache.endpoint.as_ref()).await?;
        // Again once ready, so a hand-edited policy is put back.
        secret::protect(&cx, &token.arn).await?;
        Status::Ready
    } else {
        Status::InProgress
    };
    tracing::info!(cache = %cache.name, state = ?cache.state(), "serverless cache");
    let outputs = serverless::outputs(&cx, cache.endpoint.as_ref(), &token.arn);
    Ok(Response::new(status, outputs))
}

/// The asleep shape: no cache, the rest kept. READY once ElastiCache has removed the cache.
async fn asleep<C: Cloud>(
    cx: &Context<'_, C, Inputs>,
    secret_arn: &str,
) -> Result<Response, CacheError> {
    let status = match serverless::find(cx).await? {
        Some(cache) => {
            serverless::start_deleting(cx, &cache).await?;
            tracing::info!(cache = %cache.name, state = ?cache.state(), "asleep: deleting the cache");
            Status::InProgress
        }
        None => {
            // Again once asleep, as once awake: a hand-edited policy is put back.
            secret::protect(cx, secret_arn).await?;
            Status::Ready
        }
    };
    Ok(Response::new(
        status,
        serverless::outputs(cx, None, secret_arn),
    ))
}
