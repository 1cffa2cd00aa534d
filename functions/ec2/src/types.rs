//! The plain types the EC2 calls answer and take: a resource's labels (id, `Name` tag, environment
//! tag) and what the callers read of each kind of resource.

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
