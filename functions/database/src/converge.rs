//! `create` converges: each step looks its resource up by name and creates only what is missing
//! (subnet group, parameter group with TLS enforced, cluster, writer, reader), so a retried or
//! repeated call never makes a second cluster; the provision's wait loop calls it again until it
//! answers READY. Once the cluster is available, the master secret RDS manages gets its 30-day
//! rotation schedule. READY when the cluster and both instances are `available` and that schedule
//! is set, and the application's credentials are in place ([`crate::credentials`]).

use crate::api::{Cloud, State};
use crate::handler::DatabaseError;
use crate::inputs::{Inputs, Network};
use crate::settings::Settings;
use crate::{
    capacity, cluster, credentials, instances, log_groups_first, master_secret, parameter_group,
    subnet_group,
};
use env_core::context::Context;
use env_core::contract::{Outputs, Request};
use env_core::naming::AwsLogGroup;
use env_core::{Response, Status};

pub async fn converge<C: Cloud>(
    cloud: &C,
    request: &Request,
    settings: &Settings,
    network: &Network,
) -> Result<Response, DatabaseError> {
    let inputs = Inputs {
        network,
        settings,
        started_at: request.started_at,
    };
    let cx = Context::new(cloud, request).with(inputs);
    subnet_group::ensure(&cx).await?;
    parameter_group::ensure(&cx).await?;
    // Before the cluster: RDS would create its log export's group itself, keeping logs forever.
    let export = cx.names.aws_log_group(AwsLogGroup::AuroraPostgresql);
    log_groups_first::ensure(cloud.logs(), &export, &network.kms_key_arn, &cx.tags).await?;

    let wanted = cluster::settings(&cx);
    let Some(cluster) = cluster::find_or_create(&cx, &wanted).await? else {
        return Ok(Response::new(Status::InProgress, Outputs::new()));
    };
    let Some(cluster_state) = cluster::in_service(&cluster)? else {
        return Ok(Response::new(Status::InProgress, Outputs::new()));
    };
    let mut ready = cluster_state == State::Available;
    // Only on an available cluster: RDS refuses a change while it is busy.
    if ready && capacity::converge(cloud, &cluster, &wanted.scaling()).await? {
        ready = false;
    }
    let instances_ready = instances::ensure(&cx, &wanted.id).await?;
    let scheduled = master_secret::schedule(cloud, cluster_state, &cluster).await?;
    let mut outputs = cluster::outputs_of(&cluster);
    let pauses = wanted.seconds_until_auto_pause.is_some();
    let credentials_ready =
        credentials::ensure(&cx, cluster_state, &cluster, pauses, &mut outputs).await?;

    let status = if ready && instances_ready && scheduled && credentials_ready {
        Status::Ready
    } else {
        Status::InProgress
    };
    tracing::info!(cluster = %cluster.id, status = %cluster.status, ?status, "converged");
    Ok(Response::new(status, outputs))
}
