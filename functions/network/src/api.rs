//! The AWS calls the network function makes, as one small trait over plain types.
//!
//! The handler holds the logic (what exists, what is missing, what to create or delete next) and
//! talks only to [`Cloud`]; [`crate::aws::AwsCloud`] implements it with the SDK clients, one SDK
//! call per method, and the unit tests implement it with an in-memory fake. Every finder returns the
//! environment tag it read, and the handler keeps only what carries this environment's tag: some
//! emulators (moto) ignore tag filters on some describe calls, and AWS lists a resource for a while
//! after it was deleted.

use env_core::tags::Tag;
use env_core::AwsCallError;
use iam_roles::RoleCalls;
use log_groups::LogGroupCalls;

pub type CallResult<T> = Result<T, AwsCallError>;

/// A resource's identity as the handler matches it: its id, `Name` tag and environment tag.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Labels {
    pub id: String,
    pub name: Option<String>,
    pub environment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vpc {
    pub labels: Labels,
    pub cidr: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subnet {
    pub labels: Labels,
    pub zone: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InternetGateway {
    pub labels: Labels,
    pub attached_vpcs: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NatState {
    Pending,
    Available,
    Deleting,
    Deleted,
    Failed,
}

impl NatState {
    /// EC2's state names (API reference, `NatGateway.State`). A state this code does not know is
    /// treated as pending: not usable yet, so never reported ready.
    pub fn from_aws(state: Option<&str>) -> Self {
        match state {
            Some("available") => NatState::Available,
            Some("deleting") => NatState::Deleting,
            Some("deleted") => NatState::Deleted,
            Some("failed") => NatState::Failed,
            _ => NatState::Pending,
        }
    }

    /// Still there: counts as the AZ's NAT gateway, or still has to go.
    pub fn is_live(self) -> bool {
        !matches!(self, NatState::Deleted)
    }
}

pub use env_core::error::found;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NatGateway {
    pub labels: Labels,
    pub state: NatState,
    pub subnet_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Association {
    pub id: String,
    pub subnet_id: Option<String>,
    pub main: bool,
}

/// One route of a route table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// The IPv4 block it matches; none for a route to a prefix list (a gateway endpoint's) or to
    /// an IPv6 block.
    pub destination_cidr: Option<String>,
    /// The gateway, NAT gateway or endpoint it goes through; none for a route through anything
    /// else (a peering connection, a transit gateway, a network interface).
    pub target: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteTable {
    pub labels: Labels,
    pub associations: Vec<Association>,
    pub routes: Vec<Route>,
}

/// What a default route points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RouteTarget {
    InternetGateway(String),
    NatGateway(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    Ingress,
    Egress,
}

/// The other side of a security-group rule.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Peer {
    Cidr(String),
    Group(String),
}

/// One security-group rule: one protocol, one port range, one peer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub direction: Direction,
    /// `tcp`, or `-1` for every protocol (AWS's default egress rule).
    pub protocol: String,
    pub from_port: Option<i32>,
    pub to_port: Option<i32>,
    pub peer: Peer,
    pub description: Option<String>,
}

impl Rule {
    /// The same rule as far as traffic goes; the description is not part of a rule's identity.
    pub fn same_traffic(&self, other: &Rule) -> bool {
        self.direction == other.direction
            && self.protocol == other.protocol
            && self.from_port == other.from_port
            && self.to_port == other.to_port
            && self.peer == other.peer
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityGroup {
    pub labels: Labels,
    pub group_name: String,
    pub rules: Vec<Rule>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetworkInterface {
    pub id: String,
    /// `available` (detached) or `in-use`.
    pub status: String,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    pub id: String,
    pub arn: String,
    pub pending_deletion: bool,
}

/// Everything the network function asks of EC2, KMS, CloudWatch Logs and IAM.
// The lint warns that callers cannot require `Send` futures from a public async trait; only this
// binary implements and calls it, and the functions' entry point does not need `Send`.
#[allow(async_fn_in_trait)]
pub trait Cloud {
    type Logs: LogGroupCalls;
    type Roles: RoleCalls;
    /// CloudWatch Logs, for the flow logs' log group.
    fn logs(&self) -> &Self::Logs;
    /// IAM, for the role VPC Flow Logs delivers with.
    fn roles(&self) -> &Self::Roles;

    // EC2: finders. `environment` is the suffix, matched against the environment tag.
    async fn availability_zones(&self) -> CallResult<Vec<String>>;
    async fn vpcs(&self, environment: &str) -> CallResult<Vec<Vpc>>;
    async fn subnets(&self, vpc_id: &str) -> CallResult<Vec<Subnet>>;
    async fn internet_gateways(&self, environment: &str) -> CallResult<Vec<InternetGateway>>;
    async fn addresses(&self, environment: &str) -> CallResult<Vec<Labels>>;
    async fn nat_gateways(&self, environment: &str) -> CallResult<Vec<NatGateway>>;
    async fn route_tables(&self, vpc_id: &str) -> CallResult<Vec<RouteTable>>;
    async fn security_groups(&self, vpc_id: &str) -> CallResult<Vec<SecurityGroup>>;
    async fn network_interfaces(&self, vpc_id: &str) -> CallResult<Vec<NetworkInterface>>;
    async fn flow_logs(&self, vpc_id: &str) -> CallResult<Vec<Labels>>;
    async fn s3_endpoints(&self, vpc_id: &str) -> CallResult<Vec<Labels>>;

    // EC2: creation.
    async fn create_vpc(&self, cidr: &str, tags: &[Tag]) -> CallResult<Vpc>;
    async fn enable_dns(&self, vpc_id: &str) -> CallResult<()>;
    async fn create_subnet(
        &self,
        vpc_id: &str,
        cidr: &str,
        zone: &str,
        tags: &[Tag],
    ) -> CallResult<Subnet>;
    async fn create_internet_gateway(&self, tags: &[Tag]) -> CallResult<InternetGateway>;
    async fn attach_internet_gateway(&self, gateway_id: &str, vpc_id: &str) -> CallResult<()>;
    async fn allocate_address(&self, tags: &[Tag]) -> CallResult<Labels>;
    async fn create_nat_gateway(
        &self,
        subnet_id: &str,
        allocation_id: &str,
        token: &str,
        tags: &[Tag],
    ) -> CallResult<NatGateway>;
    async fn create_route_table(&self, vpc_id: &str, tags: &[Tag]) -> CallResult<RouteTable>;
    async fn create_default_route(&self, table_id: &str, target: &RouteTarget) -> CallResult<()>;
    async fn associate_route_table(&self, table_id: &str, subnet_id: &str) -> CallResult<()>;
    async fn create_security_group(
        &self,
        vpc_id: &str,
        name: &str,
        description: &str,
        tags: &[Tag],
    ) -> CallResult<SecurityGroup>;
    async fn authorize(&self, group_id: &str, rules: &[Rule]) -> CallResult<()>;
    async fn revoke(&self, group_id: &str, rules: &[Rule]) -> CallResult<()>;
    /// Why AWS refused to create the flow log, if it did: CreateFlowLogs reports that in its
    /// answer (`Unsuccessful`), not as an error.
    async fn create_flow_log(
        &self,
        vpc_id: &str,
        log_group: &str,
        role_arn: &str,
        tags: &[Tag],
    ) -> CallResult<Vec<String>>;
    async fn create_s3_endpoint(
        &self,
        vpc_id: &str,
        route_table_ids: &[String],
        tags: &[Tag],
    ) -> CallResult<()>;

    // EC2: deletion.
    async fn delete_nat_gateway(&self, id: &str) -> CallResult<()>;
    async fn release_address(&self, allocation_id: &str) -> CallResult<()>;
    async fn detach_internet_gateway(&self, gateway_id: &str, vpc_id: &str) -> CallResult<()>;
    async fn delete_internet_gateway(&self, id: &str) -> CallResult<()>;
    async fn delete_security_group(&self, id: &str) -> CallResult<()>;
    async fn delete_network_interface(&self, id: &str) -> CallResult<()>;
    async fn delete_subnet(&self, id: &str) -> CallResult<()>;
    async fn disassociate_route_table(&self, association_id: &str) -> CallResult<()>;
    async fn delete_route_table(&self, id: &str) -> CallResult<()>;
    async fn delete_flow_log(&self, id: &str) -> CallResult<()>;
    async fn delete_endpoint(&self, id: &str) -> CallResult<()>;
    async fn delete_vpc(&self, id: &str) -> CallResult<()>;

    // KMS.
    async fn key_by_alias(&self, alias: &str) -> CallResult<Option<Key>>;
    async fn create_key(&self, policy: &str, tags: &[Tag]) -> CallResult<Key>;
    async fn enable_key_rotation(&self, key_arn: &str) -> CallResult<()>;
    async fn create_alias(&self, alias: &str, key_arn: &str) -> CallResult<()>;
    async fn schedule_key_deletion(&self, key_id: &str, days: i32) -> CallResult<()>;
    async fn delete_alias(&self, alias: &str) -> CallResult<()>;

    // IAM: the account roles are made in, for the flow-log role's trust policy.
    async fn account(&self) -> CallResult<String>;
}

#[cfg(test)]
mod tests {
    use super::*;
    use env_core::error::aws_failure;

    #[test]
    fn nat_states_follow_ec2_names_and_unknown_ones_are_pending() {
        assert_eq!(NatState::from_aws(Some("available")), NatState::Available);
        assert_eq!(NatState::from_aws(Some("deleting")), NatState::Deleting);
        assert_eq!(NatState::from_aws(Some("deleted")), NatState::Deleted);
        assert_eq!(NatState::from_aws(Some("failed")), NatState::Failed);
        assert_eq!(NatState::from_aws(Some("pending")), NatState::Pending);
        assert_eq!(NatState::from_aws(None), NatState::Pending);
        assert!(!NatState::Deleted.is_live() && NatState::Deleting.is_live());
    }

    #[test]
    fn only_the_not_found_code_means_absent() {
        assert_eq!(found(Ok(1), &["NoSuchEntity"]).unwrap(), Some(1));
        assert_eq!(
            found::<i32>(
                Err(aws_failure("GetRole", "NoSuchEntity")),
                &["NoSuchEntity"]
            )
            .unwrap(),
            None
        );
        let error = found::<i32>(
            Err(aws_failure("GetRole", "AccessDenied")),
            &["NoSuchEntity"],
        )
        .unwrap_err();
        assert!(error.is_code("AccessDenied"));
    }
}
