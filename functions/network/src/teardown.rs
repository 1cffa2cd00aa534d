//! `delete`: through the dependency order aws-nuke and cloud-nuke use, from what is tagged for the
//! environment, answering IN_PROGRESS as soon as one stage has to wait for AWS. Two steps move for
//! a reason: security groups are deleted after the leftover ENIs that use them, and flow logs and
//! endpoints before the route tables that hold the endpoints' routes.

use crate::api::{Cloud, Ec2Calls};
use crate::handler::NetworkError;
use crate::labels::is_mine;
use crate::waiting::Waiting;
use crate::{flow_logs, internet_gateway, key, nat, routes, security_groups, subnets};
use env_core::contract::Outputs;
use env_core::naming::Names;
use env_core::spec::EnvironmentSpec;
use env_core::{Response, Status};

pub async fn delete<C: Cloud>(cloud: &C, spec: &EnvironmentSpec) -> Result<Response, NetworkError> {
    let environment = spec.suffix().as_str();
    let names = Names::new(spec.suffix());
    let vpcs: Vec<String> = cloud
        .ec2()
        .vpcs(environment)
        .await?
        .into_iter()
        .filter(|vpc| is_mine(&vpc.labels, environment))
        .map(|vpc| vpc.labels.id)
        .collect();
    let mut waiting = Waiting::default();

    // 1. NAT gateways, until `deleted`.
    nat::delete(cloud, environment, &mut waiting).await?;
    if !waiting.is_empty() {
        return Ok(waiting.into_response());
    }
    // 2. Their Elastic IPs; 3. the internet gateway, detached first.
    nat::release_addresses(cloud, environment, &mut waiting).await?;
    internet_gateway::delete(cloud, environment, &mut waiting).await?;
    if !waiting.is_empty() {
        return Ok(waiting.into_response());
    }

    for vpc in &vpcs {
        // 4. Every security group rule.
        let groups = security_groups::revoke_all(cloud, vpc, &mut waiting).await?;
        // 5. Leftover network interfaces.
        release_interfaces(cloud, vpc, &mut waiting).await?;
        if !waiting.is_empty() {
            return Ok(waiting.into_response());
        }
        security_groups::delete(cloud, &groups, &mut waiting).await?;
        // 6. Subnets; 7. flow logs, 8. endpoints, before 9. the route tables.
        subnets::delete(cloud, vpc, &mut waiting).await?;
        flow_logs::delete(cloud, vpc, &mut waiting).await?;
        routes::delete_endpoints(cloud, vpc, &mut waiting).await?;
        routes::delete(cloud, vpc, &mut waiting).await?;
        // 10. The VPC, with its default security group and main route table. Anything above that
        //     AWS would not let go yet makes this a DependencyViolation too, so it waits with them.
        waiting.settle(cloud.ec2().delete_vpc(vpc).await, vpc, &[])?;
    }
    if !waiting.is_empty() {
        return Ok(waiting.into_response());
    }

    // What the flow logs needed, and the environment's key.
    flow_logs::delete_group_and_role(cloud, names, &mut waiting).await?;
    key::delete(cloud, names, &mut waiting).await?;
    if !waiting.is_empty() {
        return Ok(waiting.into_response());
    }
    Ok(Response::new(Status::Deleted, Outputs::new()))
}

/// Detached interfaces (Lambda's `AWS Lambda VPC ENI*` among them) are deleted; one still in use
/// is waited for (Lambda releases its ENIs up to ~35 min after the function is deleted,
/// docs/aws-behaviour.md).
async fn release_interfaces<C: Cloud>(
    cloud: &C,
    vpc: &str,
    waiting: &mut Waiting,
) -> Result<(), NetworkError> {
    for interface in cloud.ec2().network_interfaces(vpc).await? {
        if interface.status == "available" {
            let result = cloud.ec2().delete_network_interface(&interface.id).await;
            waiting.settle(result, &interface.id, &[])?;
        } else {
            waiting.push(format!(
                "network interface {} ({}) to be released",
                interface.id, interface.description
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
#[path = "teardown_tests.rs"]
mod tests;
