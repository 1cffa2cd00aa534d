//! [`Ec2Calls`] over the SDK client: one SDK call per method (two for `enable_dns`, and one per
//! direction for the rule changes), its errors named after the operation.

use super::convert::{
    flow_log_refusals, internet_gateway, labels, nat_gateway, network_interface, permissions,
    route_table, security_group, subnet, vpc,
};
use super::{environment_filter, filter, tag_specification, Ec2};
use crate::{
    CallResult, Direction, Ec2Calls, InternetGateway, Labels, NatGateway, NetworkInterface,
    RouteTable, RouteTarget, Rule, SecurityGroup, Subnet, Vpc,
};
use aws_sdk_ec2::types as ec2;
use env_core::error::{aws_error, Required};
use env_core::tags::Tag;

impl Ec2Calls for Ec2 {
    async fn availability_zones(&self) -> CallResult<Vec<String>> {
        let output = self
            .client
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
            .client
            .describe_vpcs()
            .filters(environment_filter(environment))
            .send()
            .await
            .map_err(aws_error("DescribeVpcs"))?;
        output.vpcs().iter().map(vpc).collect()
    }

    async fn subnets(&self, vpc_id: &str) -> CallResult<Vec<Subnet>> {
        let output = self
            .client
            .describe_subnets()
            .filters(filter("vpc-id", vpc_id))
            .send()
            .await
            .map_err(aws_error("DescribeSubnets"))?;
        output.subnets().iter().map(subnet).collect()
    }

    async fn internet_gateways(&self, environment: &str) -> CallResult<Vec<InternetGateway>> {
        let output = self
            .client
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
            .client
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
            .client
            .describe_nat_gateways()
            .filter(environment_filter(environment))
            .send()
            .await
            .map_err(aws_error("DescribeNatGateways"))?;
        output.nat_gateways().iter().map(nat_gateway).collect()
    }

    async fn route_tables(&self, vpc_id: &str) -> CallResult<Vec<RouteTable>> {
        let output = self
            .client
            .describe_route_tables()
            .filters(filter("vpc-id", vpc_id))
            .send()
            .await
            .map_err(aws_error("DescribeRouteTables"))?;
        output.route_tables().iter().map(route_table).collect()
    }

    async fn security_groups(&self, vpc_id: &str) -> CallResult<Vec<SecurityGroup>> {
        let output = self
            .client
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
            .client
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
            .client
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
            .client
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
            .client
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
        self.client
            .modify_vpc_attribute()
            .vpc_id(vpc_id)
            .enable_dns_support(on())
            .send()
            .await
            .map_err(aws_error("ModifyVpcAttribute"))?;
        self.client
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
            .client
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
            .client
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
        self.client
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
            .client
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
            .client
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
            .client
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
            .client
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
        self.client
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
            .client
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
            self.client
                .authorize_security_group_ingress()
                .group_id(group_id)
                .set_ip_permissions(Some(ingress))
                .send()
                .await
                .map_err(aws_error("AuthorizeSecurityGroupIngress"))?;
        }
        if let Some(egress) = permissions(rules, Direction::Egress) {
            self.client
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
            self.client
                .revoke_security_group_ingress()
                .group_id(group_id)
                .set_ip_permissions(Some(ingress))
                .send()
                .await
                .map_err(aws_error("RevokeSecurityGroupIngress"))?;
        }
        if let Some(egress) = permissions(rules, Direction::Egress) {
            self.client
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
            .client
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
        flow_log_refusals(output)
    }

    async fn create_s3_endpoint(
        &self,
        vpc_id: &str,
        route_table_ids: &[String],
        tags: &[Tag],
    ) -> CallResult<()> {
        self.client
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
        self.client
            .delete_nat_gateway()
            .nat_gateway_id(id)
            .send()
            .await
            .map_err(aws_error("DeleteNatGateway"))?;
        Ok(())
    }

    async fn delete_default_route(&self, table_id: &str) -> CallResult<()> {
        // The destination must match the route's exactly (EC2 API reference, DeleteRoute).
        self.client
            .delete_route()
            .route_table_id(table_id)
            .destination_cidr_block("0.0.0.0/0")
            .send()
            .await
            .map_err(aws_error("DeleteRoute"))?;
        Ok(())
    }

    async fn release_address(&self, allocation_id: &str) -> CallResult<()> {
        self.client
            .release_address()
            .allocation_id(allocation_id)
            .send()
            .await
            .map_err(aws_error("ReleaseAddress"))?;
        Ok(())
    }

    async fn detach_internet_gateway(&self, gateway_id: &str, vpc_id: &str) -> CallResult<()> {
        self.client
            .detach_internet_gateway()
            .internet_gateway_id(gateway_id)
            .vpc_id(vpc_id)
            .send()
            .await
            .map_err(aws_error("DetachInternetGateway"))?;
        Ok(())
    }

    async fn delete_internet_gateway(&self, id: &str) -> CallResult<()> {
        self.client
            .delete_internet_gateway()
            .internet_gateway_id(id)
            .send()
            .await
            .map_err(aws_error("DeleteInternetGateway"))?;
        Ok(())
    }

    async fn delete_security_group(&self, id: &str) -> CallResult<()> {
        self.client
            .delete_security_group()
            .group_id(id)
            .send()
            .await
            .map_err(aws_error("DeleteSecurityGroup"))?;
        Ok(())
    }

    async fn delete_network_interface(&self, id: &str) -> CallResult<()> {
        self.client
            .delete_network_interface()
            .network_interface_id(id)
            .send()
            .await
            .map_err(aws_error("DeleteNetworkInterface"))?;
        Ok(())
    }

    async fn delete_subnet(&self, id: &str) -> CallResult<()> {
        self.client
            .delete_subnet()
            .subnet_id(id)
            .send()
            .await
            .map_err(aws_error("DeleteSubnet"))?;
        Ok(())
    }

    async fn disassociate_route_table(&self, association_id: &str) -> CallResult<()> {
        self.client
            .disassociate_route_table()
            .association_id(association_id)
            .send()
            .await
            .map_err(aws_error("DisassociateRouteTable"))?;
        Ok(())
    }

    async fn delete_route_table(&self, id: &str) -> CallResult<()> {
        self.client
            .delete_route_table()
            .route_table_id(id)
            .send()
            .await
            .map_err(aws_error("DeleteRouteTable"))?;
        Ok(())
    }

    async fn delete_flow_log(&self, id: &str) -> CallResult<()> {
        self.client
            .delete_flow_logs()
            .flow_log_ids(id)
            .send()
            .await
            .map_err(aws_error("DeleteFlowLogs"))?;
        Ok(())
    }

    async fn delete_endpoint(&self, id: &str) -> CallResult<()> {
        self.client
            .delete_vpc_endpoints()
            .vpc_endpoint_ids(id)
            .send()
            .await
            .map_err(aws_error("DeleteVpcEndpoints"))?;
        Ok(())
    }

    async fn delete_vpc(&self, id: &str) -> CallResult<()> {
        self.client
            .delete_vpc()
            .vpc_id(id)
            .send()
            .await
            .map_err(aws_error("DeleteVpc"))?;
        Ok(())
    }
}
