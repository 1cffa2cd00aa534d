//! An in-memory EC2, KMS, CloudWatch Logs and IAM for the handler's unit tests: it keeps what was
//! created, answers the finders from it, and fails a named operation with a given AWS error code
//! when a test asks, the way AWS answers (throttling, `AuthFailure`, `DependencyViolation` …).

use crate::api::{
    Association, CallResult, Cloud, InternetGateway, Key, Labels, NatGateway, NatState,
    NetworkInterface, Peer, Route, RouteTable, RouteTarget, Rule, SecurityGroup, Subnet, Vpc,
};
use env_core::tags::{self, Tag};
use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};

pub use env_core::error::aws_failure;

#[derive(Debug, Default, Clone, PartialEq)]
pub struct World {
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
    pub keys: Vec<Key>,
    pub aliases: BTreeMap<String, String>,
    pub log_groups: BTreeMap<String, Option<i32>>,
    /// Role name → (ARN, inline policy names).
    pub roles: BTreeMap<String, (String, Vec<String>)>,
    /// The state a new NAT gateway starts in (AWS: pending; moto: available).
    pub new_nat_state: Option<NatState>,
    /// The next CreateFlowLogs is refused with this reason, in the answer (as AWS does).
    pub flow_log_refusal: Option<String>,
    /// A NAT gateway being deleted goes to `deleting` (AWS) instead of `deleted` at once.
    pub slow_nat_deletion: bool,
    /// (operation, code, calls to let through first): then that call fails with that code.
    pub faults: Vec<(&'static str, &'static str, usize)>,
    /// Every call that changed something, by operation name.
    pub changes: Vec<&'static str>,
    /// Every call made, reads included, by operation name.
    pub calls: Vec<&'static str>,
    next_id: u32,
}

impl World {
    fn id(&mut self, prefix: &str) -> String {
        self.next_id += 1;
        format!("{prefix}-{:04}", self.next_id)
    }

    fn call(&mut self, operation: &'static str) -> CallResult<()> {
        self.calls.push(operation);
        if let Some(index) = self.faults.iter().position(|(op, _, _)| *op == operation) {
            if self.faults[index].2 > 0 {
                self.faults[index].2 -= 1;
                return Ok(());
            }
            let (_, code, _) = self.faults.remove(index);
            return Err(aws_failure(operation, code));
        }
        Ok(())
    }

    fn change(&mut self, operation: &'static str) -> CallResult<()> {
        self.call(operation)?;
        self.changes.push(operation);
        Ok(())
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

    pub fn count(&self, operation: &str) -> usize {
        self.changes.iter().filter(|op| **op == operation).count()
    }
}

#[derive(Debug, Default)]
pub struct Fake(pub Mutex<World>);

impl Fake {
    pub fn new() -> Self {
        let fake = Self::default();
        fake.world().zones = ["us-west-2d", "us-west-2c", "us-west-2a", "us-west-2b"]
            .map(String::from)
            .to_vec();
        fake
    }

    pub fn world(&self) -> MutexGuard<'_, World> {
        self.0.lock().unwrap()
    }
}

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

impl Cloud for Fake {
    async fn availability_zones(&self) -> CallResult<Vec<String>> {
        let mut world = self.world();
        world.call("DescribeAvailabilityZones")?;
        Ok(world.zones.clone())
    }

    async fn vpcs(&self, _environment: &str) -> CallResult<Vec<Vpc>> {
        let mut world = self.world();
        world.call("DescribeVpcs")?;
        Ok(world.vpcs.clone())
    }

    async fn subnets(&self, vpc_id: &str) -> CallResult<Vec<Subnet>> {
        let mut world = self.world();
        world.call("DescribeSubnets")?;
        Ok(in_vpc(&world.subnets, vpc_id))
    }

    async fn internet_gateways(&self, _environment: &str) -> CallResult<Vec<InternetGateway>> {
        let mut world = self.world();
        world.call("DescribeInternetGateways")?;
        Ok(world.gateways.clone())
    }

    async fn addresses(&self, _environment: &str) -> CallResult<Vec<Labels>> {
        let mut world = self.world();
        world.call("DescribeAddresses")?;
        Ok(world.addresses.clone())
    }

    async fn nat_gateways(&self, _environment: &str) -> CallResult<Vec<NatGateway>> {
        let mut world = self.world();
        world.call("DescribeNatGateways")?;
        Ok(world.nats.clone())
    }

    async fn route_tables(&self, vpc_id: &str) -> CallResult<Vec<RouteTable>> {
        let mut world = self.world();
        world.call("DescribeRouteTables")?;
        Ok(in_vpc(&world.tables, vpc_id))
    }

    async fn security_groups(&self, vpc_id: &str) -> CallResult<Vec<SecurityGroup>> {
        let mut world = self.world();
        world.call("DescribeSecurityGroups")?;
        Ok(in_vpc(&world.groups, vpc_id))
    }

    async fn network_interfaces(&self, vpc_id: &str) -> CallResult<Vec<NetworkInterface>> {
        let mut world = self.world();
        world.call("DescribeNetworkInterfaces")?;
        Ok(in_vpc(&world.interfaces, vpc_id))
    }

    async fn flow_logs(&self, vpc_id: &str) -> CallResult<Vec<Labels>> {
        let mut world = self.world();
        world.call("DescribeFlowLogs")?;
        Ok(in_vpc(&world.flow_logs, vpc_id))
    }

    async fn s3_endpoints(&self, vpc_id: &str) -> CallResult<Vec<Labels>> {
        let mut world = self.world();
        world.call("DescribeVpcEndpoints")?;
        Ok(in_vpc(&world.endpoints, vpc_id))
    }

    async fn create_vpc(&self, cidr: &str, tags: &[Tag]) -> CallResult<Vpc> {
        let mut world = self.world();
        world.change("CreateVpc")?;
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
            rule(crate::api::Direction::Ingress, Peer::Group(default.clone())),
            rule(
                crate::api::Direction::Egress,
                Peer::Cidr("0.0.0.0/0".into()),
            ),
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
        self.world().call("ModifyVpcAttribute")
    }

    async fn create_subnet(
        &self,
        vpc_id: &str,
        _cidr: &str,
        zone: &str,
        tags: &[Tag],
    ) -> CallResult<Subnet> {
        let mut world = self.world();
        world.change("CreateSubnet")?;
        let subnet = Subnet {
            labels: world.labels("subnet", tags),
            zone: zone.to_owned(),
        };
        world.subnets.push((vpc_id.to_owned(), subnet.clone()));
        Ok(subnet)
    }

    async fn create_internet_gateway(&self, tags: &[Tag]) -> CallResult<InternetGateway> {
        let mut world = self.world();
        world.change("CreateInternetGateway")?;
        let gateway = InternetGateway {
            labels: world.labels("igw", tags),
            attached_vpcs: Vec::new(),
        };
        world.gateways.push(gateway.clone());
        Ok(gateway)
    }

    async fn attach_internet_gateway(&self, gateway_id: &str, vpc_id: &str) -> CallResult<()> {
        let mut world = self.world();
        world.change("AttachInternetGateway")?;
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
        let mut world = self.world();
        world.change("AllocateAddress")?;
        let address = world.labels("eipalloc", tags);
        world.addresses.push(address.clone());
        Ok(address)
    }

    async fn create_nat_gateway(
        &self,
        subnet_id: &str,
        _allocation_id: &str,
        _token: &str,
        tags: &[Tag],
    ) -> CallResult<NatGateway> {
        let mut world = self.world();
        world.change("CreateNatGateway")?;
        let nat = NatGateway {
            labels: world.labels("nat", tags),
            state: world.new_nat_state.unwrap_or(NatState::Available),
            subnet_id: subnet_id.to_owned(),
        };
        world.nats.push(nat.clone());
        Ok(nat)
    }

    async fn create_route_table(&self, vpc_id: &str, tags: &[Tag]) -> CallResult<RouteTable> {
        let mut world = self.world();
        world.change("CreateRouteTable")?;
        let table = RouteTable {
            labels: world.labels("rtb", tags),
            associations: Vec::new(),
            routes: Vec::new(),
        };
        world.tables.push((vpc_id.to_owned(), table.clone()));
        Ok(table)
    }

    async fn create_default_route(&self, table_id: &str, target: &RouteTarget) -> CallResult<()> {
        let mut world = self.world();
        world.change("CreateRoute")?;
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
        let mut world = self.world();
        world.change("AssociateRouteTable")?;
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
        let mut world = self.world();
        world.change("CreateSecurityGroup")?;
        let group = SecurityGroup {
            labels: world.labels("sg", tags),
            group_name: name.to_owned(),
            rules: vec![Rule {
                direction: crate::api::Direction::Egress,
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
        let mut world = self.world();
        world.change("AuthorizeSecurityGroupRules")?;
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
        let mut world = self.world();
        world.change("RevokeSecurityGroupRules")?;
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
        let mut world = self.world();
        world.change("CreateFlowLogs")?;
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
        let mut world = self.world();
        world.change("CreateVpcEndpoint")?;
        let endpoint = world.labels("vpce", tags);
        world.endpoints.push((vpc_id.to_owned(), endpoint));
        Ok(())
    }

    async fn delete_nat_gateway(&self, id: &str) -> CallResult<()> {
        let mut world = self.world();
        world.change("DeleteNatGateway")?;
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

    async fn release_address(&self, allocation_id: &str) -> CallResult<()> {
        let mut world = self.world();
        world.change("ReleaseAddress")?;
        remove(&mut world.addresses, |a| a.id == allocation_id)
    }

    async fn detach_internet_gateway(&self, gateway_id: &str, vpc_id: &str) -> CallResult<()> {
        let mut world = self.world();
        world.change("DetachInternetGateway")?;
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
        let mut world = self.world();
        world.change("DeleteInternetGateway")?;
        remove(&mut world.gateways, |g| g.labels.id == id)
    }

    async fn delete_security_group(&self, id: &str) -> CallResult<()> {
        let mut world = self.world();
        world.change("DeleteSecurityGroup")?;
        remove(&mut world.groups, |(_, g)| g.labels.id == id)
    }

    async fn delete_network_interface(&self, id: &str) -> CallResult<()> {
        let mut world = self.world();
        world.change("DeleteNetworkInterface")?;
        remove(&mut world.interfaces, |(_, i)| i.id == id)
    }

    async fn delete_subnet(&self, id: &str) -> CallResult<()> {
        let mut world = self.world();
        world.change("DeleteSubnet")?;
        remove(&mut world.subnets, |(_, s)| s.labels.id == id)
    }

    async fn disassociate_route_table(&self, association_id: &str) -> CallResult<()> {
        let mut world = self.world();
        world.change("DisassociateRouteTable")?;
        for (_, table) in world.tables.iter_mut() {
            table.associations.retain(|a| a.id != association_id);
        }
        Ok(())
    }

    async fn delete_route_table(&self, id: &str) -> CallResult<()> {
        let mut world = self.world();
        world.change("DeleteRouteTable")?;
        remove(&mut world.tables, |(_, t)| t.labels.id == id)
    }

    async fn delete_flow_log(&self, id: &str) -> CallResult<()> {
        let mut world = self.world();
        world.change("DeleteFlowLogs")?;
        remove(&mut world.flow_logs, |(_, l)| l.id == id)
    }

    async fn delete_endpoint(&self, id: &str) -> CallResult<()> {
        let mut world = self.world();
        world.change("DeleteVpcEndpoints")?;
        remove(&mut world.endpoints, |(_, e)| e.id == id)
    }

    async fn delete_vpc(&self, id: &str) -> CallResult<()> {
        let mut world = self.world();
        world.change("DeleteVpc")?;
        world.tables.retain(|(vpc, _)| vpc != id);
        world.groups.retain(|(vpc, _)| vpc != id);
        remove(&mut world.vpcs, |v| v.labels.id == id)
    }

    async fn key_by_alias(&self, alias: &str) -> CallResult<Option<Key>> {
        let mut world = self.world();
        world.call("DescribeKey")?;
        let arn = world.aliases.get(alias).cloned();
        Ok(world
            .keys
            .iter()
            .find(|key| Some(&key.arn) == arn.as_ref())
            .cloned())
    }

    async fn create_key(&self, _policy: &str, _tags: &[Tag]) -> CallResult<Key> {
        let mut world = self.world();
        world.change("CreateKey")?;
        let id = world.id("key");
        let key = Key {
            arn: format!("arn:aws:kms:us-west-2:123456789012:key/{id}"),
            id,
            pending_deletion: false,
        };
        world.keys.push(key.clone());
        Ok(key)
    }

    async fn enable_key_rotation(&self, _key_arn: &str) -> CallResult<()> {
        self.world().call("EnableKeyRotation")
    }

    async fn create_alias(&self, alias: &str, key_arn: &str) -> CallResult<()> {
        let mut world = self.world();
        world.change("CreateAlias")?;
        world.aliases.insert(alias.to_owned(), key_arn.to_owned());
        Ok(())
    }

    async fn schedule_key_deletion(&self, key_id: &str, _days: i32) -> CallResult<()> {
        let mut world = self.world();
        world.change("ScheduleKeyDeletion")?;
        for key in world.keys.iter_mut().filter(|key| key.id == key_id) {
            key.pending_deletion = true;
        }
        Ok(())
    }

    async fn delete_alias(&self, alias: &str) -> CallResult<()> {
        let mut world = self.world();
        world.change("DeleteAlias")?;
        world.aliases.remove(alias);
        Ok(())
    }

    async fn log_group_exists(&self, name: &str) -> CallResult<bool> {
        let mut world = self.world();
        world.call("DescribeLogGroups")?;
        Ok(world.log_groups.contains_key(name))
    }

    async fn create_log_group(&self, name: &str, _key_arn: &str, _tags: &[Tag]) -> CallResult<()> {
        let mut world = self.world();
        world.change("CreateLogGroup")?;
        world.log_groups.insert(name.to_owned(), None);
        Ok(())
    }

    async fn set_retention(&self, name: &str, days: i32) -> CallResult<()> {
        let mut world = self.world();
        world.call("PutRetentionPolicy")?;
        world.log_groups.insert(name.to_owned(), Some(days));
        Ok(())
    }

    async fn delete_log_group(&self, name: &str) -> CallResult<()> {
        let mut world = self.world();
        world.change("DeleteLogGroup")?;
        world.log_groups.remove(name);
        Ok(())
    }

    async fn account(&self) -> CallResult<String> {
        Ok("123456789012".to_owned())
    }

    async fn role(&self, name: &str) -> CallResult<Option<String>> {
        let mut world = self.world();
        world.call("GetRole")?;
        Ok(world.roles.get(name).map(|(arn, _)| arn.clone()))
    }

    async fn create_role(
        &self,
        name: &str,
        _trust_policy: &str,
        _tags: &[Tag],
    ) -> CallResult<String> {
        let mut world = self.world();
        world.change("CreateRole")?;
        let arn = format!("arn:aws:iam::123456789012:role/{name}");
        world
            .roles
            .insert(name.to_owned(), (arn.clone(), Vec::new()));
        Ok(arn)
    }

    async fn put_role_policy(
        &self,
        role: &str,
        policy_name: &str,
        _document: &str,
    ) -> CallResult<()> {
        let mut world = self.world();
        world.call("PutRolePolicy")?;
        let (_, policies) = world.roles.get_mut(role).unwrap();
        policies.retain(|p| p != policy_name);
        policies.push(policy_name.to_owned());
        Ok(())
    }

    async fn delete_role_policy(&self, role: &str, policy_name: &str) -> CallResult<()> {
        let mut world = self.world();
        world.change("DeleteRolePolicy")?;
        if let Some((_, policies)) = world.roles.get_mut(role) {
            policies.retain(|p| p != policy_name);
        }
        Ok(())
    }

    async fn delete_role(&self, name: &str) -> CallResult<()> {
        let mut world = self.world();
        world.change("DeleteRole")?;
        world.roles.remove(name);
        Ok(())
    }
}
