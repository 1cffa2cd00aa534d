//! `create`: every step looks its resource up by name and the environment tag and creates only
//! what is missing, in the order each needs the one before. Called again by the provision
//! workflow's wait loop until it answers READY; `status` ([`crate::status`]) only reads.
//!
//! An asleep spec (`envctl env sleep`) converges to the asleep shape instead: no NAT gateway and
//! no Elastic IP (billed by the hour whether traffic flows or not), the private tables without
//! default route, everything else as awake. The routes go first and the gateways after them, so
//! no route is ever left pointing at a deleted gateway; READY once the gateways are `deleted` and
//! their addresses released. Awake again, the same steps make the gateways and routes anew.

use crate::api::{Cloud, NatState};
use crate::handler::NetworkError;
use crate::waiting::Waiting;
use crate::{claim, flow_logs, internet_gateway, key, nat, routes, security_groups, subnets, vpc};
use env_core::arn::account_of;
use env_core::context::Context;
use env_core::contract::{Outputs, Request};
use env_core::{Response, Status};
use serde_json::{json, Value};

pub async fn converge<C: Cloud>(cloud: &C, request: &Request) -> Result<Response, NetworkError> {
    let cx = Context::new(cloud, request);
    let zones = vpc::zones(&cx).await?;
    let role_arn = flow_logs::role(&cx).await?;
    let account = account_of(&role_arn);
    let key_arn = key::ensure(&cx, account).await?;
    let log_group = flow_logs::ensure_group(&cx, &key_arn, account).await?;

    let vpc = vpc::ensure(&cx).await?;
    claim::ensure(&cx, &vpc.labels.id).await?;
    let subnets = subnets::ensure(&cx, &vpc, zones).await?;
    let gateway = internet_gateway::ensure(&cx, &vpc).await?;
    let asleep = cx.fields().asleep;
    let nats = if asleep {
        Vec::new()
    } else {
        nat::ensure(&cx, &vpc, &subnets.public, request.started_at).await?
    };
    let private_tables = routes::ensure(&cx, &vpc, &subnets, &gateway, &nats).await?;
    let groups = security_groups::ensure(&cx, &vpc).await?;
    let refused = flow_logs::ensure(&cx, &vpc.labels.id, &log_group, &role_arn).await?;
    routes::ensure_s3_endpoint(&cx, &vpc, &private_tables).await?;
    let going = if asleep {
        nat::put_to_sleep(cloud, cx.environment()).await?
    } else {
        Waiting::default()
    };

    let pending: Vec<&str> = nats
        .iter()
        .filter(|(_, nat)| nat.state != NatState::Available)
        .map(|(_, nat)| nat.labels.id.as_str())
        .collect();
    tracing::info!(
        asleep,
        ?pending,
        ?going,
        ?refused,
        "converged; pending: NAT gateways not yet available, going: what a sleep still removes, \
         flow logs refused"
    );
    let status = if pending.is_empty() && going.is_empty() && refused.is_empty() {
        Status::Ready
    } else {
        Status::InProgress
    };
    let mut outputs = Outputs::new();
    outputs.insert("vpcId".into(), json!(vpc.labels.id));
    outputs.insert("vpcCidr".into(), json!(cx.fields().vpc_cidr.to_string()));
    outputs.insert("availabilityZones".into(), json!(subnets.zones));
    outputs.insert("publicSubnetIds".into(), json!(subnets.public));
    outputs.insert("privateSubnetIds".into(), json!(subnets.private));
    outputs.insert("securityGroupIds".into(), Value::Object(groups));
    let nat_ids: Vec<&str> = nats.iter().map(|(_, nat)| nat.labels.id.as_str()).collect();
    outputs.insert("natGatewayIds".into(), json!(nat_ids));
    outputs.insert("kmsKeyArn".into(), json!(key_arn));
    outputs.insert("flowLogGroup".into(), json!(log_group));
    Ok(Response::new(status, outputs))
}

#[cfg(test)]
#[path = "sleep_tests.rs"]
mod sleep_tests;
