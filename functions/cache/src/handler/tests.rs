//! The cache function end to end against the fake: what each action makes, keeps and removes, one
//! file per behaviour: [`create`], [`inputs`], [`token_secret`], [`delete`], [`status`], [`asleep`]
//! and [`wake`]. Here:
//! the requests and the looks into the fake they share.

mod asleep;
mod create;
mod delete;
mod inputs;
mod serverless;
mod serverless_delete;
mod serverless_rotation;
mod status;
mod token_secret;
mod wake;

use super::*;
use crate::api::GroupPlan;
use crate::fake::Fake;
use env_core::contract::Outputs;
use env_core::outputs::example::{self, handed_on};
use env_core::spec::EnvironmentSpec;
use env_core::Status;
use secrets::fake::StoredSecret;
use secrets::Rotation;
use serde_json::{json, Value};

const KEY: &str = "arn:aws:kms:us-west-2:123456789012:key/k-1";

use env_core::spec::example::with as spec;

fn network_outputs() -> Outputs {
    handed_on(example::network())
}

async fn run(fake: &Fake, action: Action, spec: &EnvironmentSpec) -> Result<Response, CacheError> {
    run_with(fake, action, spec, network_outputs()).await
}

/// `action` with `outputs` as the earlier components' outputs.
async fn run_with(
    fake: &Fake,
    action: Action,
    spec: &EnvironmentSpec,
    outputs: Outputs,
) -> Result<Response, CacheError> {
    let request = Request {
        action,
        spec: spec.clone(),
        outputs,
        started_at: std::time::SystemTime::now(),
    };
    handle(fake, request).await
}

fn plan(fake: &Fake) -> GroupPlan {
    fake.elasticache.world().groups["redis-pr-42"].1.clone()
}

/// The environment's token secret as the fake Secrets Manager holds it.
const SECRET: &str = "secret-redis-auth-pr-42";

fn stored_secret(fake: &Fake) -> StoredSecret {
    fake.secrets.store().secrets[SECRET].clone()
}

fn secret_json(fake: &Fake) -> Value {
    serde_json::from_str(stored_secret(fake).value.expose()).unwrap()
}

/// Changes the token secret by hand, as someone outside the function would.
fn edit_secret(fake: &Fake, edit: impl FnOnce(&mut StoredSecret)) {
    edit(fake.secrets.store().secrets.get_mut(SECRET).unwrap());
}

/// Someone deletes the token secret with a recovery window: it waits for deletion.
fn schedule_secret_deletion(fake: &Fake) {
    edit_secret(fake, |secret| secret.scheduled_for_deletion = true);
}

/// Rotation on with `lambda` every `days`, rotated once already.
fn rotating_with(lambda: &str, days: i64) -> Rotation {
    Rotation {
        enabled: true,
        days: Some(days),
        lambda_arn: Some(lambda.to_owned()),
        rotated: true,
    }
}

/// ElastiCache has made the group available, and the database function its rotation function.
fn available_with_the_rotation_function(fake: &Fake) {
    fake.elasticache.world().settle();
    fake.lambda.world().add("rotation-pr-42", "Active");
}

/// A cache `create` has finished, with `create`'s READY answer.
async fn created(fake: &Fake, spec: &EnvironmentSpec) -> Response {
    run(fake, Action::Create, spec).await.unwrap();
    available_with_the_rotation_function(fake);
    let ready = run(fake, Action::Create, spec).await.unwrap();
    assert_eq!(ready.status, Status::Ready);
    ready
}
