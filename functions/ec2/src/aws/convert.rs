//! The SDK's EC2 shapes as the crate's plain types, and the security-group rules as the SDK's
//! permissions: the required fields checked, the tags read into [`Labels`].

use crate::{
    Association, CallResult, Direction, InternetGateway, Labels, NatGateway, NatState,
    NetworkInterface, Peer, Route, RouteTable, Rule, SecurityGroup, Subnet, Vpc,
};
use aws_sdk_ec2::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_ec2::operation::create_flow_logs::{CreateFlowLogsError, CreateFlowLogsOutput};
use aws_sdk_ec2::types as ec2;
use env_core::error::{aws_error, Required};
use env_core::tags;

fn tag_value(tags: &[ec2::Tag], key: &str) -> Option<String> {
    tags.iter()
        .find(|tag| tag.key() == Some(key))
        .and_then(ec2::Tag::value)
        .map(str::to_owned)
}

pub(super) fn labels(id: &str, tags: &[ec2::Tag]) -> Labels {
    Labels {
        id: id.to_owned(),
        name: tag_value(tags, "Name"),
        environment: tag_value(tags, tags::ENVIRONMENT),
    }
}

pub(super) fn vpc(vpc: &ec2::Vpc) -> CallResult<Vpc> {
    let id = vpc.vpc_id().required("Vpc.VpcId")?;
    Ok(Vpc {
        labels: labels(id, vpc.tags()),
        cidr: vpc.cidr_block().required("Vpc.CidrBlock")?.to_owned(),
    })
}

pub(super) fn subnet(subnet: &ec2::Subnet) -> CallResult<Subnet> {
    let id = subnet.subnet_id().required("Subnet.SubnetId")?;
    Ok(Subnet {
        labels: labels(id, subnet.tags()),
        zone: subnet
            .availability_zone()
            .required("Subnet.AvailabilityZone")?
            .to_owned(),
    })
}

pub(super) fn internet_gateway(gateway: &ec2::InternetGateway) -> CallResult<InternetGateway> {
    let id = gateway
        .internet_gateway_id()
        .required("InternetGateway.InternetGatewayId")?;
    Ok(InternetGateway {
        labels: labels(id, gateway.tags()),
        attached_vpcs: gateway
            .attachments()
            .iter()
            .filter_map(ec2::InternetGatewayAttachment::vpc_id)
            .map(str::to_owned)
            .collect(),
    })
}

pub(super) fn nat_gateway(gateway: &ec2::NatGateway) -> CallResult<NatGateway> {
    let id = gateway
        .nat_gateway_id()
        .required("NatGateway.NatGatewayId")?;
    Ok(NatGateway {
        labels: labels(id, gateway.tags()),
        state: NatState::from_aws(gateway.state().map(ec2::NatGatewayState::as_str)),
        subnet_id: gateway
            .subnet_id()
            .required("NatGateway.SubnetId")?
            .to_owned(),
    })
}

fn association(association: &ec2::RouteTableAssociation) -> CallResult<Association> {
    let id = association
        .route_table_association_id()
        .required("RouteTableAssociation.RouteTableAssociationId")?;
    Ok(Association {
        id: id.to_owned(),
        // The main table's implicit association, and a gateway's, have no subnet.
        subnet_id: association.subnet_id().map(str::to_owned),
        main: *association
            .main()
            .as_ref()
            .required("RouteTableAssociation.Main")?,
    })
}

fn route(route: &ec2::Route) -> Route {
    Route {
        // A gateway endpoint's route goes to a prefix list, and an IPv6 route to an IPv6 block.
        destination_cidr: route.destination_cidr_block().map(str::to_owned),
        // A route through a peering connection, transit gateway or interface names neither.
        target: route
            .nat_gateway_id()
            .or(route.gateway_id())
            .map(str::to_owned),
    }
}

pub(super) fn route_table(table: &ec2::RouteTable) -> CallResult<RouteTable> {
    let id = table.route_table_id().required("RouteTable.RouteTableId")?;
    Ok(RouteTable {
        labels: labels(id, table.tags()),
        associations: table
            .associations()
            .iter()
            .map(association)
            .collect::<CallResult<_>>()?,
        routes: table.routes().iter().map(route).collect(),
    })
}

/// One AWS permission (protocol, ports, several peers) as one rule per peer.
fn rules(direction: Direction, permissions: &[ec2::IpPermission]) -> CallResult<Vec<Rule>> {
    let mut rules = Vec::new();
    for permission in permissions {
        let protocol = permission
            .ip_protocol()
            .required("IpPermission.IpProtocol")?;
        let rule = |peer: Peer, description: Option<&str>| Rule {
            direction,
            protocol: protocol.to_owned(),
            from_port: permission.from_port(),
            to_port: permission.to_port(),
            peer,
            description: description.map(str::to_owned),
        };
        for range in permission.ip_ranges() {
            let cidr = range.cidr_ip().required("IpRange.CidrIp")?.to_owned();
            rules.push(rule(Peer::Cidr(cidr), range.description()));
        }
        for pair in permission.user_id_group_pairs() {
            let group = pair
                .group_id()
                .required("UserIdGroupPair.GroupId")?
                .to_owned();
            rules.push(rule(Peer::Group(group), pair.description()));
        }
    }
    Ok(rules)
}

pub(super) fn security_group(group: &ec2::SecurityGroup) -> CallResult<SecurityGroup> {
    let mut all = rules(Direction::Ingress, group.ip_permissions())?;
    all.extend(rules(Direction::Egress, group.ip_permissions_egress())?);
    let id = group.group_id().required("SecurityGroup.GroupId")?;
    Ok(SecurityGroup {
        labels: labels(id, group.tags()),
        group_name: group
            .group_name()
            .required("SecurityGroup.GroupName")?
            .to_owned(),
        rules: all,
    })
}

pub(super) fn network_interface(interface: &ec2::NetworkInterface) -> CallResult<NetworkInterface> {
    let id = interface
        .network_interface_id()
        .required("NetworkInterface.NetworkInterfaceId")?;
    Ok(NetworkInterface {
        id: id.to_owned(),
        status: interface
            .status()
            .required("NetworkInterface.Status")?
            .as_str()
            .to_owned(),
        // Optional: an interface made without a description has none; it only words a message.
        description: interface.description().unwrap_or_default().to_owned(),
    })
}

fn permission(rule: &Rule) -> ec2::IpPermission {
    let builder = ec2::IpPermission::builder()
        .ip_protocol(&rule.protocol)
        .set_from_port(rule.from_port)
        .set_to_port(rule.to_port);
    match &rule.peer {
        Peer::Cidr(cidr) => builder.ip_ranges(
            ec2::IpRange::builder()
                .cidr_ip(cidr)
                .set_description(rule.description.clone())
                .build(),
        ),
        Peer::Group(group) => builder.user_id_group_pairs(
            ec2::UserIdGroupPair::builder()
                .group_id(group)
                .set_description(rule.description.clone())
                .build(),
        ),
    }
    .build()
}

pub(super) fn permissions(rules: &[Rule], direction: Direction) -> Option<Vec<ec2::IpPermission>> {
    let chosen: Vec<_> = rules
        .iter()
        .filter(|rule| rule.direction == direction)
        .map(permission)
        .collect();
    (!chosen.is_empty()).then_some(chosen)
}

/// Why AWS refused to create the flow log, if it did: CreateFlowLogs reports that in its answer
/// (`Unsuccessful`), or, for a role it cannot assume yet, as an error for the whole call.
pub(super) fn flow_log_refusals(
    output: Result<CreateFlowLogsOutput, SdkError<CreateFlowLogsError>>,
) -> CallResult<Vec<String>> {
    let output = match output {
        // The same refusal of a role EC2 cannot assume yet, answered for the whole call
        // instead of per resource (hashicorp/terraform-provider-aws#29323; its flow_log.go
        // retries this code and message while IAM propagates). Bounded by the provision's
        // status polls.
        Err(error)
            if error.code() == Some("InvalidParameter")
                && error
                    .message()
                    .is_some_and(|message| message.contains("Unable to assume")) =>
        {
            return Ok(vec![aws_error("CreateFlowLogs")(error).to_string()]);
        }
        answer => answer.map_err(aws_error("CreateFlowLogs"))?,
    };
    Ok(output
        .unsuccessful()
        .iter()
        .filter_map(ec2::UnsuccessfulItem::error)
        .filter_map(ec2::UnsuccessfulItemError::message)
        .map(str::to_owned)
        .collect())
}

#[cfg(test)]
mod tests;
