//! `delete`: the autoscaling, then the ECS service scaled to 0 and deleted with force, and, once
//! ECS has drained it, everything else. DELETED only from a call that found nothing.

use crate::api::Cloud;
use crate::handler::ServiceError;
use crate::{cluster, deployment, discovery, logs, roles, scaling, task};
use env_core::contract::Outputs;
use env_core::naming::Names;
use env_core::spec::EnvironmentSpec;
use env_core::{Response, Status};

pub async fn delete<C: Cloud>(cloud: &C, spec: &EnvironmentSpec) -> Result<Response, ServiceError> {
    let names = Names::new(spec.suffix());
    let mut found = scaling::delete(cloud, names).await?;
    let draining = deployment::delete(cloud, names).await?;
    found |= task::deregister_all(cloud, names).await?;
    // Draining tasks still log through the execution role and are still registered in Cloud Map;
    // the cluster cannot go while it holds a service. The rest waits for ECS to finish.
    if draining {
        return Ok(Response::new(Status::InProgress, Outputs::new()));
    }
    found |= task::delete_inactive(cloud, names).await?;
    found |= discovery::delete(cloud, names).await?;
    found |= roles::delete(cloud, names).await?;
    found |= logs::delete_service_group(cloud, names).await?;
    found |= if cluster::delete(cloud, names).await? {
        true
    } else {
        logs::delete_insights_group(cloud, names).await?
    };
    let status = if found {
        Status::InProgress
    } else {
        Status::Deleted
    };
    Ok(Response::new(status, Outputs::new()))
}
