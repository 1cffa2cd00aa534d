//! The VPC: default security group, flow logs, subnets and their routes, NAT gateways, groups.

use crate::facts::{NatGateway, Network, Rule, SecurityGroup, Subnet};
use anyhow::Context;
use aws_config::SdkConfig;
use aws_sdk_ec2::types::{
    Filter, IpPermission, NatGateway as Ec2NatGateway, RouteTable, Subnet as Ec2Subnet,
};
use aws_sdk_ec2::Client;
use env_core::error::{aws_error, Required};
use env_core::spec::EnvironmentSuffix;
use env_core::tags;

fn filter(name: &str, value: &str) -> Filter {
    Filter::builder().name(name).values(value).build()
}

pub async fn read(config: &SdkConfig, suffix: &EnvironmentSuffix) -> anyhow::Result<Network> {
    let ec2 = Client::new(config);
    let Some(vpc_id) = environment_vpc(&ec2, suffix).await? else {
        return Ok(Network::default());
    };
    let (default_group_rules, security_groups) = security_groups(&ec2, &vpc_id, suffix).await?;
    let flow_log_groups = active_flow_log_groups(&ec2, &vpc_id).await?;
    let subnets = subnets(&ec2, &vpc_id).await?;
    let nat_gateways = available_nat_gateways(&ec2, &vpc_id, &subnets).await?;
    Ok(Network {
        vpc_id: Some(vpc_id),
        default_group_rules,
        flow_log_groups,
        subnets,
        security_groups,
        nat_gateways,
    })
}

/// The id of the VPC tagged with the environment, if there is one.
async fn environment_vpc(
    ec2: &Client,
    suffix: &EnvironmentSuffix,
) -> anyhow::Result<Option<String>> {
    let vpcs = ec2
        .describe_vpcs()
        .filters(filter(
            &format!("tag:{}", tags::ENVIRONMENT),
            suffix.as_str(),
        ))
        .send()
        .await
        .map_err(aws_error("DescribeVpcs"))?;
    let vpc_id = vpcs
        .vpcs()
        .first()
        .and_then(|v| v.vpc_id())
        .map(str::to_owned);
    Ok(vpc_id)
}

/// The number of rules of the VPC's default group, and its other groups.
async fn security_groups(
    ec2: &Client,
    vpc_id: &str,
    suffix: &EnvironmentSuffix,
) -> anyhow::Result<(usize, Vec<SecurityGroup>)> {
    let groups = ec2
        .describe_security_groups()
        .filters(filter("vpc-id", vpc_id))
        .send()
        .await
        .map_err(aws_error("DescribeSecurityGroups"))?;
    let mut default_group_rules = 0;
    let mut security_groups = Vec::new();
    let group_suffix = format!("-{suffix}");
    for group in groups.security_groups() {
        let name = group.group_name().required("SecurityGroup.GroupName")?;
        if name == "default" {
            default_group_rules =
                rules(group.ip_permissions()).len() + rules(group.ip_permissions_egress()).len();
            continue;
        }
        let tier = name
            .strip_prefix("secgroup-")
            .and_then(|rest| rest.strip_suffix(&group_suffix))
            .unwrap_or(name);
        security_groups.push(SecurityGroup {
            id: group
                .group_id()
                .required("SecurityGroup.GroupId")?
                .to_owned(),
            tier: tier.to_owned(),
            // Kept as read: the SG-DESC check reports a group without one.
            description: group.description().map(str::to_owned),
            ingress: rules(group.ip_permissions()),
            egress: rules(group.ip_permissions_egress()),
        });
    }
    Ok((default_group_rules, security_groups))
}

/// The log groups of the VPC's active flow logs.
async fn active_flow_log_groups(ec2: &Client, vpc_id: &str) -> anyhow::Result<Vec<String>> {
    let flow_logs = ec2
        .describe_flow_logs()
        .filter(filter("resource-id", vpc_id))
        .send()
        .await
        .map_err(aws_error("DescribeFlowLogs"))?;
    let flow_log_groups = flow_logs
        .flow_logs()
        .iter()
        .filter(|f| f.flow_log_status() == Some("ACTIVE"))
        .filter_map(|f| f.log_group_name().map(str::to_owned))
        .collect();
    Ok(flow_log_groups)
}

/// The VPC's subnets, each with its default route from the route tables.
async fn subnets(ec2: &Client, vpc_id: &str) -> anyhow::Result<Vec<Subnet>> {
    let routes = ec2
        .describe_route_tables()
        .filters(filter("vpc-id", vpc_id))
        .send()
        .await
        .map_err(aws_error("DescribeRouteTables"))?;
    let subnets_out = ec2
        .describe_subnets()
        .filters(filter("vpc-id", vpc_id))
        .send()
        .await
        .map_err(aws_error("DescribeSubnets"))?;
    subnets_out
        .subnets()
        .iter()
        .map(|s| subnet(s, routes.route_tables()))
        .collect()
}

fn subnet(s: &Ec2Subnet, route_tables: &[RouteTable]) -> anyhow::Result<Subnet> {
    let id = s.subnet_id().required("Subnet.SubnetId")?.to_owned();
    let name = s
        .tags()
        .iter()
        .find(|t| t.key() == Some("Name"))
        .and_then(|t| t.value());
    Ok(Subnet {
        default_route: default_route(route_tables, &id),
        id,
        zone: s
            .availability_zone()
            .required("Subnet.AvailabilityZone")?
            .to_owned(),
        public: name.is_some_and(|name| name.starts_with("subnet-public-")),
        maps_public_ip: s.map_public_ip_on_launch().unwrap_or(false),
    })
}

/// Where the subnet's route table sends 0.0.0.0/0: a NAT or an internet gateway.
fn default_route(route_tables: &[RouteTable], subnet_id: &str) -> Option<String> {
    route_tables
        .iter()
        .find(|t| {
            t.associations()
                .iter()
                .any(|a| a.subnet_id() == Some(subnet_id))
        })
        .and_then(|t| {
            t.routes()
                .iter()
                .find(|r| r.destination_cidr_block() == Some("0.0.0.0/0"))
        })
        .and_then(|r| r.nat_gateway_id().or(r.gateway_id()))
        .map(str::to_owned)
}

/// The VPC's available NAT gateways, each with the zone of its subnet.
async fn available_nat_gateways(
    ec2: &Client,
    vpc_id: &str,
    subnets: &[Subnet],
) -> anyhow::Result<Vec<NatGateway>> {
    let nats = ec2
        .describe_nat_gateways()
        .filter(filter("vpc-id", vpc_id))
        .send()
        .await
        .map_err(aws_error("DescribeNatGateways"))?;
    nats.nat_gateways()
        .iter()
        .filter(|n| n.state().is_some_and(|s| s.as_str() == "available"))
        .map(|n| nat_gateway(n, subnets))
        .collect()
}

fn nat_gateway(n: &Ec2NatGateway, subnets: &[Subnet]) -> anyhow::Result<NatGateway> {
    let id = n
        .nat_gateway_id()
        .required("NatGateway.NatGatewayId")?
        .to_owned();
    let subnet_id = n.subnet_id().required("NatGateway.SubnetId")?.to_owned();
    let zone = zone_of(subnets, &id, &subnet_id)?;
    Ok(NatGateway {
        id,
        subnet_id,
        zone,
    })
}

/// One rule per source or destination: EC2 folds several CIDRs and groups into one permission.
fn rules(permissions: &[IpPermission]) -> Vec<Rule> {
    let mut rules = Vec::new();
    for permission in permissions {
        let rule = |cidr: Option<&str>, description: Option<&str>| Rule {
            protocol: permission.ip_protocol().unwrap_or("-1").to_owned(),
            from_port: permission.from_port(),
            to_port: permission.to_port(),
            cidr: cidr.map(str::to_owned),
            description: description.map(str::to_owned),
        };
        for range in permission.ip_ranges() {
            rules.push(rule(range.cidr_ip(), range.description()));
        }
        for pair in permission.user_id_group_pairs() {
            rules.push(rule(None, pair.description()));
        }
        for list in permission.prefix_list_ids() {
            rules.push(rule(list.prefix_list_id(), list.description()));
        }
    }
    rules
}

/// The zone of a NAT gateway's subnet: one of the VPC's, which DescribeSubnets listed.
fn zone_of(subnets: &[Subnet], gateway: &str, subnet_id: &str) -> anyhow::Result<String> {
    let subnet = subnets.iter().find(|s| s.id == subnet_id);
    subnet.map(|s| s.zone.clone()).with_context(|| {
        format!(
            "NAT gateway {gateway} is in subnet {subnet_id}, which DescribeSubnets did not list"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nat_gateways_zone_is_its_subnets_and_a_subnet_not_listed_is_an_error() {
        let subnets = [Subnet {
            id: "subnet-1".into(),
            zone: "us-west-2a".into(),
            public: true,
            maps_public_ip: true,
            default_route: None,
        }];
        assert_eq!(
            zone_of(&subnets, "nat-1", "subnet-1").unwrap(),
            "us-west-2a"
        );
        let error = zone_of(&subnets, "nat-1", "subnet-9").unwrap_err();
        assert_eq!(
            error.to_string(),
            "NAT gateway nat-1 is in subnet subnet-9, which DescribeSubnets did not list"
        );
    }
}
