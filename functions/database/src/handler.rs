//! Create, report and delete one environment's Aurora PostgreSQL Serverless v2 cluster.
//!
//! `create` and `status` run the same convergence: each step looks its resource up by name and
//! creates only what is missing (subnet group, parameter group with TLS enforced, cluster, writer,
//! reader), so a retried or repeated call never makes a second cluster. Once the cluster is
//! available, the master secret RDS manages gets its 30-day rotation schedule. READY when the
//! cluster and both instances are `available` and that schedule is set.
//!
//! `delete` follows the order RDS enforces (OPERATIONS.md, "Teardown: what sticks"): a protected
//! cluster blocks everything unless the spec says `forceDestroy`; then the instances, then the
//! cluster, then the groups it used, which RDS refuses to delete while a cluster uses them.

use crate::api::{created, Cloud, Cluster, ClusterSettings, InstanceSettings, State};
use env_core::contract::{Outputs, Request};
use env_core::naming::{NameKind, Names};
use env_core::spec::EnvironmentSpec;
use env_core::tags::environment_tags;
use env_core::{Action, AwsCallError, ErrorName, NamedError, Response, Status};
use serde_json::{json, Value};
use std::time::SystemTime;

pub const ENGINE: &str = "aurora-postgresql";
/// A current Aurora PostgreSQL 16 minor version (Aurora PostgreSQL release notes, "Aurora
/// PostgreSQL 16.8"); auto minor version upgrades keep it current afterwards.
pub const ENGINE_VERSION: &str = "16.8";
/// The cluster parameter group family of Aurora PostgreSQL 16 (RDS user guide, "Working with
/// parameter groups").
pub const PARAMETER_FAMILY: &str = "aurora-postgresql16";
/// Aurora Serverless v2 instances have this one class (Aurora user guide, "Using Aurora
/// Serverless v2").
pub const INSTANCE_CLASS: &str = "db.serverless";
/// COMPLIANCE.md RDS.11: backups kept at least 7 days.
pub const BACKUP_RETENTION_DAYS: i32 = 7;
/// The request's rotation period for database credentials (COMPLIANCE.md SecretsManager.4).
pub const ROTATION_DAYS: i64 = 30;
/// COMPLIANCE.md RDS.24: not `postgres` or `admin`.
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
    #[error("outputs.{0} is missing or malformed; the network component provides it")]
    MissingInput(&'static str),
    #[error("Aurora cluster {0} has deletion protection on; set forceDestroy to delete it")]
    DeletionProtected(String),
    #[error("{0} is in state {1}; delete the environment and create it again")]
    Failed(String, String),
}

impl NamedError for DatabaseError {
    fn error_name(&self) -> ErrorName {
        match self {
            DatabaseError::Aws(error) => error.error_name(),
            DatabaseError::MissingInput(_) => ErrorName::InvalidEvent,
            DatabaseError::DeletionProtected(_) => ErrorName::DeletionProtected,
            DatabaseError::Failed(..) => ErrorName::ComponentFailed,
        }
    }
}

pub async fn handle<C: Cloud>(cloud: &C, request: Request) -> Result<Response, DatabaseError> {
    tracing::info!(environment = %request.spec.suffix(), action = ?request.action, "database");
    match request.action {
        Action::Create | Action::Status => {
            let network = Network::from_outputs(&request.outputs)?;
            converge(cloud, &request.spec, &network).await
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
    kms_key_arn: String,
}

fn strings(
    outputs: &Outputs,
    key: &'static str,
    count: usize,
) -> Result<Vec<String>, DatabaseError> {
    let list: Vec<String> = outputs
        .get(key)
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    if list.len() < count || list.iter().any(String::is_empty) {
        return Err(DatabaseError::MissingInput(key));
    }
    Ok(list)
}

fn text(value: Option<&Value>, key: &'static str) -> Result<String, DatabaseError> {
    match value.and_then(Value::as_str) {
        Some(text) if !text.is_empty() => Ok(text.to_owned()),
        _ => Err(DatabaseError::MissingInput(key)),
    }
}

impl Network {
    fn from_outputs(outputs: &Outputs) -> Result<Self, DatabaseError> {
        Ok(Self {
            // The network component makes 3 of each (one per AZ); the writer and the reader need
            // two different AZs, and a DB subnet group needs subnets in at least two.
            private_subnets: strings(outputs, "privateSubnetIds", 3)?,
            zones: strings(outputs, "availabilityZones", 2)?,
            security_group: text(
                outputs
                    .get("securityGroupIds")
                    .and_then(|groups| groups.get("database")),
                "securityGroupIds.database",
            )?,
            kms_key_arn: text(outputs.get("kmsKeyArn"), "kmsKeyArn")?,
        })
    }
}

fn cluster_settings(
    spec: &EnvironmentSpec,
    names: Names<'_>,
    network: &Network,
) -> ClusterSettings {
    let fields = spec.fields();
    ClusterSettings {
        id: names.of(NameKind::AuroraCluster),
        engine: ENGINE,
        engine_version: ENGINE_VERSION,
        subnet_group: names.of(NameKind::DbSubnetGroup),
        parameter_group: names.of(NameKind::DbClusterParameterGroup),
        security_group_ids: vec![network.security_group.clone()],
        kms_key_arn: network.kms_key_arn.clone(),
        min_capacity: fields.db_min_capacity.as_f64(),
        max_capacity: fields.db_max_capacity.as_f64(),
        deletion_protection: fields.deletion_protection,
        master_username: MASTER_USERNAME,
        database_name: DATABASE_NAME,
        port: PORT,
        backup_retention_days: BACKUP_RETENTION_DAYS,
        log_exports: vec!["postgresql"],
        tags: environment_tags(spec, SystemTime::now()),
    }
}

async fn converge<C: Cloud>(
    cloud: &C,
    spec: &EnvironmentSpec,
    network: &Network,
) -> Result<Response, DatabaseError> {
    let names = Names::new(spec.suffix());
    let settings = cluster_settings(spec, names, network);
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

    let cluster = match cloud.cluster(&settings.id).await? {
        Some(cluster) => cluster,
        None => {
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
        let rotation = cloud.rotation(secret).await?;
        if !(rotation.enabled && rotation.days == Some(ROTATION_DAYS)) {
            cloud.rotate_every(secret, ROTATION_DAYS).await?;
        }
        scheduled = true;
    }

    let status = if ready && scheduled {
        Status::Ready
    } else {
        Status::InProgress
    };
    tracing::info!(cluster = %cluster.id, status = %cluster.status, ?status, "converged");
    Ok(Response::new(status, outputs_of(&cluster)))
}

fn outputs_of(cluster: &Cluster) -> Outputs {
    let mut outputs = Outputs::new();
    outputs.insert("dbClusterIdentifier".into(), json!(cluster.id));
    outputs.insert("dbClusterArn".into(), json!(cluster.arn));
    outputs.insert("dbWriterEndpoint".into(), json!(cluster.writer_endpoint));
    outputs.insert("dbReaderEndpoint".into(), json!(cluster.reader_endpoint));
    outputs.insert("dbPort".into(), json!(cluster.port));
    outputs.insert("dbName".into(), json!(cluster.database_name));
    outputs.insert("dbMasterSecretArn".into(), json!(cluster.master_secret_arn));
    outputs
}

async fn delete<C: Cloud>(cloud: &C, spec: &EnvironmentSpec) -> Result<Response, DatabaseError> {
    let names = Names::new(spec.suffix());
    let cluster_id = names.of(NameKind::AuroraCluster);
    let cluster = cloud.cluster(&cluster_id).await?;

    if let Some(cluster) = &cluster {
        if cluster.deletion_protection {
            // Checked before anything is deleted, the instances included: a refused teardown
            // leaves a protected database whole.
            if !spec.fields().force_destroy {
                return Err(DatabaseError::DeletionProtected(cluster.id.clone()));
            }
            cloud.lift_deletion_protection(&cluster.id).await?;
        }
    }

    let mut remaining = false;
    for kind in [NameKind::AuroraReader, NameKind::AuroraWriter] {
        if let Some(instance) = cloud.instance(&names.of(kind)).await? {
            if State::from_aws(&instance.status) != State::Deleting {
                cloud.delete_instance(&instance.id).await?;
            }
            remaining = true;
        }
    }
    if let Some(cluster) = cluster {
        // RDS refuses to delete a cluster that still has instances (InvalidDBClusterStateFault).
        if !remaining && State::from_aws(&cluster.status) != State::Deleting {
            cloud.delete_cluster(&cluster.id).await?;
        }
        tracing::info!(cluster = %cluster.id, "waiting for the instances and the cluster to go");
        return Ok(Response::new(Status::InProgress, Outputs::new()));
    }
    if remaining {
        return Ok(Response::new(Status::InProgress, Outputs::new()));
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
    Ok(Response::new(Status::Deleted, Outputs::new()))
}

#[cfg(test)]
#[path = "handler_tests.rs"]
mod tests;
