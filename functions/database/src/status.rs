//! `status`: the database as it is, read without a single write. The provision's wait loop calls
//! `create` to continue; `status` looks every resource `create` makes up by the name `create` gives
//! it (with the finders `create` and `delete` use) and creates, changes, tags or deletes nothing.
//!
//! - DELETED when none of them exists: the same resources a teardown removes before it answers
//!   DELETED, a secret scheduled for deletion counting as gone (a teardown without `forceDestroy`
//!   leaves it so).
//! - READY, with exactly the outputs `create` answers, when all of them exist and pass the tests
//!   `create` is READY on: the cluster and both instances `available`, the master secret rotating
//!   every 30 days, both secrets rotating with the rotation function, which no update is changing,
//!   and the application secret rotated once when rotation runs at once (the first rotation
//!   creates the database user).
//! - IN_PROGRESS with the outputs it can read otherwise; none while the cluster is being deleted,
//!   as `create` answers then.
//! - The error `create` answers for a cluster or instance in a failed state, or for a master secret
//!   gone from an available cluster.
//!
//! What `create` puts back on every call instead of waiting for it (the TLS parameter, the log
//! groups' key and retention, the secrets' and the role's policies, a capacity range or rotation
//! package newer than the resources) is not judged: the resources work as they are meanwhile, and
//! only a write could tell whether AWS takes the change.

use crate::api::{
    Cloud, Cluster, Function, Instance, LambdaCalls, RdsCalls, Rotation, Secret, SecretCalls, State,
};
use crate::cluster::outputs_of;
use crate::handler::{DatabaseError, ROTATION_DAYS};
use crate::log_groups_first::GROUPS;
use crate::rotation_function::rotates_with;
use crate::settings::Settings;
use env_core::contract::Outputs;
use env_core::naming::{NameKind, Names};
use env_core::spec::EnvironmentSpec;
use env_core::{Response, Status};
use iam_roles::RoleCalls;
use log_groups::LogGroupCalls;
use serde_json::json;

/// Everything `create` makes, as the finders answer.
struct Found {
    /// Whether each group exists: the subnet group, the parameter group, the two log groups.
    groups: Vec<bool>,
    cluster: Option<Cluster>,
    /// The master secret's ARN and its rotation (`None`: the secret is gone); read only of an
    /// available cluster, as `create` sets the schedule only then.
    master: Option<(String, Option<Rotation>)>,
    /// The writer, then the reader.
    instances: Vec<Option<Instance>>,
    app_secret: Option<Secret>,
    api_keys_secret: Option<Secret>,
    role: Option<String>,
    function: Option<Function>,
}

impl Found {
    async fn read<C: Cloud>(cloud: &C, names: Names<'_>) -> Result<Self, DatabaseError> {
        let mut groups = vec![
            cloud
                .rds()
                .subnet_group_exists(&names.of(NameKind::DbSubnetGroup))
                .await?,
            cloud
                .rds()
                .parameter_group_exists(&names.of(NameKind::DbClusterParameterGroup))
                .await?,
        ];
        for group in GROUPS {
            let name = names.aws_log_group(group);
            groups.push(cloud.logs().exists(&name).await?);
        }
        let cluster = cloud
            .rds()
            .cluster(&names.of(NameKind::AuroraCluster))
            .await?;
        let master = cluster
            .as_ref()
            .filter(|cluster| State::from_aws(&cluster.status) == State::Available)
            .and_then(|cluster| cluster.master_secret_arn.as_deref());
        let master = match master {
            Some(arn) => Some((
                arn.to_owned(),
                crate::secrets::master_rotation(cloud, arn).await?,
            )),
            None => None,
        };
        let mut instances = Vec::new();
        for kind in [NameKind::AuroraWriter, NameKind::AuroraReader] {
            instances.push(cloud.rds().instance(&names.of(kind)).await?);
        }
        let app_secret = live_secret(cloud, &names.of(NameKind::DatabaseSecret)).await?;
        let api_keys_secret = live_secret(cloud, &names.of(NameKind::ApiKeysSecret)).await?;
        let role = cloud.roles().arn(&names.of(NameKind::RotationRole)).await?;
        let function = cloud
            .lambda()
            .function(&names.of(NameKind::RotationFunction))
            .await?;
        Ok(Self {
            groups,
            cluster,
            master,
            instances,
            app_secret,
            api_keys_secret,
            role,
            function,
        })
    }

    fn nothing(&self) -> bool {
        !self.groups.contains(&true)
            && self.cluster.is_none()
            && self.instances.iter().all(Option::is_none)
            && self.app_secret.is_none()
            && self.api_keys_secret.is_none()
            && self.role.is_none()
            && self.function.is_none()
    }

    /// The outputs `create` answers, of what exists.
    fn outputs(&self) -> Outputs {
        let mut outputs = self.cluster.as_ref().map(outputs_of).unwrap_or_default();
        let arns = [
            ("dbAppSecretArn", self.app_secret.as_ref().map(|s| &s.arn)),
            (
                "apiKeysSecretArn",
                self.api_keys_secret.as_ref().map(|s| &s.arn),
            ),
            (
                "rotationFunctionArn",
                self.function.as_ref().map(|f| &f.arn),
            ),
        ];
        for (key, arn) in arns {
            if let Some(arn) = arn {
                outputs.insert(key.into(), json!(arn));
            }
        }
        outputs
    }

    /// `create`'s READY tests, on what exists.
    fn ready(&self, settings: &Settings) -> bool {
        let Some(cluster) = &self.cluster else {
            return false;
        };
        let instances_available = self.instances.iter().all(|instance| {
            instance
                .as_ref()
                .is_some_and(|instance| State::from_aws(&instance.status) == State::Available)
        });
        // `create` makes the application's credentials only with the writer's endpoint and port.
        let reachable = cluster.writer_endpoint.is_some() && cluster.port.is_some();
        !self.groups.contains(&false)
            && State::from_aws(&cluster.status) == State::Available
            && instances_available
            && matches!(&self.master, Some((_, Some(rotation))) if scheduled(rotation))
            && reachable
            && self.role.is_some()
            && self.credentials_ready(settings)
    }

    fn credentials_ready(&self, settings: &Settings) -> bool {
        let (Some(app), Some(api_keys), Some(function)) =
            (&self.app_secret, &self.api_keys_secret, &self.function)
        else {
            return false;
        };
        let rotating = [app, api_keys]
            .into_iter()
            .all(|secret| rotates_with(secret, function, ROTATION_DAYS));
        !function.updating && rotating && (app.rotation.rotated || !settings.rotate_immediately)
    }
}

/// The error `create` answers for a cluster or instance in a state that waiting does not fix.
fn not_failed(id: &str, status: &str) -> Result<(), DatabaseError> {
    match State::from_aws(status) {
        State::Failed => Err(DatabaseError::Failed(id.to_owned(), status.to_owned())),
        _ => Ok(()),
    }
}

fn scheduled(rotation: &Rotation) -> bool {
    rotation.enabled && rotation.days == Some(ROTATION_DAYS)
}

/// The secret by name, unless it waits out its recovery window: that is what a teardown leaves,
/// gone until `create` restores it.
async fn live_secret<C: Cloud>(cloud: &C, name: &str) -> Result<Option<Secret>, DatabaseError> {
    let secret = cloud.secrets().describe(name).await?;
    Ok(secret.filter(|secret| !secret.scheduled_for_deletion))
}

/// Reads the environment's database; see the module's documentation for what it answers.
pub async fn status<C: Cloud>(
    cloud: &C,
    spec: &EnvironmentSpec,
    settings: &Settings,
) -> Result<Response, DatabaseError> {
    let found = Found::read(cloud, Names::new(spec.suffix())).await?;
    if found.nothing() {
        return Ok(Response::new(Status::Deleted, Outputs::new()));
    }
    // In `create`'s order: the cluster's state before the instances'.
    if let Some(cluster) = &found.cluster {
        not_failed(&cluster.id, &cluster.status)?;
        if State::from_aws(&cluster.status) == State::Deleting {
            // A teardown still running: what it removes is not handed on, as `create` answers then.
            return Ok(Response::new(Status::InProgress, Outputs::new()));
        }
    }
    for instance in found.instances.iter().flatten() {
        not_failed(&instance.id, &instance.status)?;
    }
    if let Some((arn, None)) = &found.master {
        return Err(DatabaseError::MasterSecretGone(arn.clone()));
    }
    let status = if found.ready(settings) {
        Status::Ready
    } else {
        Status::InProgress
    };
    tracing::info!(?status, "read");
    Ok(Response::new(status, found.outputs()))
}

#[cfg(test)]
#[path = "status_tests.rs"]
mod tests;
