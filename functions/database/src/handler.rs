//! Create, report and delete one environment's Aurora PostgreSQL Serverless v2 cluster.
//!
//! `create` converges: each step looks its resource up by name and creates only what is missing
//! (subnet group, parameter group with TLS enforced, cluster, writer, reader), so a retried or
//! repeated call never makes a second cluster; the provision's wait loop calls it again until it
//! answers READY. Once the cluster is available, the master secret RDS manages gets its 30-day
//! rotation schedule. READY when the cluster and both instances are `available` and that schedule
//! is set, and the application's credentials are in place ([`credentials`]): its secret rotating
//! every 30 days with the environment's rotation Lambda (and, when rotation runs at once, rotated
//! once, which created the database user), and the API keys secret; each secret with the resource
//! policy that lets only its readers read it ([`env_core::secret_policy`]).
//!
//! `status` only reads ([`crate::status`]): it answers what `create` would be READY on without
//! creating, changing or deleting anything.
//!
//! `delete` follows the order RDS enforces (docs/aws-behaviour.md, "Teardown: what sticks"): a
//! protected cluster blocks everything unless the spec says `forceDestroy`; then the rotation
//! Lambda and its role (first, so Lambda starts releasing its network interfaces early), the
//! instances, the cluster, the secrets, then the groups the cluster used, which RDS refuses to
//! delete while a cluster uses them.

use crate::api::{
    created, Cloud, Cluster, ClusterSettings, InstanceSettings, RotationRequest, Secret,
    SecretCalls, State,
};
use crate::secrets::{self, AppDatabase, Wanted};
use crate::settings::Settings;
use crate::status::status;
use crate::{log_groups_first, rotation_function, rotation_function::Scope};
use env_core::arn::account_of;
use env_core::contract::{Outputs, Request};
use env_core::naming::{AwsLogGroup, NameKind, Names};
use env_core::outputs::{ComponentOutputs, MissingOutputs, NetworkOutputs};
use env_core::secret_policy::EnvironmentSecret;
use env_core::settings::Misconfigured;
use env_core::spec::{Acu, AutoPauseSeconds, EnvironmentSpec};
use env_core::tags::environment_tags;
use env_core::{Action, AwsCallError, ErrorName, NamedError, Response, Status};
use serde_json::json;
use std::time::SystemTime;

pub const ENGINE: &str = "aurora-postgresql";
/// The cluster parameter group family of Aurora PostgreSQL 16 (RDS user guide, "Working with
/// parameter groups"): a new cluster gets the newest 16.x RDS offers ([`crate::engine`]); auto
/// minor version upgrades keep it current afterwards.
pub const PARAMETER_FAMILY: &str = "aurora-postgresql16";
/// Aurora Serverless v2 instances have this one class (Aurora user guide, "Using Aurora
/// Serverless v2").
pub const INSTANCE_CLASS: &str = "db.serverless";
/// docs/compliance.md RDS.11: backups kept at least 7 days.
pub const BACKUP_RETENTION_DAYS: i32 = 7;
/// The request's rotation period for database credentials (docs/requirements.md), within the 90
/// days of docs/compliance.md SecretsManager.4.
pub const ROTATION_DAYS: i64 = 30;
/// docs/compliance.md RDS.24: not `postgres` or `admin`.
pub const MASTER_USERNAME: &str = "catalog_admin";
pub const DATABASE_NAME: &str = "catalog";
pub const PORT: i32 = 5432;
/// The reader's failover priority: tier 0 and 1 readers scale with the writer (Aurora user
/// guide, "Choosing the promotion tier for an Aurora Serverless v2 reader").
pub const READER_PROMOTION_TIER: i32 = 1;
pub const WRITER_PROMOTION_TIER: i32 = 0;

#[derive(Debug, thiserror::Error)]
pub enum DatabaseError {
    #[error(transparent)]
    Aws(#[from] AwsCallError),
    #[error(transparent)]
    MissingInput(#[from] MissingOutputs),
    #[error("Aurora cluster {0} has deletion protection on; set forceDestroy to delete it")]
    DeletionProtected(String),
    #[error("{0} is in state {1}; delete the environment and create it again")]
    Failed(String, String),
    #[error(transparent)]
    Misconfigured(#[from] Misconfigured),
    #[error("secret {0} was created or scheduled for deletion meanwhile; the next call restores or uses it")]
    SecretInTransition(String, #[source] AwsCallError),
    #[error("the new rotation role is not usable by Lambda yet (IAM is eventually consistent); retry in a few seconds")]
    RoleNotAssumableYet(#[source] AwsCallError),
    #[error("{0} was created but is not visible yet")]
    NotVisibleYet(String),
    #[error("RDS offers no available {0} engine version that scales between {1} and {2} ACUs")]
    NoEngineVersion(&'static str, f64, f64),
    /// No state to wait in: RDS deletes the secret only with the cluster, so someone deleted it by
    /// hand, and the rotation function can no longer log in as the master.
    #[error("the master user's secret {0}, which RDS manages for the cluster, is gone or scheduled for deletion; restore it, or have RDS manage the master password again")]
    MasterSecretGone(String),
}

impl NamedError for DatabaseError {
    fn error_name(&self) -> ErrorName {
        match self {
            DatabaseError::Aws(error) => error.error_name(),
            DatabaseError::MissingInput(_) => ErrorName::InvalidEvent,
            DatabaseError::DeletionProtected(_) => ErrorName::DeletionProtected,
            DatabaseError::Failed(..)
            | DatabaseError::NoEngineVersion(..)
            | DatabaseError::MasterSecretGone(_) => ErrorName::ComponentFailed,
            DatabaseError::Misconfigured(_) => ErrorName::Misconfigured,
            DatabaseError::SecretInTransition(..)
            | DatabaseError::RoleNotAssumableYet(_)
            | DatabaseError::NotVisibleYet(_) => ErrorName::Retryable,
        }
    }
}

pub async fn handle<C: Cloud>(
    cloud: &C,
    settings: &Result<Settings, Misconfigured>,
    request: Request,
) -> Result<Response, DatabaseError> {
    tracing::info!(environment = %request.spec.suffix(), action = ?request.action, "database");
    match request.action {
        Action::Create => {
            let settings = settings.as_ref().map_err(Clone::clone)?;
            let network = Network::from_outputs(&request.outputs)?;
            converge(cloud, &request, settings, &network).await
        }
        // Reads by name only: the network's outputs are not needed.
        Action::Status => {
            let settings = settings.as_ref().map_err(Clone::clone)?;
            status(cloud, &request.spec, settings).await
        }
        Action::Delete => delete(cloud, &request.spec).await,
    }
}

/// What the network component handed on, checked before any AWS call.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Network {
    private_subnets: Vec<String>,
    zones: Vec<String>,
    security_group: String,
    rotation_security_group: String,
    kms_key_arn: String,
}

impl Network {
    fn from_outputs(outputs: &Outputs) -> Result<Self, MissingOutputs> {
        let network = NetworkOutputs::of(outputs)?;
        let groups = &network.security_group_ids;
        Ok(Self {
            // The network component makes 3 of each (one per AZ); the writer and the reader need
            // two different AZs, and a DB subnet group needs subnets in at least two.
            private_subnets: NetworkOutputs::at_least(
                "privateSubnetIds",
                &network.private_subnet_ids,
                3,
            )?,
            zones: NetworkOutputs::at_least("availabilityZones", &network.availability_zones, 2)?,
            security_group: NetworkOutputs::non_empty(
                "securityGroupIds.database",
                &groups.database,
            )?,
            rotation_security_group: NetworkOutputs::non_empty(
                "securityGroupIds.rotation",
                &groups.rotation,
            )?,
            kms_key_arn: NetworkOutputs::non_empty("kmsKeyArn", &network.kms_key_arn)?,
        })
    }
}

fn cluster_settings(
    spec: &EnvironmentSpec,
    names: Names<'_>,
    network: &Network,
    started_at: SystemTime,
) -> ClusterSettings {
    let fields = spec.fields();
    let pause = fields
        .db_auto_pause_seconds
        .unwrap_or(AutoPauseSeconds::aurora_default());
    let pauses = fields.db_min_capacity == Acu::from_halves(0);
    ClusterSettings {
        id: names.of(NameKind::AuroraCluster),
        engine: ENGINE,
        // Chosen from what RDS offers just before the cluster is created.
        engine_version: String::new(),
        subnet_group: names.of(NameKind::DbSubnetGroup),
        parameter_group: names.of(NameKind::DbClusterParameterGroup),
        security_group_ids: vec![network.security_group.clone()],
        kms_key_arn: network.kms_key_arn.clone(),
        min_capacity: fields.db_min_capacity.as_f64(),
        max_capacity: fields.db_max_capacity.as_f64(),
        // The spec's range keeps it within i32 (86,400 at most).
        seconds_until_auto_pause: pauses.then_some(i32::try_from(pause.get()).unwrap_or(i32::MAX)),
        deletion_protection: fields.deletion_protection,
        master_username: MASTER_USERNAME,
        database_name: DATABASE_NAME,
        port: PORT,
        backup_retention_days: BACKUP_RETENTION_DAYS,
        log_exports: vec!["postgresql"],
        tags: environment_tags(spec, started_at),
    }
}

async fn converge<C: Cloud>(
    cloud: &C,
    request: &Request,
    configuration: &Settings,
    network: &Network,
) -> Result<Response, DatabaseError> {
    let spec = &request.spec;
    let names = Names::new(spec.suffix());
    let settings = cluster_settings(spec, names, network, request.started_at);
    let tags = &settings.tags;

    if !cloud.subnet_group_exists(&settings.subnet_group).await? {
        let result = cloud
            .create_subnet_group(&settings.subnet_group, &network.private_subnets, tags)
            .await;
        created(result, "DBSubnetGroupAlreadyExists")?;
    }
    if !cloud
        .parameter_group_exists(&settings.parameter_group)
        .await?
    {
        let result = cloud
            .create_parameter_group(&settings.parameter_group, PARAMETER_FAMILY, tags)
            .await;
        created(result, "DBParameterGroupAlreadyExists")?;
    }
    // Set on every call: a hand-changed group is put back.
    cloud
        .set_parameter(&settings.parameter_group, "rds.force_ssl", "1")
        .await?;

    // Before the cluster: RDS would create its log export's group itself, keeping logs forever.
    let export = names.aws_log_group(AwsLogGroup::AuroraPostgresql);
    log_groups_first::ensure(cloud.logs(), &export, &network.kms_key_arn, tags).await?;

    let cluster = match cloud.cluster(&settings.id).await? {
        Some(cluster) => cluster,
        None => {
            let versions = cloud.engine_versions(ENGINE, PARAMETER_FAMILY).await?;
            let (min, max) = (settings.min_capacity, settings.max_capacity);
            let engine_version = crate::engine::newest_fitting(&versions, min, max)
                .ok_or(DatabaseError::NoEngineVersion(PARAMETER_FAMILY, min, max))?;
            let settings = ClusterSettings {
                engine_version,
                ..settings.clone()
            };
            created(
                cloud.create_cluster(&settings).await,
                "DBClusterAlreadyExistsFault",
            )?;
            return Ok(Response::new(Status::InProgress, Outputs::new()));
        }
    };
    let cluster_state = State::from_aws(&cluster.status);
    match cluster_state {
        State::Failed => return Err(DatabaseError::Failed(cluster.id, cluster.status)),
        // A teardown still running: the next call creates the cluster again once it is gone.
        State::Deleting => return Ok(Response::new(Status::InProgress, Outputs::new())),
        State::Available | State::Busy => {}
    }

    let instances = [
        (NameKind::AuroraWriter, 0, WRITER_PROMOTION_TIER),
        (NameKind::AuroraReader, 1, READER_PROMOTION_TIER),
    ];
    let mut ready = cluster_state == State::Available;
    // Only on an available cluster: RDS refuses a change while it is busy.
    if ready && crate::capacity::converge(cloud, &cluster, &settings.scaling()).await? {
        ready = false;
    }
    for (kind, zone, tier) in instances {
        let id = names.of(kind);
        match cloud.instance(&id).await? {
            Some(instance) => match State::from_aws(&instance.status) {
                State::Available => {}
                State::Failed => return Err(DatabaseError::Failed(instance.id, instance.status)),
                State::Deleting | State::Busy => ready = false,
            },
            None => {
                // The first instance of an Aurora cluster becomes its writer, so the reader is
                // created only after the writer, in the next AZ.
                let instance = InstanceSettings {
                    id,
                    cluster_id: settings.id.clone(),
                    engine: ENGINE,
                    class: INSTANCE_CLASS,
                    zone: network.zones[zone].clone(),
                    promotion_tier: tier,
                    kms_key_arn: network.kms_key_arn.clone(),
                    tags: tags.clone(),
                };
                created(
                    cloud.create_instance(&instance).await,
                    "DBInstanceAlreadyExists",
                )?;
                ready = false;
            }
        }
    }

    // RDS creates the managed secret with the cluster; its schedule is Secrets Manager's (RDS user
    // guide, "Password management with Amazon RDS and AWS Secrets Manager": the default is 7 days).
    let mut scheduled = false;
    if let (State::Available, Some(secret)) = (cluster_state, &cluster.master_secret_arn) {
        let rotation = secrets::master_rotation(cloud, secret)
            .await?
            .ok_or_else(|| DatabaseError::MasterSecretGone(secret.clone()))?;
        if !(rotation.enabled && rotation.days == Some(ROTATION_DAYS)) {
            // RDS's managed rotation: no function of ours. Only the schedule changes now; the
            // first rotation comes after `ROTATION_DAYS` (and the emulator cannot run a rotation,
            // tools/emulator/README.md).
            let schedule = RotationRequest {
                lambda_arn: None,
                days: ROTATION_DAYS,
                immediately: false,
            };
            cloud.secrets().rotate(secret, &schedule).await?;
        }
        scheduled = true;
    }

    let mut outputs = outputs_of(&cluster);
    let mut credentials_ready = false;
    if let (State::Available, Some(master), Some(host), Some(port)) = (
        cluster_state,
        &cluster.master_secret_arn,
        &cluster.writer_endpoint,
        cluster.port,
    ) {
        let database = AppDatabase {
            host,
            port,
            dbname: cluster.database_name.as_deref().unwrap_or(DATABASE_NAME),
            master_secret_arn: master,
        };
        let context = Credentials {
            names,
            settings: configuration,
            network,
            tags,
            cluster_arn: &cluster.arn,
            started_at: request.started_at,
            pauses: settings.seconds_until_auto_pause.is_some(),
        };
        credentials_ready = credentials(cloud, &context, database, &mut outputs).await?;
    }

    let status = if ready && scheduled && credentials_ready {
        Status::Ready
    } else {
        Status::InProgress
    };
    tracing::info!(cluster = %cluster.id, status = %cluster.status, ?status, "converged");
    Ok(Response::new(status, outputs))
}

/// What the application's credentials are made with.
struct Credentials<'a> {
    names: Names<'a>,
    settings: &'a Settings,
    network: &'a Network,
    tags: &'a [env_core::tags::Tag],
    cluster_arn: &'a str,
    started_at: SystemTime,
    /// Aurora may be paused when the rotation function connects.
    pauses: bool,
}

/// The application secret, the API keys secret and the rotation Lambda, once the cluster is
/// available (the secret names its writer endpoint). Whether all of them are ready; their ARNs go
/// into `outputs`.
async fn credentials<C: Cloud>(
    cloud: &C,
    context: &Credentials<'_>,
    database: AppDatabase<'_>,
    outputs: &mut Outputs,
) -> Result<bool, DatabaseError> {
    let key = context.network.kms_key_arn.as_str();
    let app = secrets::ensure(
        cloud,
        Wanted {
            name: context.names.of(NameKind::DatabaseSecret),
            description: "Credentials of the application's database user, rotated every 30 days",
            kms_key_arn: key,
            tags: context.tags,
        },
        |password| secrets::app_value(database, password),
    )
    .await?;
    outputs.insert("dbAppSecretArn".into(), json!(app.arn));
    let api_keys = secrets::ensure(
        cloud,
        Wanted {
            name: context.names.of(NameKind::ApiKeysSecret),
            description: "API keys of the environment's service",
            kms_key_arn: key,
            tags: context.tags,
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
        let policy = which.policy(context.names, account_of(&secret.arn));
        cloud
            .secrets()
            .put_policy(&secret.arn, &policy.to_string())
            .await?;
    }

    let scope = Scope {
        app_secret_arn: &app.arn,
        api_keys_secret_arn: &api_keys.arn,
        master_secret_arn: database.master_secret_arn,
        kms_key_arn: key,
        sibling_arn: context.cluster_arn,
        subnet_ids: &context.network.private_subnets,
        security_group_id: &context.network.rotation_security_group,
        tags: context.tags,
        started_at: context.started_at,
        database_pauses: context.pauses,
    };
    let function = rotation_function::ensure(cloud, context.names, context.settings, scope).await?;
    outputs.insert("rotationFunctionArn".into(), json!(function.arn));
    if function.updating {
        // READY only once the function runs this deployment's package and settings.
        return Ok(false);
    }

    // Both secrets rotate with the function (the API keys by its `api_keys` strategy), the
    // first rotation at once: the keys' first rotation only replaces the key made here, and
    // proves that the function can rotate them.
    let turned_off: Vec<&Secret> = [&app, &api_keys]
        .into_iter()
        .filter(|secret| !rotation_function::rotates_with(secret, &function, ROTATION_DAYS))
        .collect();
    if turned_off.is_empty() {
        // The first rotation creates the database user (functions/rotation); until it has run
        // once, the service would be handed credentials that do not log in.
        return Ok(app.rotation.rotated || !context.settings.rotate_immediately);
    }
    // Secrets Manager invokes the function at once when rotating immediately: it must be Active.
    if function.state == rotation_function::ACTIVE {
        for secret in turned_off {
            rotation_function::turn_on(
                cloud,
                secret,
                &function,
                ROTATION_DAYS,
                context.settings.rotate_immediately,
            )
            .await?;
        }
    }
    Ok(false)
}

/// What `create` hands on of the cluster; [`crate::status`] answers the same.
pub fn outputs_of(cluster: &Cluster) -> Outputs {
    let mut outputs = Outputs::new();
    outputs.insert("dbClusterIdentifier".into(), json!(cluster.id));
    outputs.insert("dbClusterArn".into(), json!(cluster.arn));
    outputs.insert("dbWriterEndpoint".into(), json!(cluster.writer_endpoint));
    outputs.insert("dbReaderEndpoint".into(), json!(cluster.reader_endpoint));
    outputs.insert("dbPort".into(), json!(cluster.port));
    outputs.insert("dbName".into(), json!(cluster.database_name));
    outputs.insert("dbMasterSecretArn".into(), json!(cluster.master_secret_arn));
    outputs.insert("dbClusterResourceId".into(), json!(cluster.resource_id));
    outputs
}

async fn delete<C: Cloud>(cloud: &C, spec: &EnvironmentSpec) -> Result<Response, DatabaseError> {
    let names = Names::new(spec.suffix());
    let cluster_id = names.of(NameKind::AuroraCluster);
    let cluster = cloud.cluster(&cluster_id).await?;
    let force = spec.fields().force_destroy;

    if let Some(cluster) = &cluster {
        if cluster.deletion_protection {
            // Checked before anything is deleted, the instances included: a refused teardown
            // leaves a protected database whole.
            if !force {
                return Err(DatabaseError::DeletionProtected(cluster.id.clone()));
            }
            cloud.lift_deletion_protection(&cluster.id).await?;
        }
    }

    // The rotation function first: Lambda releases a VPC function's network interfaces only some
    // time after the function is deleted (up to about 40 minutes, hashicorp/terraform-provider-aws
    // #10329), and the network's teardown cannot delete subnets and groups they still hold. Gone
    // before the database's minutes of deleting, they are usually released by then.
    rotation_function::delete(cloud, names).await?;

    let mut remaining = false;
    for kind in [NameKind::AuroraReader, NameKind::AuroraWriter] {
        if let Some(instance) = cloud.instance(&names.of(kind)).await? {
            if State::from_aws(&instance.status) != State::Deleting {
                // Busy (creating, backing-up, modifying: a rollback can come that early), RDS
                // refuses with InvalidDBInstanceState, or InvalidDBClusterStateFault for its
                // cluster's state (RDS API reference, DeleteDBInstance); the next call deletes it.
                match cloud.delete_instance(&instance.id).await {
                    Err(error)
                        if error.is_code("InvalidDBInstanceState")
                            || error.is_code("InvalidDBClusterStateFault") => {}
                    deleted => deleted?,
                }
            }
            remaining = true;
        }
    }
    if let Some(cluster) = cluster {
        // RDS refuses to delete a cluster that still has instances (InvalidDBClusterStateFault).
        if !remaining && State::from_aws(&cluster.status) != State::Deleting {
            // Busy the same way: "DB cluster <id> is not currently in the available state".
            match cloud.delete_cluster(&cluster.id, force).await {
                Err(error) if error.is_code("InvalidDBClusterStateFault") => {}
                deleted => deleted?,
            }
        }
        tracing::info!(cluster = %cluster.id, "waiting for the instances and the cluster to go");
        return Ok(Response::new(Status::InProgress, Outputs::new()));
    }
    if remaining {
        return Ok(Response::new(Status::InProgress, Outputs::new()));
    }

    // Without forceDestroy, the default recovery window (30 days) leaves a way back from a
    // teardown by mistake; a create of the same environment restores them.
    for kind in [NameKind::DatabaseSecret, NameKind::ApiKeysSecret] {
        secrets::delete(cloud, &names.of(kind), force).await?;
    }

    // Only now: RDS refuses to delete groups a cluster still uses.
    let subnet_group = names.of(NameKind::DbSubnetGroup);
    if cloud.subnet_group_exists(&subnet_group).await? {
        cloud.delete_subnet_group(&subnet_group).await?;
    }
    let parameter_group = names.of(NameKind::DbClusterParameterGroup);
    if cloud.parameter_group_exists(&parameter_group).await? {
        cloud.delete_parameter_group(&parameter_group).await?;
    }
    log_groups_first::delete(cloud.logs(), names).await?;
    Ok(Response::new(Status::Deleted, Outputs::new()))
}

#[cfg(test)]
pub(crate) mod tests;
