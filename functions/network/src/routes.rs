//! Route tables: the public one to the internet gateway, one private one per zone to its NAT
//! gateway, and the S3 gateway endpoint whose routes live in the private ones.

use crate::api::{CallResult, Cloud, Ec2Calls, NatGateway, NatState, RouteTable, RouteTarget, Vpc};
use crate::labels::is_named;
use crate::subnets::Subnets;
use crate::waiting::Waiting;
use env_core::context::Context;
use env_core::naming::{AzSlot, NameKind};
use env_core::spec::NatStrategy;

/// Route tables, default routes and associations; returns the private tables' ids.
pub async fn ensure<C: Cloud>(
    cx: &Context<'_, C>,
    vpc: &Vpc,
    subnets: &Subnets,
    gateway: &str,
    nats: &[(AzSlot, NatGateway)],
) -> CallResult<Vec<String>> {
    let (cloud, names) = (cx.cloud, cx.names);
    let existing = cloud.ec2().route_tables(&vpc.labels.id).await?;
    let mut wanted = vec![(
        NameKind::PublicRouteTable,
        subnets.public.clone(),
        Some(RouteTarget::InternetGateway(gateway.to_owned())),
    )];
    for (index, slot) in AzSlot::ALL.into_iter().enumerate() {
        // perAz: the NAT gateway of the subnet's own AZ; single: the one shared gateway.
        let nat = match cx.fields().nat_gateways {
            NatStrategy::PerAz => &nats[index].1,
            NatStrategy::Single => &nats[0].1,
        };
        // A route to a NAT gateway that is not available yet waits for a later call.
        let target = (nat.state == NatState::Available)
            .then(|| RouteTarget::NatGateway(nat.labels.id.clone()));
        wanted.push((
            NameKind::PrivateRouteTable(slot),
            vec![subnets.private[index].clone()],
            target,
        ));
    }
    let mut private_tables = Vec::new();
    for (kind, subnets, target) in wanted {
        let name = names.of(kind);
        let table = match existing.iter().find(|table| is_named(&table.labels, &name)) {
            Some(table) => table.clone(),
            None => {
                cloud
                    .ec2()
                    .create_route_table(&vpc.labels.id, &cx.tags_named(name))
                    .await?
            }
        };
        if let (false, Some(target)) = (has_default_route(&table), target) {
            cloud
                .ec2()
                .create_default_route(&table.labels.id, &target)
                .await?;
        }
        for subnet in subnets {
            if !is_associated(&table, &subnet) {
                cloud
                    .ec2()
                    .associate_route_table(&table.labels.id, &subnet)
                    .await?;
            }
        }
        if kind != NameKind::PublicRouteTable {
            private_tables.push(table.labels.id);
        }
    }
    Ok(private_tables)
}

/// The table has a default route, whatever its target: create adds one only where there is none.
pub fn has_default_route(table: &RouteTable) -> bool {
    table
        .routes
        .iter()
        .any(|route| route.destination_cidr.as_deref() == Some("0.0.0.0/0"))
}

/// `subnet` is associated with the table.
pub fn is_associated(table: &RouteTable, subnet: &str) -> bool {
    table
        .associations
        .iter()
        .any(|association| association.subnet_id.as_deref() == Some(subnet))
}

/// The S3 gateway endpoint on the private tables, created when the VPC has none.
pub async fn ensure_s3_endpoint<C: Cloud>(
    cx: &Context<'_, C>,
    vpc: &Vpc,
    private_tables: &[String],
) -> CallResult<()> {
    if cx
        .cloud
        .ec2()
        .s3_endpoints(&vpc.labels.id)
        .await?
        .is_empty()
    {
        let tags = cx.tags_named(cx.names.of(NameKind::S3Endpoint));
        cx.cloud
            .ec2()
            .create_s3_endpoint(&vpc.labels.id, private_tables, &tags)
            .await?;
    }
    Ok(())
}

/// The VPC's endpoints: before the route tables, since a gateway endpoint's routes live in them
/// (moto even refuses to delete an endpoint whose table is gone).
pub async fn delete_endpoints<C: Cloud>(
    cloud: &C,
    vpc: &str,
    waiting: &mut Waiting,
) -> CallResult<()> {
    for endpoint in cloud.ec2().s3_endpoints(vpc).await? {
        let deleted = cloud.ec2().delete_endpoint(&endpoint.id).await;
        waiting.settle(deleted, &endpoint.id, &[])?;
    }
    Ok(())
}

/// The VPC's route tables, but the main one, which goes with the VPC.
pub async fn delete<C: Cloud>(cloud: &C, vpc: &str, waiting: &mut Waiting) -> CallResult<()> {
    for table in cloud.ec2().route_tables(vpc).await? {
        if table
            .associations
            .iter()
            .any(|association| association.main)
        {
            continue;
        }
        for association in &table.associations {
            let result = cloud.ec2().disassociate_route_table(&association.id).await;
            waiting.settle(result, &association.id, &[])?;
        }
        let result = cloud.ec2().delete_route_table(&table.labels.id).await;
        waiting.settle(result, &table.labels.id, &[])?;
    }
    Ok(())
}
