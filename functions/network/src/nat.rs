//! NAT gateways, one per zone or a single shared one as the spec says, each with its Elastic IP;
//! none while the environment sleeps ([`put_to_sleep`]).

use crate::api::{CallResult, Cloud, Ec2Calls, NatGateway, NatState, Vpc};
use crate::handler::NetworkError;
use crate::labels::{is_mine, is_named};
use crate::waiting::Waiting;
use env_core::context::Context;
use env_core::naming::{AzSlot, NameKind};
use env_core::spec::NatStrategy;
use std::time::{SystemTime, UNIX_EPOCH};

/// The zones that get a NAT gateway.
pub fn slots(strategy: NatStrategy) -> &'static [AzSlot] {
    match strategy {
        NatStrategy::PerAz => &AzSlot::ALL,
        NatStrategy::Single => &[AzSlot::A],
    }
}

/// Which of the spec's NAT gateways (in [`slots`] order) the private subnet of the `zone`-th zone
/// routes through: perAz, its own zone's; single, the one shared gateway.
pub fn serving(strategy: NatStrategy, zone: usize) -> usize {
    match strategy {
        NatStrategy::PerAz => zone,
        NatStrategy::Single => 0,
    }
}

/// Every NAT gateway the spec asks for, in its zone's public subnet, created with its address
/// when missing. A failed one fails the component: only a new environment gets past it. One still
/// `deleting` (a wake right after a sleep) is returned as it is, not usable: the zone waits until
/// it is gone and a later call makes the new one. `started_at` is the request's start, the same
/// for every call of one workflow execution.
pub async fn ensure<C: Cloud>(
    cx: &Context<'_, C>,
    vpc: &Vpc,
    public_subnets: &[String],
    started_at: SystemTime,
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
                let token = client_token(&vpc.labels.id, *slot, started_at);
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

/// CreateNatGateway's client token. EC2 answers a request repeated with the same token with the
/// original result, and one with the same token but other parameters (another Elastic IP) with
/// IdempotentParameterMismatch (EC2 developer guide, "Ensuring idempotency in Amazon EC2 API
/// requests"). So the token is the same for every call of one execution (a retried create gets
/// its NAT gateway back), and another for each execution: a wake must not get back the gateway
/// the sleep before it deleted. The VPC id keeps a later environment of the same name apart; at
/// most 21 + 3 + 20 characters, within the "Maximum 64 ASCII characters" of ClientToken (EC2 API
/// reference, CreateNatGateway).
fn client_token(vpc_id: &str, slot: AzSlot, started_at: SystemTime) -> String {
    // The workflows' start times are after 1970; a clock before it would only give token 0.
    let started = started_at
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_secs());
    format!("{vpc_id}-{}-{started}", slot.letter())
}

/// The environment's NAT gateways that are not deleted (failed ones included: they still have to
/// be deleted).
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

/// The asleep shape: the environment's NAT gateways deleted, then their Elastic IPs released,
/// which AWS refuses while an address is still associated; deleting a NAT gateway disassociates
/// its address but does not release it (EC2 API reference, DeleteNatGateway). A gateway in any
/// state goes, a failed one included ("could not be created", EC2 API reference,
/// `NatGateway.State`; AWS would delete it itself only "usually in about an hour", VPC user guide,
/// "Troubleshoot NAT gateways"); one `deleting` is waited for. What is still on its way is in the
/// answer.
pub async fn put_to_sleep<C: Cloud>(cloud: &C, environment: &str) -> CallResult<Waiting> {
    let mut waiting = Waiting::default();
    delete(cloud, environment, &mut waiting).await?;
    if waiting.is_empty() {
        release_addresses(cloud, environment, &mut waiting).await?;
    }
    Ok(waiting)
}

/// Releases the environment's Elastic IPs. Right after the NAT gateway is deleted, EC2 can answer
/// AuthFailure for a while (docs/aws-behaviour.md, "Teardown: what sticks", as aws-nuke and
/// cloud-nuke retry it), or InvalidIPAddress.InUse while the gateway's association outlives it
/// ("You must disassociate the Elastic IP address before you can release it. Otherwise, Amazon
/// EC2 returns an error (InvalidIPAddress.InUse)": EC2 API reference, ReleaseAddress): wait and
/// release again.
pub async fn release_addresses<C: Cloud>(
    cloud: &C,
    environment: &str,
    waiting: &mut Waiting,
) -> CallResult<()> {
    for address in cloud.ec2().addresses(environment).await? {
        if is_mine(&address, environment) {
            let result = cloud.ec2().release_address(&address.id).await;
            let settling = ["AuthFailure", "InvalidIPAddress.InUse"];
            waiting.settle(result, &address.id, &settling)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn the_client_token_is_the_executions_and_fits_ec2s_64_characters() {
        let vpc = "vpc-0123456789abcdef0";
        let start = UNIX_EPOCH + Duration::from_secs(1_796_000_000);
        let token = client_token(vpc, AzSlot::B, start);
        assert_eq!(token, "vpc-0123456789abcdef0-b-1796000000");
        assert_eq!(client_token(vpc, AzSlot::B, start), token, "a retry");
        let later = start + Duration::from_secs(60);
        assert_ne!(client_token(vpc, AzSlot::B, later), token, "a wake");
        assert_ne!(client_token(vpc, AzSlot::C, start), token, "another zone");
        let latest = UNIX_EPOCH + Duration::from_secs(u64::MAX / 2);
        assert!(client_token(vpc, AzSlot::A, latest).len() <= 64);
        let before = UNIX_EPOCH - Duration::from_secs(1);
        assert_eq!(client_token(vpc, AzSlot::A, before), format!("{vpc}-a-0"));
    }
}
