//! The internet gateway of the public subnets.

use crate::api::{CallResult, Cloud, Ec2Calls, Vpc};
use crate::labels::{is_mine, is_named};
use crate::waiting::Waiting;
use env_core::context::Context;
use env_core::naming::NameKind;

/// The gateway's id, created when missing and attached to `vpc` when it is not.
pub async fn ensure<C: Cloud>(cx: &Context<'_, C>, vpc: &Vpc) -> CallResult<String> {
    let name = cx.names.of(NameKind::InternetGateway);
    let environment = cx.environment();
    let existing = cx
        .cloud
        .ec2()
        .internet_gateways(environment)
        .await?
        .into_iter()
        .find(|gateway| is_mine(&gateway.labels, environment) && is_named(&gateway.labels, &name));
    let gateway = match existing {
        Some(gateway) => gateway,
        None => {
            cx.cloud
                .ec2()
                .create_internet_gateway(&cx.tags_named(name))
                .await?
        }
    };
    if !gateway.attached_vpcs.contains(&vpc.labels.id) {
        cx.cloud
            .ec2()
            .attach_internet_gateway(&gateway.labels.id, &vpc.labels.id)
            .await?;
    }
    Ok(gateway.labels.id)
}

/// The environment's gateways, each detached first.
pub async fn delete<C: Cloud>(
    cloud: &C,
    environment: &str,
    waiting: &mut Waiting,
) -> CallResult<()> {
    for gateway in cloud.ec2().internet_gateways(environment).await? {
        if is_mine(&gateway.labels, environment) {
            let id = &gateway.labels.id;
            for vpc in &gateway.attached_vpcs {
                waiting.settle(cloud.ec2().detach_internet_gateway(id, vpc).await, id, &[])?;
            }
            waiting.settle(cloud.ec2().delete_internet_gateway(id).await, id, &[])?;
        }
    }
    Ok(())
}
