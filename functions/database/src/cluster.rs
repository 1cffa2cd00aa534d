//! The Aurora PostgreSQL Serverless v2 cluster: its settings from the spec, created once (looked up
//! by name first, so a retried or repeated call never makes a second cluster), deleted only once
//! its instances are gone, and what `create` hands on of it.

use crate::api::{created, Cloud, Cluster, ClusterSettings, RdsCalls, State};
use crate::handler::{
    DatabaseError, BACKUP_RETENTION_DAYS, DATABASE_NAME, ENGINE, MASTER_USERNAME, PARAMETER_FAMILY,
    PORT,
};
use crate::inputs::Cx;
use env_core::context::Context;
use env_core::contract::Outputs;
use env_core::naming::NameKind;
use env_core::spec::{Acu, AutoPauseSeconds};
use serde_json::json;

/// The cluster the spec asks for.
pub fn settings<C>(cx: &Cx<'_, C>) -> ClusterSettings {
    let fields = cx.fields();
    let network = cx.inputs.network;
    let pause = fields
        .db_auto_pause_seconds
        .unwrap_or(AutoPauseSeconds::aurora_default());
    let pauses = fields.db_min_capacity == Acu::from_halves(0);
    ClusterSettings {
        id: cx.names.of(NameKind::AuroraCluster),
        engine: ENGINE,
        // Chosen from what RDS offers just before the cluster is created.
        engine_version: String::new(),
        subnet_group: cx.names.of(NameKind::DbSubnetGroup),
        parameter_group: cx.names.of(NameKind::DbClusterParameterGroup),
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
        tags: cx.tags.clone(),
    }
}

/// The cluster when it exists; when it does not, it is created (with the newest engine version
/// that fits the capacity) and `None` answers that it is on its way.
pub async fn find_or_create<C: Cloud>(
    cx: &Cx<'_, C>,
    settings: &ClusterSettings,
) -> Result<Option<Cluster>, DatabaseError> {
    if let Some(cluster) = cx.cloud.rds().cluster(&settings.id).await? {
        return Ok(Some(cluster));
    }
    let versions = cx
        .cloud
        .rds()
        .engine_versions(ENGINE, PARAMETER_FAMILY)
        .await?;
    let (min, max) = (settings.min_capacity, settings.max_capacity);
    let engine_version = crate::engine::newest_fitting(&versions, min, max)
        .ok_or(DatabaseError::NoEngineVersion(PARAMETER_FAMILY, min, max))?;
    let settings = ClusterSettings {
        engine_version,
        ..settings.clone()
    };
    created(
        cx.cloud.rds().create_cluster(&settings).await,
        "DBClusterAlreadyExistsFault",
    )?;
    Ok(None)
}

/// The cluster's state, `None` while a teardown still runs; a failed cluster is an error.
pub fn in_service(cluster: &Cluster) -> Result<Option<State>, DatabaseError> {
    match State::from_aws(&cluster.status) {
        State::Failed => Err(DatabaseError::Failed(
            cluster.id.clone(),
            cluster.status.clone(),
        )),
        // A teardown still running: the next call creates the cluster again once it is gone.
        State::Deleting => Ok(None),
        state @ (State::Available | State::Busy) => Ok(Some(state)),
    }
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

/// A protected cluster blocks the teardown unless the spec says `forceDestroy`; with it, the
/// protection is lifted.
pub async fn allow_deletion<C: Cloud, I>(
    cx: &Context<'_, C, I>,
    cluster: &Cluster,
) -> Result<(), DatabaseError> {
    if cluster.deletion_protection {
        // Checked before anything is deleted, the instances included: a refused teardown
        // leaves a protected database whole.
        if !cx.fields().force_destroy {
            return Err(DatabaseError::DeletionProtected(cluster.id.clone()));
        }
        cx.cloud.rds().lift_deletion_protection(&cluster.id).await?;
    }
    Ok(())
}

/// Deletes the cluster once none of its instances is left (`instances_remain` says whether any
/// is); the teardown waits for it either way.
pub async fn delete<C: Cloud, I>(
    cx: &Context<'_, C, I>,
    cluster: &Cluster,
    instances_remain: bool,
) -> Result<(), DatabaseError> {
    let force = cx.fields().force_destroy;
    // RDS refuses to delete a cluster that still has instances (InvalidDBClusterStateFault).
    if !instances_remain && State::from_aws(&cluster.status) != State::Deleting {
        // Busy the same way: "DB cluster <id> is not currently in the available state".
        match cx.cloud.rds().delete_cluster(&cluster.id, force).await {
            Err(error) if error.is_code("InvalidDBClusterStateFault") => {}
            deleted => deleted?,
        }
    }
    tracing::info!(cluster = %cluster.id, "waiting for the instances and the cluster to go");
    Ok(())
}
