//! The database function end to end against the fake, one file per behaviour: [`inputs`],
//! [`cluster`], [`capacity`], [`logs`], [`credentials`], [`rotation_function`] and [`delete`].
//! Here: the requests, settings and steps they share (the status tests use them too).

mod capacity;
mod cluster;
mod credentials;
mod delete;
mod inputs;
mod logs;
mod rotation_function;

use super::*;
use crate::api::SecretCalls;
use crate::fake::FakeCloud;
use crate::settings::Settings;
use ::secrets::fake::StoredSecret;
use env_core::contract::Outputs;
use env_core::outputs::example::{self, handed_on};
use env_core::outputs::{ComponentOutputs, NetworkOutputs};
use env_core::spec::EnvironmentSpec;
use env_core::Status;
use serde_json::json;
use serde_json::Value;

/// The master user's secret RDS makes with the cluster, by name and by ARN.
pub(crate) const MASTER_SECRET: &str = "rds!cluster-aurora-pr-42";
const MASTER_SECRET_ARN: &str =
    "arn:aws:secretsmanager:us-west-2:123456789012:secret:rds!cluster-aurora-pr-42-AbCdEf";
pub(crate) const APP_SECRET: &str = "secret-db-app-pr-42";
pub(crate) const API_KEYS_SECRET: &str = "secret-api-keys-pr-42";

/// Changes the secret `name` as someone by hand, or AWS, would.
pub(crate) fn change_secret(cloud: &FakeCloud, name: &str, change: impl FnOnce(&mut StoredSecret)) {
    change(cloud.secrets.store().secrets.get_mut(name).unwrap());
}

/// Changes the environment's two secrets (not the master secret RDS manages) as someone by hand,
/// or AWS, would.
fn change_environment_secrets(cloud: &FakeCloud, change: impl Fn(&mut StoredSecret)) {
    for name in [APP_SECRET, API_KEYS_SECRET] {
        change_secret(cloud, name, &change);
    }
}

pub(crate) use env_core::spec::example::with as spec;

const KEY: &str = "arn:aws:kms:us-west-2:123456789012:key/k-1";

fn network_outputs() -> Outputs {
    handed_on(example::network())
}

pub(crate) fn request(action: Action, spec: EnvironmentSpec) -> Request {
    Request {
        action,
        spec,
        outputs: network_outputs(),
        started_at: std::time::SystemTime::now(),
    }
}

const PACKAGE_SHA256: &str = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";

pub(crate) fn settings(rotate_immediately: bool) -> Result<Settings, Misconfigured> {
    Ok(Settings {
        code_bucket: "artifacts".into(),
        code_key: "rotation/rotation.zip".into(),
        code_sha256: PACKAGE_SHA256.into(),
        rotate_immediately,
        architecture: "arm64".into(),
        role_boundary: "arn:aws:iam::123456789012:policy/catalog-environments-role-boundary".into(),
    })
}

pub(crate) async fn run(
    cloud: &FakeCloud,
    action: Action,
    extra: Value,
) -> Result<Response, DatabaseError> {
    handle(cloud, &settings(true), request(action, spec(extra))).await
}

/// `action` on the usual spec, with `settings` instead of the usual ones.
pub(crate) async fn run_with(
    cloud: &FakeCloud,
    settings: &Result<Settings, Misconfigured>,
    action: Action,
) -> Result<Response, DatabaseError> {
    handle(cloud, settings, request(action, spec(json!({})))).await
}

/// The changes recorded since the last time this was asked, of the fake and its log groups and roles.
pub(crate) fn changes(cloud: &FakeCloud) -> Vec<&'static str> {
    std::mem::take(&mut cloud.recorder.lock().changes)
}

/// Creates everything and lets AWS make it available.
pub(crate) async fn ready(cloud: &FakeCloud, extra: Value) -> Response {
    run(cloud, Action::Create, extra.clone()).await.unwrap();
    run(cloud, Action::Create, extra.clone()).await.unwrap();
    cloud.set_all("available");
    let response = run(cloud, Action::Create, extra.clone()).await.unwrap();
    assert_eq!(response.status, Status::InProgress);
    let response = run(cloud, Action::Create, extra).await.unwrap();
    assert_eq!(response.status, Status::Ready);
    changes(cloud);
    response
}

/// Created as far as AWS allows while the cluster and its instances are still `creating`, then
/// made available: the next create makes the credentials.
pub(crate) async fn cluster_available(cloud: &FakeCloud) {
    run(cloud, Action::Create, json!({})).await.unwrap();
    run(cloud, Action::Create, json!({})).await.unwrap();
    cloud.set_all("available");
}

/// The error of the first of up to `calls` runs of `action` that fails; `failing` names the call
/// the test made fail, which these runs must reach.
async fn first_error(
    cloud: &FakeCloud,
    action: Action,
    extra: Value,
    calls: usize,
    failing: &str,
) -> DatabaseError {
    let mut error = None;
    for _ in 0..calls {
        if let Err(failure) = run(cloud, action, extra.clone()).await {
            error = Some(failure);
            break;
        }
    }
    error.unwrap_or_else(|| panic!("{failing} was never called"))
}

/// Changes the rotation function as AWS, or someone by hand, would.
fn change_rotation_function(cloud: &FakeCloud, change: impl FnOnce(&mut crate::api::Function)) {
    change(
        &mut cloud
            .lambda
            .world()
            .functions
            .get_mut("rotation-pr-42")
            .unwrap()
            .1,
    );
}

/// What a redeploy changes: a new package (whose key carries its hash), for `architecture`.
fn redeployed(architecture: &str) -> Result<Settings, Misconfigured> {
    Ok(Settings {
        code_key: "rotation/0123456789abcdef.zip".into(),
        code_sha256: "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=".into(),
        architecture: architecture.into(),
        ..settings(true).unwrap()
    })
}
