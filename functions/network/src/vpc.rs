//! The VPC, with DNS support and hostnames on, in the first three availability zones.

use crate::api::{CallResult, Cloud, Ec2Calls, Vpc};
use crate::handler::NetworkError;
use crate::labels::{is_mine, is_named};
use env_core::context::Context;
use env_core::naming::{AzSlot, NameKind};

/// The VPC named for the environment, created when missing.
pub async fn ensure<C: Cloud>(cx: &Context<'_, C>) -> CallResult<Vpc> {
    let name = cx.names.of(NameKind::Vpc);
    let environment = cx.environment();
    let existing = cx
        .cloud
        .ec2()
        .vpcs(environment)
        .await?
        .into_iter()
        .find(|vpc| is_mine(&vpc.labels, environment) && is_named(&vpc.labels, &name));
    let vpc = match existing {
        Some(vpc) => vpc,
        None => {
            let cidr = cx.fields().vpc_cidr.to_string();
            cx.cloud
                .ec2()
                .create_vpc(&cidr, &cx.tags_named(name))
                .await?
        }
    };
    cx.cloud.ec2().enable_dns(&vpc.labels.id).await?;
    Ok(vpc)
}

/// The first three available AZs by name: us-west-2a, b, c where the account has them.
pub async fn zones<C: Cloud>(cx: &Context<'_, C>) -> Result<Vec<String>, NetworkError> {
    let mut zones = cx.cloud.ec2().availability_zones().await?;
    if zones.len() < AzSlot::ALL.len() {
        return Err(NetworkError::TooFewZones {
            region: cx.fields().region.as_str(),
            found: zones.len(),
        });
    }
    zones.sort();
    zones.truncate(AzSlot::ALL.len());
    Ok(zones)
}
