//! [`Ec2Calls`] in memory, for the unit tests of every caller: it keeps what was created, answers
//! the finders from it, and fails a named operation with a given AWS error code when a test asks,
//! the way AWS answers (throttling, `AuthFailure`, `DependencyViolation` …). Every call lands in
//! the function's shared [`SharedRecorder`], where a test injects its faults and reads the calls.
//! Like moto, the finders ignore the environment-tag filter: the callers keep what carries their
//! environment's tag.

use crate::{
    Association, CallResult, Direction, Ec2Calls, InternetGateway, Labels, NatGateway, NatState,
    NetworkInterface, Peer, Route, RouteTable, RouteTarget, Rule, SecurityGroup, Subnet, Vpc,
};
use env_core::recorder::{RecordedWorld, SharedRecorder};
use env_core::tags::{self, Tag};

/// What the fake EC2 holds; the resources that belong to a VPC are kept with its id.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Ec2World {
    pub zones: Vec<String>,
    pub vpcs: Vec<Vpc>,
    pub subnets: Vec<(String, Subnet)>,
    pub gateways: Vec<InternetGateway>,
    pub addresses: Vec<Labels>,
    pub nats: Vec<NatGateway>,
    pub tables: Vec<(String, RouteTable)>,
    pub groups: Vec<(String, SecurityGroup)>,
    pub interfaces: Vec<(String, NetworkInterface)>,
    pub flow_logs: Vec<(String, Labels)>,
    pub endpoints: Vec<(String, Labels)>,
    /// The state a new NAT gateway starts in (AWS: pending; moto: available).
    pub new_nat_state: Option<NatState>,
    /// The next CreateFlowLogs is refused with this reason, in the answer (as AWS does).
    pub flow_log_refusal: Option<String>,
    /// A NAT gateway being deleted goes to `deleting` (AWS) instead of `deleted` at once.
    pub slow_nat_deletion: bool,
    /// The client token of each CreateNatGateway, with the gateway it made.
    pub nat_tokens: Vec<(String, String)>,
    next_id: u32,
}

impl Ec2World {
    /// A new id of this kind (`vpc`, `subnet`, `sg` …).
    fn id(&mut self, prefix: &str) -> String {
        self.next_id += 1;
        format!("{prefix}-{:04}", self.next_id)
    }

    fn labels(&mut self, prefix: &str, tags: &[Tag]) -> Labels {
        let value = |key: &str| {
            tags.iter()
                .find(|tag| tag.key == key)
                .map(|tag| tag.value.clone())
        };
        Labels {
            id: self.id(prefix),
            name: value("Name"),
            environment: value(tags::ENVIRONMENT),
        }
    }
}

#[derive(Debug)]
pub struct FakeEc2 {
    /// What was made, and the function's recorder its calls land in.
    recorded: RecordedWorld<Ec2World>,
}

impl FakeEc2 {
    /// An account with four zones and nothing made in it, whose calls land in `recorder`.
    pub fn new(recorder: SharedRecorder) -> Self {
        let mut recorded = RecordedWorld::new(Ec2World {
            zones: ["us-west-2d", "us-west-2c", "us-west-2a", "us-west-2b"]
                .map(String::from)
                .to_vec(),
            ..Ec2World::default()
        });
        recorded.recorder = recorder;
        Self { recorded }
    }
}

env_core::recorded_world!(FakeEc2, Ec2World, recorded);

fn in_vpc<T: Clone>(items: &[(String, T)], vpc_id: &str) -> Vec<T> {
    items
        .iter()
        .filter(|(vpc, _)| vpc == vpc_id)
        .map(|(_, item)| item.clone())
        .collect()
}

/// Deleting what is not there succeeds here; tests that need AWS's NotFound inject it as a fault.
fn remove<T>(items: &mut Vec<T>, gone: impl Fn(&T) -> bool) -> CallResult<()> {
    items.retain(|item| !gone(item));
    Ok(())
}

impl Ec2Calls for FakeEc2 {
    async fn availability_zones(&self) -> CallResult<Vec<String>> {
        let world = self.read("DescribeAvailabilityZones")?;
        Ok(world.zones.clone())
    }

    async fn vpcs(&self, _environment: &str) -> CallResult<Vec<Vpc>> {
        let world = self.read("DescribeVpcs")?;
        Ok(world.vpcs.clone())
    }

    async fn subnets(&self, vpc_id: &str) -> CallResult<Vec<Subnet>> {
        let world = self.read("DescribeSubnets")?;
        Ok(in_vpc(&world.subnets, vpc_id))
    }

    async fn internet_gateways(&self, _environment: &str) -> CallResult<Vec<InternetGateway>> {
        let world = self.read("DescribeInternetGateways")?;
        Ok(world.gateways.clone())
    }

    async fn addresses(&self, _environment: &str) -> CallResult<Vec<Labels>> {
        let world = self.read("DescribeAddresses")?;
        Ok(world.addresses.clone())
    }

    async fn nat_gateways(&self, _environment: &str) -> CallResult<Vec<NatGateway>> {
        let world = self.read("DescribeNatGateways")?;
        Ok(world.nats.clone())
    }

    async fn route_tables(&self, vpc_id: &str) -> CallResult<Vec<RouteTable>> {
        let world = self.read("DescribeRouteTables")?;
        Ok(in_vpc(&world.tables, vpc_id))
    }

    async fn security_groups(&self, vpc_id: &str) -> CallResult<Vec<SecurityGroup>> {
        let world = self.read("DescribeSecurityGroups")?;
        Ok(in_vpc(&world.groups, vpc_id))
    }

    async fn network_interfaces(&self, vpc_id: &str) -> CallResult<Vec<NetworkInterface>> {
        let world = self.read("DescribeNetworkInterfaces")?;
        Ok(in_vpc(&world.interfaces, vpc_id))
    }

    async fn flow_logs(&self, vpc_id: &str) -> CallResult<Vec<Labels>> {
        let world = self.read("DescribeFlowLogs")?;
        Ok(in_vpc(&world.flow_logs, vpc_id))
    }

    async fn s3_endpoints(&self, vpc_id: &str) -> CallResult<Vec<Labels>> {
        let world = self.read("DescribeVpcEndpoints")?;
        Ok(in_vpc(&world.endpoints, vpc_id))
    }

    async fn create_vpc(&self, cidr: &str, tags: &[Tag]) -> CallResult<Vpc> {
        let mut world = self.write("CreateVpc")?;
        let vpc = Vpc {
            labels: world.labels("vpc", tags),
            cidr: cidr.to_owned(),
        };
        world.vpcs.push(vpc.clone());
        // Like AWS: a main route table and a default group that allows all traffic out and
        // everything from itself in.
        let main = world.id("rtb");
        let association = world.id("rtbassoc");
        world.tables.push((
            vpc.labels.id.clone(),
            RouteTable {
                labels: Labels {
                    id: main,
                    ..Labels::default()
                },
                associations: vec![Association {
                    id: association,
                    subnet_id: None,
                    main: true,
                }],
                routes: Vec::new(),
            },
        ));
        let default = world.id("sg");
        let rule = |direction, peer| Rule {
            direction,
            protocol: "-1".into(),
            from_port: None,
            to_port: None,
            peer,
            description: None,
        };
        let rules = vec![
            rule(Direction::Ingress, Peer::Group(default.clone())),
            rule(Direction::Egress, Peer::Cidr("0.0.0.0/0".into())),
        ];
        world.groups.push((
            vpc.labels.id.clone(),
            SecurityGroup {
                labels: Labels {
                    id: default,
                    ..Labels::default()
                },
                group_name: "default".into(),
                rules,
            },
        ));
        Ok(vpc)
    }

    async fn enable_dns(&self, _vpc_id: &str) -> CallResult<()> {
        self.recorder.lock().call("ModifyVpcAttribute")
    }

    async fn create_subnet(
        &self,
        vpc_id: &str,
        _cidr: &str,
        zone: &str,
        tags: &[Tag],
    ) -> CallResult<Subnet> {
        let mut world = self.write("CreateSubnet")?;
        let subnet = Subnet {
            labels: world.labels("subnet", tags),
            zone: zone.to_owned(),
        };
        world.subnets.push((vpc_id.to_owned(), subnet.clone()));
        Ok(subnet)
    }

    async fn create_internet_gateway(&self, tags: &[Tag]) -> CallResult<InternetGateway> {
        let mut world = self.write("CreateInternetGateway")?;
        let gateway = InternetGateway {
            labels: world.labels("igw", tags),
            attached_vpcs: Vec::new(),
        };
        world.gateways.push(gateway.clone());
        Ok(gateway)
    }

    async fn attach_internet_gateway(&self, gateway_id: &str, vpc_id: &str) -> CallResult<()> {
        let mut world = self.write("AttachInternetGateway")?;
        for gateway in world
            .gateways
            .iter_mut()
            .filter(|g| g.labels.id == gateway_id)
        {
            gateway.attached_vpcs.push(vpc_id.to_owned());
        }
        Ok(())
    }

    async fn allocate_address(&self, tags: &[Tag]) -> CallResult<Labels> {
        let mut world = self.write("AllocateAddress")?;
        let address = world.labels("eipalloc", tags);
        world.addresses.push(address.clone());
        Ok(address)
    }

    async fn create_nat_gateway(
        &self,
        subnet_id: &str,
        _allocation_id: &str,
        token: &str,
        tags: &[Tag],
    ) -> CallResult<NatGateway> {
        let mut world = self.write("CreateNatGateway")?;
        // Like EC2, a known client token answers the gateway it made, in its state now (deleted
        // included): EC2 developer guide, "Ensuring idempotency in Amazon EC2 API requests".
        let made = world
            .nat_tokens
            .iter()
            .find(|(known, _)| known == token)
            .map(|(_, id)| id.clone());
        if let Some(nat) = made.and_then(|id| world.nats.iter().find(|nat| nat.labels.id == id)) {
            return Ok(nat.clone());
        }
        let nat = NatGateway {
            labels: world.labels("nat", tags),
            state: world.new_nat_state.unwrap_or(NatState::Available),
            subnet_id: subnet_id.to_owned(),
        };
        world.nats.push(nat.clone());
        world
            .nat_tokens
            .push((token.to_owned(), nat.labels.id.clone()));
        Ok(nat)
    }

    async fn create_route_table(&self, vpc_id: &str, tags: &[Tag]) -> CallResult<RouteTable> {
        let mut world = self.write("CreateRouteTable")?;
        let table = RouteTable {
            labels: world.labels("rtb", tags),
            associations: Vec::new(),
            routes: Vec::new(),
        };
        world.tables.push((vpc_id.to_owned(), table.clone()));
        Ok(table)
    }

    async fn create_default_route(&self, table_id: &str, target: &RouteTarget) -> CallResult<()> {
        let mut world = self.write("CreateRoute")?;
        let target = match target {
            RouteTarget::InternetGateway(id) | RouteTarget::NatGateway(id) => id.clone(),
        };
        for (_, table) in world
            .tables
            .iter_mut()
            .filter(|(_, t)| t.labels.id == table_id)
        {
            table.routes.push(Route {
                destination_cidr: Some("0.0.0.0/0".into()),
                target: Some(target.clone()),
            });
        }
        Ok(())
    }

    async fn associate_route_table(&self, table_id: &str, subnet_id: &str) -> CallResult<()> {
        let mut world = self.write("AssociateRouteTable")?;
        let id = world.id("rtbassoc");
        for (_, table) in world
            .tables
            .iter_mut()
            .filter(|(_, t)| t.labels.id == table_id)
        {
            table.associations.push(Association {
                id: id.clone(),
                subnet_id: Some(subnet_id.to_owned()),
                main: false,
            });
        }
        Ok(())
    }

    async fn create_security_group(
        &self,
        vpc_id: &str,
        name: &str,
        _description: &str,
        tags: &[Tag],
    ) -> CallResult<SecurityGroup> {
        let mut world = self.write("CreateSecurityGroup")?;
        let group = SecurityGroup {
            labels: world.labels("sg", tags),
            group_name: name.to_owned(),
            rules: vec![Rule {
                direction: Direction::Egress,
                protocol: "-1".into(),
                from_port: None,
                to_port: None,
                peer: Peer::Cidr("0.0.0.0/0".into()),
                description: None,
            }],
        };
        world.groups.push((vpc_id.to_owned(), group.clone()));
        Ok(group)
    }

    async fn authorize(&self, group_id: &str, rules: &[Rule]) -> CallResult<()> {
        let mut world = self.write("AuthorizeSecurityGroupRules")?;
        for (_, group) in world
            .groups
            .iter_mut()
            .filter(|(_, g)| g.labels.id == group_id)
        {
            group.rules.extend_from_slice(rules);
        }
        Ok(())
    }

    async fn revoke(&self, group_id: &str, rules: &[Rule]) -> CallResult<()> {
        let mut world = self.write("RevokeSecurityGroupRules")?;
        for (_, group) in world
            .groups
            .iter_mut()
            .filter(|(_, g)| g.labels.id == group_id)
        {
            group
                .rules
                .retain(|rule| !rules.iter().any(|gone| gone.same_traffic(rule)));
        }
        Ok(())
    }

    async fn create_flow_log(
        &self,
        vpc_id: &str,
        _log_group: &str,
        _role_arn: &str,
        tags: &[Tag],
    ) -> CallResult<Vec<String>> {
        let mut world = self.write("CreateFlowLogs")?;
        if let Some(reason) = world.flow_log_refusal.take() {
            return Ok(vec![reason]);
        }
        let log = world.labels("fl", tags);
        world.flow_logs.push((vpc_id.to_owned(), log));
        Ok(Vec::new())
    }

    async fn create_s3_endpoint(
        &self,
        vpc_id: &str,
        _route_table_ids: &[String],
        tags: &[Tag],
    ) -> CallResult<()> {
        let mut world = self.write("CreateVpcEndpoint")?;
        let endpoint = world.labels("vpce", tags);
        world.endpoints.push((vpc_id.to_owned(), endpoint));
        Ok(())
    }

    async fn delete_nat_gateway(&self, id: &str) -> CallResult<()> {
        let mut world = self.write("DeleteNatGateway")?;
        let state = if world.slow_nat_deletion {
            NatState::Deleting
        } else {
            NatState::Deleted
        };
        for nat in world.nats.iter_mut().filter(|nat| nat.labels.id == id) {
            nat.state = state;
        }
        Ok(())
    }

    async fn delete_default_route(&self, table_id: &str) -> CallResult<()> {
        let mut world = self.write("DeleteRoute")?;
        for (_, table) in world
            .tables
            .iter_mut()
            .filter(|(_, t)| t.labels.id == table_id)
        {
            table
                .routes
                .retain(|route| route.destination_cidr.as_deref() != Some("0.0.0.0/0"));
        }
        Ok(())
    }

    async fn release_address(&self, allocation_id: &str) -> CallResult<()> {
        let mut world = self.write("ReleaseAddress")?;
        remove(&mut world.addresses, |a| a.id == allocation_id)
    }

    async fn detach_internet_gateway(&self, gateway_id: &str, vpc_id: &str) -> CallResult<()> {
        let mut world = self.write("DetachInternetGateway")?;
        for gateway in world
            .gateways
            .iter_mut()
            .filter(|g| g.labels.id == gateway_id)
        {
            gateway.attached_vpcs.retain(|vpc| vpc != vpc_id);
        }
        Ok(())
    }

    async fn delete_internet_gateway(&self, id: &str) -> CallResult<()> {
        let mut world = self.write("DeleteInternetGateway")?;
        remove(&mut world.gateways, |g| g.labels.id == id)
    }

    async fn delete_security_group(&self, id: &str) -> CallResult<()> {
        let mut world = self.write("DeleteSecurityGroup")?;
        remove(&mut world.groups, |(_, g)| g.labels.id == id)
    }

    async fn delete_network_interface(&self, id: &str) -> CallResult<()> {
        let mut world = self.write("DeleteNetworkInterface")?;
        remove(&mut world.interfaces, |(_, i)| i.id == id)
    }

    async fn delete_subnet(&self, id: &str) -> CallResult<()> {
        let mut world = self.write("DeleteSubnet")?;
        remove(&mut world.subnets, |(_, s)| s.labels.id == id)
    }

    async fn disassociate_route_table(&self, association_id: &str) -> CallResult<()> {
        let mut world = self.write("DisassociateRouteTable")?;
        for (_, table) in world.tables.iter_mut() {
            table.associations.retain(|a| a.id != association_id);
        }
        Ok(())
    }

    async fn delete_route_table(&self, id: &str) -> CallResult<()> {
        let mut world = self.write("DeleteRouteTable")?;
        remove(&mut world.tables, |(_, t)| t.labels.id == id)
    }

    async fn delete_flow_log(&self, id: &str) -> CallResult<()> {
        let mut world = self.write("DeleteFlowLogs")?;
        remove(&mut world.flow_logs, |(_, l)| l.id == id)
    }

    async fn delete_endpoint(&self, id: &str) -> CallResult<()> {
        let mut world = self.write("DeleteVpcEndpoints")?;
        remove(&mut world.endpoints, |(_, e)| e.id == id)
    }

    async fn delete_vpc(&self, id: &str) -> CallResult<()> {
        let mut world = self.write("DeleteVpc")?;
        world.tables.retain(|(vpc, _)| vpc != id);
        world.groups.retain(|(vpc, _)| vpc != id);
        remove(&mut world.vpcs, |v| v.labels.id == id)
    }
}

#[cfg(test)]
mod tests;
