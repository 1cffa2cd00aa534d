//! `status`: reads what `create` makes and answers how far it got, changing nothing. It calls only
//! the finders of [`Cloud`] and of its log groups and roles, the ones `create` and `delete` look
//! their resources up with, and judges them as they do:
//!
//! - DELETED, with no outputs, when nothing `delete` would remove is left: no flow-log role, key
//!   alias or log group, and no VPC, internet gateway, NAT gateway or Elastic IP tagged for the
//!   environment;
//! - READY, with exactly `create`'s outputs, when every resource `create` makes exists in its
//!   usable state: the key not scheduled for deletion, every NAT gateway `available`, every route
//!   table with its default route and subnets, the internet gateway attached, every security group
//!   with exactly its rules, the flow log and the S3 endpoint in place;
//! - IN_PROGRESS otherwise (a create under way or interrupted, a delete under way), with the
//!   outputs that could be read.
//!
//! For an asleep spec, READY means the asleep shape `create` converges to: no NAT gateway (none
//! but `deleted` ones) and no Elastic IP of the environment, no default route in the private
//! tables, everything else as awake; `natGatewayIds` is then empty.
//!
//! A failed NAT gateway fails an awake component, as it fails `create`; asleep, it is one more
//! gateway for `create` to delete. What `create` sets again on every call without a resource of
//! its own (DNS attributes, key rotation, log retention, the role's inline policy) is not read:
//! those calls cannot be left half-made.

use crate::api::{Cloud, Ec2Calls, InternetGateway, NatState, Vpc};
use crate::cidr::SUBNETS;
use crate::handler::NetworkError;
use crate::labels::{is_mine, is_named};
use crate::security_groups::{review, RuleChanges};
use crate::{nat, routes, subnets, vpc};
use env_core::context::Context;
use env_core::contract::{Outputs, Request};
use env_core::naming::{AzSlot, NameKind};
use env_core::{Response, Status};
use iam_roles::RoleCalls;
use log_groups::LogGroupCalls;
use serde_json::{json, Value};

pub async fn status<C: Cloud>(cloud: &C, request: &Request) -> Result<Response, NetworkError> {
    let cx = Context::new(cloud, request);
    let (names, environment) = (cx.names, cx.environment());
    let mut report = Report::default();

    let role = names.of(NameKind::FlowLogRole);
    let has_role = cloud.roles().arn(&role).await?.is_some();
    report.found(has_role);
    report.expect(has_role, role);

    let alias = names.of(NameKind::KmsAlias);
    let key = cloud.key_by_alias(&alias).await?;
    report.found(key.is_some());
    // A key scheduled for deletion can no longer encrypt: create replaces it.
    let key = key.filter(|key| !key.pending_deletion);
    report.expect(key.is_some(), alias);
    report.output("kmsKeyArn", key.map(|key| json!(key.arn)));

    let log_group = names.of(NameKind::FlowLogGroup);
    let has_log_group = cloud.logs().exists(&log_group).await?;
    report.found(has_log_group);
    report.expect(has_log_group, log_group.clone());
    report.output("flowLogGroup", has_log_group.then(|| json!(log_group)));

    let nat_ids = nat_gateways(&cx, &mut report).await?;
    let every_nat = nat_ids.iter().all(Option::is_some);
    let found_ids: Vec<&String> = nat_ids.iter().flatten().collect();
    report.output("natGatewayIds", every_nat.then(|| json!(found_ids)));

    let gateways: Vec<InternetGateway> = cloud.ec2().internet_gateways(environment).await?;
    let gateways: Vec<InternetGateway> = gateways
        .into_iter()
        .filter(|gateway| is_mine(&gateway.labels, environment))
        .collect();
    report.found(!gateways.is_empty());
    let gateway_name = names.of(NameKind::InternetGateway);
    let gateway = gateways
        .iter()
        .find(|gateway| is_named(&gateway.labels, &gateway_name));

    let vpcs: Vec<Vpc> = cloud.ec2().vpcs(environment).await?;
    let vpcs: Vec<Vpc> = vpcs
        .into_iter()
        .filter(|vpc| is_mine(&vpc.labels, environment))
        .collect();
    report.found(!vpcs.is_empty());
    let vpc_name = names.of(NameKind::Vpc);
    let vpc = vpcs.iter().find(|vpc| is_named(&vpc.labels, &vpc_name));
    report.expect(vpc.is_some(), vpc_name);
    let attached = gateway
        .zip(vpc)
        .is_some_and(|(gateway, vpc)| gateway.attached_vpcs.contains(&vpc.labels.id));
    report.expect(attached, gateway_name);
    if let Some(vpc) = vpc {
        in_vpc(&cx, vpc, &nat_ids, &mut report).await?;
    }
    Ok(report.into_response())
}

/// The NAT gateway of every zone that gets one, found by name as create finds it: its id in each
/// zone's place, none where it is missing. Awake, a failed one fails the component. Asleep, no
/// zone gets one, and every gateway and address of the environment has to be gone.
async fn nat_gateways<C: Cloud>(
    cx: &Context<'_, C>,
    report: &mut Report,
) -> Result<Vec<Option<String>>, NetworkError> {
    let (cloud, names, environment) = (cx.cloud, cx.names, cx.environment());
    let nats = nat::live(cloud.ec2().nat_gateways(environment).await?, environment);
    let addresses = cloud.ec2().addresses(environment).await?;
    let has_address = addresses
        .iter()
        .any(|address| is_mine(address, environment));
    report.found(!nats.is_empty());
    report.found(has_address);
    if cx.fields().asleep {
        report.expect(nats.is_empty(), "the NAT gateways to be deleted");
        report.expect(!has_address, "the Elastic IPs to be released");
        return Ok(Vec::new());
    }
    let mut ids = Vec::new();
    for slot in nat::slots(cx.fields().nat_gateways) {
        let name = names.of(NameKind::NatGateway(*slot));
        let nat = nats.iter().find(|nat| is_named(&nat.labels, &name));
        if let Some(failed) = nat.filter(|nat| nat.state == NatState::Failed) {
            return Err(NetworkError::NatFailed(failed.labels.id.clone()));
        }
        report.expect(
            nat.is_some_and(|nat| nat.state == NatState::Available),
            name,
        );
        ids.push(nat.map(|nat| nat.labels.id.clone()));
    }
    Ok(ids)
}

/// What create makes in the VPC: the subnets, their route tables, the security groups, the flow
/// log and the S3 endpoint.
async fn in_vpc<C: Cloud>(
    cx: &Context<'_, C>,
    vpc: &Vpc,
    nat_ids: &[Option<String>],
    report: &mut Report,
) -> Result<(), NetworkError> {
    let (cloud, names, vpc_id) = (cx.cloud, cx.names, vpc.labels.id.as_str());
    report.output("vpcId", Some(json!(vpc_id)));
    report.output("vpcCidr", Some(json!(cx.fields().vpc_cidr.to_string())));
    report.output("availabilityZones", Some(json!(vpc::zones(cx).await?)));

    let existing = cloud.ec2().subnets(vpc_id).await?;
    let mut ids = Vec::new();
    for kind in subnets::kinds() {
        let name = names.of(kind);
        let subnet = existing
            .iter()
            .find(|subnet| is_named(&subnet.labels, &name));
        report.expect(subnet.is_some(), name);
        ids.extend(subnet.map(|subnet| subnet.labels.id.clone()));
    }
    // The route tables' associations are judged once every subnet exists; until then the
    // subnets alone keep the network in progress.
    if ids.len() == SUBNETS {
        let private = ids.split_off(AzSlot::ALL.len());
        let public = ids;
        route_tables(cx, vpc_id, &public, &private, nat_ids, report).await?;
        report.output("publicSubnetIds", Some(json!(public)));
        report.output("privateSubnetIds", Some(json!(private)));
    }

    let groups = cloud.ec2().security_groups(vpc_id).await?;
    let port = i32::from(cx.fields().container_port.get());
    let (group_ids, changes) = review(&groups, names, port, cx.fields().cache_mode);
    let every_group = group_ids.values().all(|id| id != "");
    report.expect(every_group, "the tiers' security groups");
    let exact_rules = changes.iter().all(RuleChanges::is_empty);
    report.expect(exact_rules, "the security groups' rules");
    report.output(
        "securityGroupIds",
        every_group.then_some(Value::Object(group_ids)),
    );

    let has_flow_log = !cloud.ec2().flow_logs(vpc_id).await?.is_empty();
    report.expect(has_flow_log, names.of(NameKind::FlowLog));
    let has_endpoint = !cloud.ec2().s3_endpoints(vpc_id).await?.is_empty();
    report.expect(has_endpoint, names.of(NameKind::S3Endpoint));
    Ok(())
}

/// Every route table create makes, with its default route and its subnets: the public one for the
/// public subnets (any default route), one private one per zone for that zone's private subnet,
/// its default route through the zone's NAT gateway (`nat_ids`, by zone as the spec shares them),
/// or none while asleep (`nat_ids` empty).
async fn route_tables<C: Cloud>(
    cx: &Context<'_, C>,
    vpc_id: &str,
    public: &[String],
    private: &[String],
    nat_ids: &[Option<String>],
    report: &mut Report,
) -> Result<(), NetworkError> {
    let tables = cx.cloud.ec2().route_tables(vpc_id).await?;
    let find = |kind| {
        let name = cx.names.of(kind);
        let table = tables.iter().find(|table| is_named(&table.labels, &name));
        (name, table)
    };
    let (name, table) = find(NameKind::PublicRouteTable);
    let routed = table.is_some_and(|table| {
        routes::has_default_route(table)
            && public
                .iter()
                .all(|subnet| routes::is_associated(table, subnet))
    });
    report.expect(routed, name);
    let asleep = cx.fields().asleep;
    for (index, (slot, subnet)) in AzSlot::ALL.into_iter().zip(private).enumerate() {
        let (name, table) = find(NameKind::PrivateRouteTable(slot));
        let nat = nat_ids
            .get(nat::serving(cx.fields().nat_gateways, index))
            .and_then(Option::as_deref);
        let routed = table.is_some_and(|table| {
            let target = routes::default_route(table).map(|route| route.target.as_deref());
            let route_ok = if asleep {
                target.is_none()
            } else {
                nat.is_some() && target == Some(nat)
            };
            route_ok && routes::is_associated(table, subnet)
        });
        report.expect(routed, name);
    }
    Ok(())
}

/// What status has read: whether anything of the network is left, what is not ready yet, and the
/// outputs that could be read.
#[derive(Debug, Default)]
struct Report {
    anything: bool,
    not_ready: Vec<String>,
    outputs: Outputs,
}

impl Report {
    /// Something `delete` would remove is there.
    fn found(&mut self, present: bool) {
        self.anything |= present;
    }

    fn expect(&mut self, ready: bool, what: impl Into<String>) {
        if !ready {
            self.not_ready.push(what.into());
        }
    }

    fn output(&mut self, key: &str, value: Option<Value>) {
        if let Some(value) = value {
            self.outputs.insert(key.to_owned(), value);
        }
    }

    fn into_response(self) -> Response {
        tracing::info!(found = self.anything, not_ready = ?self.not_ready, "status read");
        match (self.anything, self.not_ready.is_empty()) {
            (false, _) => Response::new(Status::Deleted, Outputs::new()),
            (true, true) => Response::new(Status::Ready, self.outputs),
            (true, false) => Response::new(Status::InProgress, self.outputs),
        }
    }
}

#[cfg(test)]
#[path = "status_tests.rs"]
pub(crate) mod tests;
