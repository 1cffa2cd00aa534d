//! NAT gateways, one per zone or a single shared one as the spec says, each with its Elastic IP.

use crate::api::{CallResult, Cloud, Ec2Calls, NatGateway, NatState, Vpc};
use crate::handler::NetworkError;
use crate::labels::{is_mine, is_named};
use crate::waiting::Waiting;
use env_core::context::Context;
use env_core::naming::{AzSlot, NameKind};
use env_core::spec::NatStrategy;

/// The zones that get a NAT gateway.
pub fn slots(strategy: NatStrategy) -> &'static [AzSlot] {
    match strategy {
        NatStrategy::PerAz => &AzSlot::ALL,
        NatStrategy::Single => &[AzSlot::A],
    }
}

/// Every NAT gateway the spec asks for, in its zone's public subnet, created with its address
/// when missing. A failed one fails the component: only a new environment gets past it.
pub async fn ensure<C: Cloud>(
    cx: &Context<'_, C>,
    vpc: &Vpc,
    public_subnets: &[String],
) -> Result<Vec<(AzSlot, NatGateway)>, NetworkError> {
    let (cloud, names, environment) = (cx.cloud, cx.names, cx.environment());
    let existing: Vec<NatGateway> = live(cloud.ec2().nat_gateways(environment).await?, environment);
    let addresses = cloud.ec2().addresses(environment).await?;
    let mut nats = Vec::new();
    for (index, slot) in slots(cx.fields().nat_gateways).iter().enumerate() {
        let name = names.of(NameKind::NatGateway(*slot));
        let nat = match existing.iter().find(|nat| is_named(&nat.labels, &name)) {
            Some(nat) => nat.clone(),
            None => {
                let address_name = names.of(NameKind::ElasticIp(*slot));
                let address = addresses.iter().find(|address| {
                    is_mine(address, environment) && is_named(address, &address_name)
                });
                let allocation = match address {
                    Some(address) => address.id.clone(),
                    None => {
                        cloud
                            .ec2()
                            .allocate_address(&cx.tags_named(address_name))
                            .await?
                            .id
                    }
                };
                // The token makes a retried create return the same NAT gateway; the VPC id in it
                // keeps a later environment of the same name from getting back a deleted one.
                let token = format!("{}-{}", vpc.labels.id, slot.letter());
                let tags = cx.tags_named(name);
                cloud
                    .ec2()
                    .create_nat_gateway(&public_subnets[index], &allocation, &token, &tags)
                    .await?
            }
        };
        if nat.state == NatState::Failed {
            return Err(NetworkError::NatFailed(nat.labels.id));
        }
        nats.push((*slot, nat));
    }
    Ok(nats)
}

/// The environment's NAT gateways that are not deleted or failed.
pub fn live(nats: Vec<NatGateway>, environment: &str) -> Vec<NatGateway> {
    nats.into_iter()
        .filter(|nat| is_mine(&nat.labels, environment) && nat.state.is_live())
        .collect()
}

/// Deletes the environment's NAT gateways and waits until they are `deleted`: they hold the
/// Elastic IPs and ENIs in the public subnets.
pub async fn delete<C: Cloud>(
    cloud: &C,
    environment: &str,
    waiting: &mut Waiting,
) -> CallResult<()> {
    let nats = live(cloud.ec2().nat_gateways(environment).await?, environment);
    for nat in nats.iter().filter(|nat| nat.state != NatState::Deleting) {
        let result = cloud.ec2().delete_nat_gateway(&nat.labels.id).await;
        waiting.settle(result, &nat.labels.id, &[])?;
    }
    if !nats.is_empty() {
        // AWS deletes a NAT gateway in about a minute; an emulator may have done so already.
        for nat in live(cloud.ec2().nat_gateways(environment).await?, environment) {
            waiting.push(format!("NAT gateway {} to be deleted", nat.labels.id));
        }
    }
    Ok(())
}

/// Releases the environment's Elastic IPs. Right after the NAT gateway is deleted, EC2 can answer
/// AuthFailure for a while (docs/aws-behaviour.md, "Teardown: what sticks", as aws-nuke and
/// cloud-nuke retry it): wait and release again.
pub async fn release_addresses<C: Cloud>(
    cloud: &C,
    environment: &str,
    waiting: &mut Waiting,
) -> CallResult<()> {
    for address in cloud.ec2().addresses(environment).await? {
        if is_mine(&address, environment) {
            let result = cloud.ec2().release_address(&address.id).await;
            waiting.settle(result, &address.id, &["AuthFailure"])?;
        }
    }
    Ok(())
}
