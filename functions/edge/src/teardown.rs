//! `delete`: refuses a protected load balancer unless the spec says `forceDestroy`, then removes
//! listeners with their rules (the wake rule among them), the load balancer, target groups (the
//! wake group last), the certificate it created with its validation records, and the log bucket. IN_PROGRESS while it found anything, DELETED once a call finds
//! nothing left.

use crate::api::Cloud;
use crate::handler::EdgeError;
use crate::{access_logs, acm, load_balancer, target_groups, wake};
use env_core::contract::Outputs;
use env_core::naming::Names;
use env_core::spec::EnvironmentSpec;
use env_core::{Response, Status};

pub async fn delete<C: Cloud>(cloud: &C, spec: &EnvironmentSpec) -> Result<Response, EdgeError> {
    let names = Names::new(spec.suffix());
    let mut found = load_balancer::delete(cloud, spec, names).await?;
    found |= target_groups::delete(cloud.elb(), names).await?;
    found |= wake::delete(cloud.elb(), names).await?;
    found |= acm::delete(cloud, spec, names).await?;
    found |= access_logs::delete(cloud, names).await?;
    let status = if found {
        Status::InProgress
    } else {
        Status::Deleted
    };
    tracing::info!(found, "delete");
    Ok(Response::new(status, Outputs::new()))
}
