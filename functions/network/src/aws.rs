//! [`Cloud`] over the AWS SDK: one SDK call per method, translated to and from the plain types of
//! [`crate::api`]. No decisions are taken here; they are the handler's, where the unit tests reach them.

use crate::api::{
    found, Association, CallResult, Cloud, Direction, InternetGateway, Key, Labels, NatGateway,
    NatState, NetworkInterface, Peer, Route, RouteTable, RouteTarget, Rule, SecurityGroup, Subnet,
    Vpc,
};
use aws_config::SdkConfig;
use aws_sdk_ec2::error::ProvideErrorMetadata;
use aws_sdk_ec2::types as ec2;
use env_core::error::{aws_error, Required};
use env_core::tags::{self, Tag};
use iam_roles::Roles;
use log_groups::LogGroups;

#[derive(Debug, Clone)]
pub struct AwsCloud {
    /// The S3 gateway endpoint's service in the region this function's clients call, the one the
    /// VPC is in: `com.amazonaws.<region>.s3`.
    s3_service: String,
    ec2: aws_sdk_ec2::Client,
    kms: aws_sdk_kms::Client,
    log_groups: LogGroups,
    roles: Roles,
}

impl AwsCloud {
    /// `role_boundary`: the permissions boundary of the roles this function creates
    /// (`ROLE_PERMISSIONS_BOUNDARY`, read once at start).
    pub fn new(config: &SdkConfig, role_boundary: Option<String>) -> Self {
        // `env_core::aws::load` always names a region (the environment's or the default).
        let region = config
            .region()
            .map_or(env_core::aws::DEFAULT_REGION, |r| r.as_ref());
        Self {
            s3_service: format!("com.amazonaws.{region}.s3"),
            ec2: aws_sdk_ec2::Client::new(config),
            kms: aws_sdk_kms::Client::new(config),
            log_groups: LogGroups::new(config),
            roles: Roles::bounded(config, role_boundary),
        }
    }
}

fn filter(name: &str, value: &str) -> ec2::Filter {
    ec2::Filter::builder().name(name).values(value).build()
}

fn environment_filter(environment: &str) -> ec2::Filter {
    filter(&format!("tag:{}", tags::ENVIRONMENT), environment)
}

fn tag_specification(kind: ec2::ResourceType, tags: &[Tag]) -> ec2::TagSpecification {
    ec2::TagSpecification::builder()
        .resource_type(kind)
        .set_tags(Some(
            tags.iter()
                .map(|tag| ec2::Tag::builder().key(tag.key).value(&tag.value).build())
                .collect(),
        ))
        .build()
}

fn tag_value(tags: &[ec2::Tag], key: &str) -> Option<String> {
    tags.iter()
        .find(|tag| tag.key() == Some(key))
        .and_then(ec2::Tag::value)
        .map(str::to_owned)
}

fn labels(id: &str, tags: &[ec2::Tag]) -> Labels {
    Labels {
        id: id.to_owned(),
        name: tag_value(tags, "Name"),
        environment: tag_value(tags, tags::ENVIRONMENT),
    }
}

fn vpc(vpc: &ec2::Vpc) -> CallResult<Vpc> {
    let id = vpc.vpc_id().required("Vpc.VpcId")?;
    Ok(Vpc {
        labels: labels(id, vpc.tags()),
        cidr: vpc.cidr_block().required("Vpc.CidrBlock")?.to_owned(),
    })
}

fn subnet(subnet: &ec2::Subnet) -> CallResult<Subnet> {
    let id = subnet.subnet_id().required("Subnet.SubnetId")?;
    Ok(Subnet {
        labels: labels(id, subnet.tags()),
        zone: subnet
            .availability_zone()
            .required("Subnet.AvailabilityZone")?
            .to_owned(),
    })
}

fn internet_gateway(gateway: &ec2::InternetGateway) -> CallResult<InternetGateway> {
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

fn nat_gateway(gateway: &ec2::NatGateway) -> CallResult<NatGateway> {
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

fn route_table(table: &ec2::RouteTable) -> CallResult<RouteTable> {
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

fn security_group(group: &ec2::SecurityGroup) -> CallResult<SecurityGroup> {
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

fn network_interface(interface: &ec2::NetworkInterface) -> CallResult<NetworkInterface> {
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

fn permissions(rules: &[Rule], direction: Direction) -> Option<Vec<ec2::IpPermission>> {
    let chosen: Vec<_> = rules
        .iter()
        .filter(|rule| rule.direction == direction)
        .map(permission)
        .collect();
    (!chosen.is_empty()).then_some(chosen)
}

fn key(metadata: &aws_sdk_kms::types::KeyMetadata) -> CallResult<Key> {
    Ok(Key {
        id: metadata.key_id().to_owned(),
        arn: metadata.arn().required("KeyMetadata.Arn")?.to_owned(),
        pending_deletion: metadata.key_state()
            == Some(&aws_sdk_kms::types::KeyState::PendingDeletion),
    })
}

impl Cloud for AwsCloud {
    type Logs = LogGroups;
    type Roles = Roles;

    fn logs(&self) -> &LogGroups {
        &self.log_groups
    }

    fn roles(&self) -> &Roles {
        &self.roles
    }

    async fn availability_zones(&self) -> CallResult<Vec<String>> {
        let output = self
            .ec2
            .describe_availability_zones()
            .filters(filter("state", "available"))
            .filters(filter("zone-type", "availability-zone"))
            .send()
            .await
            .map_err(aws_error("DescribeAvailabilityZones"))?;
        Ok(output
            .availability_zones()
            .iter()
            .filter_map(ec2::AvailabilityZone::zone_name)
            .map(str::to_owned)
            .collect())
    }

    async fn vpcs(&self, environment: &str) -> CallResult<Vec<Vpc>> {
        let output = self
            .ec2
            .describe_vpcs()
            .filters(environment_filter(environment))
            .send()
            .await
            .map_err(aws_error("DescribeVpcs"))?;
        output.vpcs().iter().map(vpc).collect()
    }

    async fn subnets(&self, vpc_id: &str) -> CallResult<Vec<Subnet>> {
        let output = self
            .ec2
            .describe_subnets()
            .filters(filter("vpc-id", vpc_id))
            .send()
            .await
            .map_err(aws_error("DescribeSubnets"))?;
        output.subnets().iter().map(subnet).collect()
    }

    async fn internet_gateways(&self, environment: &str) -> CallResult<Vec<InternetGateway>> {
        let output = self
            .ec2
            .describe_internet_gateways()
            .filters(environment_filter(environment))
            .send()
            .await
            .map_err(aws_error("DescribeInternetGateways"))?;
        output
            .internet_gateways()
            .iter()
            .map(internet_gateway)
            .collect()
    }

    async fn addresses(&self, environment: &str) -> CallResult<Vec<Labels>> {
        let output = self
            .ec2
            .describe_addresses()
            .filters(environment_filter(environment))
            .send()
            .await
            .map_err(aws_error("DescribeAddresses"))?;
        output
            .addresses()
            .iter()
            .map(|address| {
                let id = address.allocation_id().required("Address.AllocationId")?;
                Ok(labels(id, address.tags()))
            })
            .collect()
    }

    async fn nat_gateways(&self, environment: &str) -> CallResult<Vec<NatGateway>> {
        let output = self
            .ec2
            .describe_nat_gateways()
            .filter(environment_filter(environment))
            .send()
            .await
            .map_err(aws_error("DescribeNatGateways"))?;
        output.nat_gateways().iter().map(nat_gateway).collect()
    }

    async fn route_tables(&self, vpc_id: &str) -> CallResult<Vec<RouteTable>> {
        let output = self
            .ec2
            .describe_route_tables()
            .filters(filter("vpc-id", vpc_id))
            .send()
            .await
            .map_err(aws_error("DescribeRouteTables"))?;
        output.route_tables().iter().map(route_table).collect()
    }

    async fn security_groups(&self, vpc_id: &str) -> CallResult<Vec<SecurityGroup>> {
        let output = self
            .ec2
            .describe_security_groups()
            .filters(filter("vpc-id", vpc_id))
            .send()
            .await
            .map_err(aws_error("DescribeSecurityGroups"))?;
        output
            .security_groups()
            .iter()
            .map(security_group)
            .collect()
    }

    async fn network_interfaces(&self, vpc_id: &str) -> CallResult<Vec<NetworkInterface>> {
        let output = self
            .ec2
            .describe_network_interfaces()
            .filters(filter("vpc-id", vpc_id))
            .send()
            .await
            .map_err(aws_error("DescribeNetworkInterfaces"))?;
        output
            .network_interfaces()
            .iter()
            .map(network_interface)
            .collect()
    }

    async fn flow_logs(&self, vpc_id: &str) -> CallResult<Vec<Labels>> {
        let output = self
            .ec2
            .describe_flow_logs()
            .filter(filter("resource-id", vpc_id))
            .send()
            .await
            .map_err(aws_error("DescribeFlowLogs"))?;
        output
            .flow_logs()
            .iter()
            .map(|log| {
                let id = log.flow_log_id().required("FlowLog.FlowLogId")?;
                Ok(labels(id, log.tags()))
            })
            .collect()
    }

    async fn s3_endpoints(&self, vpc_id: &str) -> CallResult<Vec<Labels>> {
        let output = self
            .ec2
            .describe_vpc_endpoints()
            .filters(filter("vpc-id", vpc_id))
            .filters(filter("service-name", &self.s3_service))
            // A deleted endpoint stays listed for a while; only live ones count.
            .filters(
                ec2::Filter::builder()
                    .name("vpc-endpoint-state")
                    .values("pending")
                    .values("available")
                    .build(),
            )
            .send()
            .await
            .map_err(aws_error("DescribeVpcEndpoints"))?;
        output
            .vpc_endpoints()
            .iter()
            .map(|endpoint| {
                let id = endpoint
                    .vpc_endpoint_id()
                    .required("VpcEndpoint.VpcEndpointId")?;
                Ok(labels(id, endpoint.tags()))
            })
            .collect()
    }

    async fn create_vpc(&self, cidr: &str, tags: &[Tag]) -> CallResult<Vpc> {
        let output = self
            .ec2
            .create_vpc()
            .cidr_block(cidr)
            .tag_specifications(tag_specification(ec2::ResourceType::Vpc, tags))
            .send()
            .await
            .map_err(aws_error("CreateVpc"))?;
        vpc(output.vpc().required("CreateVpc.Vpc")?)
    }

    async fn enable_dns(&self, vpc_id: &str) -> CallResult<()> {
        let on = || ec2::AttributeBooleanValue::builder().value(true).build();
        // One attribute per call (EC2 API reference, ModifyVpcAttribute).
        self.ec2
            .modify_vpc_attribute()
            .vpc_id(vpc_id)
            .enable_dns_support(on())
            .send()
            .await
            .map_err(aws_error("ModifyVpcAttribute"))?;
        self.ec2
            .modify_vpc_attribute()
            .vpc_id(vpc_id)
            .enable_dns_hostnames(on())
            .send()
            .await
            .map_err(aws_error("ModifyVpcAttribute"))?;
        Ok(())
    }

    async fn create_subnet(
        &self,
        vpc_id: &str,
        cidr: &str,
        zone: &str,
        tags: &[Tag],
    ) -> CallResult<Subnet> {
        let output = self
            .ec2
            .create_subnet()
            .vpc_id(vpc_id)
            .cidr_block(cidr)
            .availability_zone(zone)
            .tag_specifications(tag_specification(ec2::ResourceType::Subnet, tags))
            .send()
            .await
            .map_err(aws_error("CreateSubnet"))?;
        subnet(output.subnet().required("CreateSubnet.Subnet")?)
    }

    async fn create_internet_gateway(&self, tags: &[Tag]) -> CallResult<InternetGateway> {
        let output = self
            .ec2
            .create_internet_gateway()
            .tag_specifications(tag_specification(ec2::ResourceType::InternetGateway, tags))
            .send()
            .await
            .map_err(aws_error("CreateInternetGateway"))?;
        internet_gateway(
            output
                .internet_gateway()
                .required("CreateInternetGateway.InternetGateway")?,
        )
    }

    async fn attach_internet_gateway(&self, gateway_id: &str, vpc_id: &str) -> CallResult<()> {
        self.ec2
            .attach_internet_gateway()
            .internet_gateway_id(gateway_id)
            .vpc_id(vpc_id)
            .send()
            .await
            .map_err(aws_error("AttachInternetGateway"))?;
        Ok(())
    }

    async fn allocate_address(&self, tags: &[Tag]) -> CallResult<Labels> {
        let output = self
            .ec2
            .allocate_address()
            .domain(ec2::DomainType::Vpc)
            .tag_specifications(tag_specification(ec2::ResourceType::ElasticIp, tags))
            .send()
            .await
            .map_err(aws_error("AllocateAddress"))?;
        Ok(Labels {
            id: output
                .allocation_id()
                .required("AllocateAddress.AllocationId")?
                .to_owned(),
            ..Labels::default()
        })
    }

    async fn create_nat_gateway(
        &self,
        subnet_id: &str,
        allocation_id: &str,
        token: &str,
        tags: &[Tag],
    ) -> CallResult<NatGateway> {
        let output = self
            .ec2
            .create_nat_gateway()
            .subnet_id(subnet_id)
            .allocation_id(allocation_id)
            .client_token(token)
            .tag_specifications(tag_specification(ec2::ResourceType::Natgateway, tags))
            .send()
            .await
            .map_err(aws_error("CreateNatGateway"))?;
        nat_gateway(
            output
                .nat_gateway()
                .required("CreateNatGateway.NatGateway")?,
        )
    }

    async fn create_route_table(&self, vpc_id: &str, tags: &[Tag]) -> CallResult<RouteTable> {
        let output = self
            .ec2
            .create_route_table()
            .vpc_id(vpc_id)
            .tag_specifications(tag_specification(ec2::ResourceType::RouteTable, tags))
            .send()
            .await
            .map_err(aws_error("CreateRouteTable"))?;
        route_table(
            output
                .route_table()
                .required("CreateRouteTable.RouteTable")?,
        )
    }

    async fn create_default_route(&self, table_id: &str, target: &RouteTarget) -> CallResult<()> {
        let request = self
            .ec2
            .create_route()
            .route_table_id(table_id)
            .destination_cidr_block("0.0.0.0/0");
        let request = match target {
            RouteTarget::InternetGateway(id) => request.gateway_id(id),
            RouteTarget::NatGateway(id) => request.nat_gateway_id(id),
        };
        request.send().await.map_err(aws_error("CreateRoute"))?;
        Ok(())
    }

    async fn associate_route_table(&self, table_id: &str, subnet_id: &str) -> CallResult<()> {
        self.ec2
            .associate_route_table()
            .route_table_id(table_id)
            .subnet_id(subnet_id)
            .send()
            .await
            .map_err(aws_error("AssociateRouteTable"))?;
        Ok(())
    }

    async fn create_security_group(
        &self,
        vpc_id: &str,
        name: &str,
        description: &str,
        tags: &[Tag],
    ) -> CallResult<SecurityGroup> {
        let output = self
            .ec2
            .create_security_group()
            .vpc_id(vpc_id)
            .group_name(name)
            .description(description)
            .tag_specifications(tag_specification(ec2::ResourceType::SecurityGroup, tags))
            .send()
            .await
            .map_err(aws_error("CreateSecurityGroup"))?;
        Ok(SecurityGroup {
            labels: Labels {
                id: output
                    .group_id()
                    .required("CreateSecurityGroup.GroupId")?
                    .to_owned(),
                name: Some(name.to_owned()),
                environment: None,
            },
            group_name: name.to_owned(),
            // AWS gives every new group an allow-all egress rule; the handler reads the group
            // again before reconciling its rules.
            rules: Vec::new(),
        })
    }

    async fn authorize(&self, group_id: &str, rules: &[Rule]) -> CallResult<()> {
        if let Some(ingress) = permissions(rules, Direction::Ingress) {
            self.ec2
                .authorize_security_group_ingress()
                .group_id(group_id)
                .set_ip_permissions(Some(ingress))
                .send()
                .await
                .map_err(aws_error("AuthorizeSecurityGroupIngress"))?;
        }
        if let Some(egress) = permissions(rules, Direction::Egress) {
            self.ec2
                .authorize_security_group_egress()
                .group_id(group_id)
                .set_ip_permissions(Some(egress))
                .send()
                .await
                .map_err(aws_error("AuthorizeSecurityGroupEgress"))?;
        }
        Ok(())
    }

    async fn revoke(&self, group_id: &str, rules: &[Rule]) -> CallResult<()> {
        if let Some(ingress) = permissions(rules, Direction::Ingress) {
            self.ec2
                .revoke_security_group_ingress()
                .group_id(group_id)
                .set_ip_permissions(Some(ingress))
                .send()
                .await
                .map_err(aws_error("RevokeSecurityGroupIngress"))?;
        }
        if let Some(egress) = permissions(rules, Direction::Egress) {
            self.ec2
                .revoke_security_group_egress()
                .group_id(group_id)
                .set_ip_permissions(Some(egress))
                .send()
                .await
                .map_err(aws_error("RevokeSecurityGroupEgress"))?;
        }
        Ok(())
    }

    async fn create_flow_log(
        &self,
        vpc_id: &str,
        log_group: &str,
        role_arn: &str,
        tags: &[Tag],
    ) -> CallResult<Vec<String>> {
        let output = self
            .ec2
            .create_flow_logs()
            .resource_ids(vpc_id)
            .resource_type(ec2::FlowLogsResourceType::Vpc)
            .traffic_type(ec2::TrafficType::All)
            .log_destination_type(ec2::LogDestinationType::CloudWatchLogs)
            .log_group_name(log_group)
            .deliver_logs_permission_arn(role_arn)
            .tag_specifications(tag_specification(ec2::ResourceType::VpcFlowLog, tags))
            .send()
            .await;
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

    async fn create_s3_endpoint(
        &self,
        vpc_id: &str,
        route_table_ids: &[String],
        tags: &[Tag],
    ) -> CallResult<()> {
        self.ec2
            .create_vpc_endpoint()
            .vpc_id(vpc_id)
            .service_name(&self.s3_service)
            .vpc_endpoint_type(ec2::VpcEndpointType::Gateway)
            .set_route_table_ids(Some(route_table_ids.to_vec()))
            .tag_specifications(tag_specification(ec2::ResourceType::VpcEndpoint, tags))
            .send()
            .await
            .map_err(aws_error("CreateVpcEndpoint"))?;
        Ok(())
    }

    async fn delete_nat_gateway(&self, id: &str) -> CallResult<()> {
        self.ec2
            .delete_nat_gateway()
            .nat_gateway_id(id)
            .send()
            .await
            .map_err(aws_error("DeleteNatGateway"))?;
        Ok(())
    }

    async fn release_address(&self, allocation_id: &str) -> CallResult<()> {
        self.ec2
            .release_address()
            .allocation_id(allocation_id)
            .send()
            .await
            .map_err(aws_error("ReleaseAddress"))?;
        Ok(())
    }

    async fn detach_internet_gateway(&self, gateway_id: &str, vpc_id: &str) -> CallResult<()> {
        self.ec2
            .detach_internet_gateway()
            .internet_gateway_id(gateway_id)
            .vpc_id(vpc_id)
            .send()
            .await
            .map_err(aws_error("DetachInternetGateway"))?;
        Ok(())
    }

    async fn delete_internet_gateway(&self, id: &str) -> CallResult<()> {
        self.ec2
            .delete_internet_gateway()
            .internet_gateway_id(id)
            .send()
            .await
            .map_err(aws_error("DeleteInternetGateway"))?;
        Ok(())
    }

    async fn delete_security_group(&self, id: &str) -> CallResult<()> {
        self.ec2
            .delete_security_group()
            .group_id(id)
            .send()
            .await
            .map_err(aws_error("DeleteSecurityGroup"))?;
        Ok(())
    }

    async fn delete_network_interface(&self, id: &str) -> CallResult<()> {
        self.ec2
            .delete_network_interface()
            .network_interface_id(id)
            .send()
            .await
            .map_err(aws_error("DeleteNetworkInterface"))?;
        Ok(())
    }

    async fn delete_subnet(&self, id: &str) -> CallResult<()> {
        self.ec2
            .delete_subnet()
            .subnet_id(id)
            .send()
            .await
            .map_err(aws_error("DeleteSubnet"))?;
        Ok(())
    }

    async fn disassociate_route_table(&self, association_id: &str) -> CallResult<()> {
        self.ec2
            .disassociate_route_table()
            .association_id(association_id)
            .send()
            .await
            .map_err(aws_error("DisassociateRouteTable"))?;
        Ok(())
    }

    async fn delete_route_table(&self, id: &str) -> CallResult<()> {
        self.ec2
            .delete_route_table()
            .route_table_id(id)
            .send()
            .await
            .map_err(aws_error("DeleteRouteTable"))?;
        Ok(())
    }

    async fn delete_flow_log(&self, id: &str) -> CallResult<()> {
        self.ec2
            .delete_flow_logs()
            .flow_log_ids(id)
            .send()
            .await
            .map_err(aws_error("DeleteFlowLogs"))?;
        Ok(())
    }

    async fn delete_endpoint(&self, id: &str) -> CallResult<()> {
        self.ec2
            .delete_vpc_endpoints()
            .vpc_endpoint_ids(id)
            .send()
            .await
            .map_err(aws_error("DeleteVpcEndpoints"))?;
        Ok(())
    }

    async fn delete_vpc(&self, id: &str) -> CallResult<()> {
        self.ec2
            .delete_vpc()
            .vpc_id(id)
            .send()
            .await
            .map_err(aws_error("DeleteVpc"))?;
        Ok(())
    }

    async fn key_by_alias(&self, alias: &str) -> CallResult<Option<Key>> {
        let output = self
            .kms
            .describe_key()
            .key_id(alias)
            .send()
            .await
            .map_err(aws_error("DescribeKey"));
        found(output, &["NotFoundException"])?
            .map(|output| key(output.key_metadata().required("DescribeKey.KeyMetadata")?))
            .transpose()
    }

    async fn create_key(&self, policy: &str, tags: &[Tag]) -> CallResult<Key> {
        let output = self
            .kms
            .create_key()
            .description("Encrypts one catalog environment's logs, secrets and data")
            .policy(policy)
            .set_tags(Some(
                tags.iter()
                    // build() fails only without a key or a value, and every tag has both.
                    .filter_map(|tag| {
                        aws_sdk_kms::types::Tag::builder()
                            .tag_key(tag.key)
                            .tag_value(&tag.value)
                            .build()
                            .ok()
                    })
                    .collect(),
            ))
            .send()
            .await
            .map_err(aws_error("CreateKey"))?;
        key(output.key_metadata().required("CreateKey.KeyMetadata")?)
    }

    async fn enable_key_rotation(&self, key_arn: &str) -> CallResult<()> {
        self.kms
            .enable_key_rotation()
            .key_id(key_arn)
            .send()
            .await
            .map_err(aws_error("EnableKeyRotation"))?;
        Ok(())
    }

    async fn create_alias(&self, alias: &str, key_arn: &str) -> CallResult<()> {
        self.kms
            .create_alias()
            .alias_name(alias)
            .target_key_id(key_arn)
            .send()
            .await
            .map_err(aws_error("CreateAlias"))?;
        Ok(())
    }

    async fn schedule_key_deletion(&self, key_id: &str, days: i32) -> CallResult<()> {
        // The key id, not its ARN: AWS takes either, moto only the id.
        self.kms
            .schedule_key_deletion()
            .key_id(key_id)
            .pending_window_in_days(days)
            .send()
            .await
            .map_err(aws_error("ScheduleKeyDeletion"))?;
        Ok(())
    }

    async fn delete_alias(&self, alias: &str) -> CallResult<()> {
        self.kms
            .delete_alias()
            .alias_name(alias)
            .send()
            .await
            .map_err(aws_error("DeleteAlias"))?;
        Ok(())
    }

    async fn account(&self) -> CallResult<String> {
        self.roles.account()
    }
}
