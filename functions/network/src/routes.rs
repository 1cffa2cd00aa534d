//! Route tables: the public one to the internet gateway, one private one per zone to its NAT
//! gateway, and the S3 gateway endpoint whose routes live in the private ones.
//!
//! A private table's default route follows its zone's NAT gateway: created once the gateway is
//! `available`, removed while the environment sleeps (no NAT gateway), and replaced when it points
//! anywhere else. Deleting a NAT gateway "does not delete any NAT gateway routes in your route
//! tables" (EC2 API reference, DeleteNatGateway): such a route is left `blackhole` ("the route's
//! target isn't available", EC2 API reference, `Route.State`), so sleep removes the routes before
//! the gateways, and wake replaces a route a gateway of an earlier wake left behind.

use crate::api::{
    CallResult, Cloud, Ec2Calls, NatGateway, NatState, Route, RouteTable, RouteTarget, Vpc,
};
use crate::labels::is_named;
use crate::nat;
use crate::subnets::Subnets;
use crate::waiting::Waiting;
use env_core::context::Context;
use env_core::naming::{AzSlot, NameKind};

/// Route tables, default routes and associations; returns the private tables' ids. `nats` are
/// the spec's NAT gateways by zone, none while the environment sleeps.
pub async fn ensure<C: Cloud>(
    cx: &Context<'_, C>,
    vpc: &Vpc,
    subnets: &Subnets,
    gateway: &str,
    nats: &[(AzSlot, NatGateway)],
) -> CallResult<Vec<String>> {
    let existing = cx.cloud.ec2().route_tables(&vpc.labels.id).await?;
    let public = table(cx, &existing, vpc, NameKind::PublicRouteTable).await?;
    // Any default route the public table has is kept: create adds one only where there is none.
    if !has_default_route(&public) {
        let target = RouteTarget::InternetGateway(gateway.to_owned());
        cx.cloud
            .ec2()
            .create_default_route(&public.labels.id, &target)
            .await?;
    }
    associate(cx, &public, &subnets.public).await?;

    let mut private_tables = Vec::new();
    for (index, slot) in AzSlot::ALL.into_iter().enumerate() {
        let table = table(cx, &existing, vpc, NameKind::PrivateRouteTable(slot)).await?;
        let nat = nats.get(nat::serving(cx.fields().nat_gateways, index));
        follow_nat(cx, &table, nat.map(|(_, nat)| nat)).await?;
        associate(cx, &table, std::slice::from_ref(&subnets.private[index])).await?;
        private_tables.push(table.labels.id);
    }
    Ok(private_tables)
}

/// The table named for `kind`, created when missing.
async fn table<C: Cloud>(
    cx: &Context<'_, C>,
    existing: &[RouteTable],
    vpc: &Vpc,
    kind: NameKind,
) -> CallResult<RouteTable> {
    let name = cx.names.of(kind);
    match existing.iter().find(|table| is_named(&table.labels, &name)) {
        Some(table) => Ok(table.clone()),
        None => {
            cx.cloud
                .ec2()
                .create_route_table(&vpc.labels.id, &cx.tags_named(name))
                .await
        }
    }
}

/// A private table's default route to `nat`: one to anything else is removed, and the route to
/// `nat` is added once it is available (a later call adds it otherwise). Without `nat` (asleep)
/// the table keeps no default route.
async fn follow_nat<C: Cloud>(
    cx: &Context<'_, C>,
    table: &RouteTable,
    nat: Option<&NatGateway>,
) -> CallResult<()> {
    let current = default_route(table).and_then(|route| route.target.as_deref());
    let routed = nat.is_some_and(|nat| current == Some(nat.labels.id.as_str()));
    if has_default_route(table) && !routed {
        let removed = cx.cloud.ec2().delete_default_route(&table.labels.id).await;
        match removed {
            // Already gone (a retried call): what was wanted.
            Err(error) if error.is_code("InvalidRoute.NotFound") => {}
            other => other?,
        }
    }
    if let (false, Some(nat)) = (routed, nat.filter(|nat| nat.state == NatState::Available)) {
        let target = RouteTarget::NatGateway(nat.labels.id.clone());
        cx.cloud
            .ec2()
            .create_default_route(&table.labels.id, &target)
            .await?;
    }
    Ok(())
}

/// Associates `subnets` with the table where they are not yet.
async fn associate<C: Cloud>(
    cx: &Context<'_, C>,
    table: &RouteTable,
    subnets: &[String],
) -> CallResult<()> {
    for subnet in subnets {
        if !is_associated(table, subnet) {
            cx.cloud
                .ec2()
                .associate_route_table(&table.labels.id, subnet)
                .await?;
        }
    }
    Ok(())
}

/// The table's IPv4 default route (`0.0.0.0/0`), if it has one: a table holds at most one route
/// per destination.
pub fn default_route(table: &RouteTable) -> Option<&Route> {
    table
        .routes
        .iter()
        .find(|route| route.destination_cidr.as_deref() == Some("0.0.0.0/0"))
}

/// The table has a default route, whatever its target.
pub fn has_default_route(table: &RouteTable) -> bool {
    default_route(table).is_some()
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
