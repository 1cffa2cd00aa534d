//! Three public and three private subnets, one of each per availability zone, carved from the
//! VPC's block.

use crate::api::{CallResult, Cloud, Ec2Calls, Subnet, Vpc};
use crate::cidr::subnet_blocks;
use crate::labels::is_named;
use crate::waiting::Waiting;
use env_core::context::Context;
use env_core::naming::{AzSlot, NameKind};

/// The subnets' ids, each list in zone order, and the zones.
pub struct Subnets {
    pub zones: Vec<String>,
    pub public: Vec<String>,
    pub private: Vec<String>,
}

/// The six subnets' names in the order of their blocks: public a, b, c, then private a, b, c.
pub fn kinds() -> impl Iterator<Item = NameKind> {
    AzSlot::ALL
        .map(NameKind::PublicSubnet)
        .into_iter()
        .chain(AzSlot::ALL.map(NameKind::PrivateSubnet))
}

/// Every subnet, created when missing.
pub async fn ensure<C: Cloud>(
    cx: &Context<'_, C>,
    vpc: &Vpc,
    zones: Vec<String>,
) -> CallResult<Subnets> {
    let existing: Vec<Subnet> = cx.cloud.ec2().subnets(&vpc.labels.id).await?;
    let blocks = subnet_blocks(cx.fields().vpc_cidr);
    let mut ids = Vec::new();
    for (index, kind) in kinds().enumerate() {
        let name = cx.names.of(kind);
        let zone = &zones[index % AzSlot::ALL.len()];
        let id = match existing
            .iter()
            .find(|subnet| is_named(&subnet.labels, &name))
        {
            Some(subnet) => subnet.labels.id.clone(),
            None => {
                let cidr = blocks[index].to_string();
                let tags = cx.tags_named(name);
                cx.cloud
                    .ec2()
                    .create_subnet(&vpc.labels.id, &cidr, zone, &tags)
                    .await?
                    .labels
                    .id
            }
        };
        ids.push(id);
    }
    let private = ids.split_off(AzSlot::ALL.len());
    Ok(Subnets {
        zones,
        public: ids,
        private,
    })
}

/// Every subnet of the VPC.
pub async fn delete<C: Cloud>(cloud: &C, vpc: &str, waiting: &mut Waiting) -> CallResult<()> {
    for subnet in cloud.ec2().subnets(vpc).await? {
        let result = cloud.ec2().delete_subnet(&subnet.labels.id).await;
        waiting.settle(result, &subnet.labels.id, &[])?;
    }
    Ok(())
}
