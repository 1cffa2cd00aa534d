//! Where the environment lives and how its network is laid out.

use super::field::SpecField;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::net::Ipv4Addr;

/// The only region environments are built in (the request: "Must deploy to us-west-2 region only").
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Region {
    #[default]
    #[serde(rename = "us-west-2")]
    UsWest2,
}

impl Region {
    pub const fn as_str(self) -> &'static str {
        match self {
            Region::UsWest2 => "us-west-2",
        }
    }
}

impl SpecField for Region {
    const ALLOWED: &'static str = "\"us-west-2\" (the only region environments are built in)";
}

/// One NAT gateway per AZ survives the loss of an AZ; a single shared one costs a third as much.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum NatStrategy {
    #[default]
    PerAz,
    Single,
}

impl SpecField for NatStrategy {
    const ALLOWED: &'static str = "\"perAz\" (one NAT gateway per AZ) or \"single\" (one shared)";
}

/// The VPC's IPv4 block: an RFC 1918 network from /16 to /24.
///
/// /16 is the largest block a VPC accepts (Amazon VPC user guide, "VPC CIDR blocks"); /24 is the
/// smallest that still splits into six subnets of /27, each leaving 27 usable addresses after the five
/// AWS reserves, enough for the tasks, database, cache nodes and load balancer of one AZ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct VpcCidr {
    network: Ipv4Addr,
    prefix_len: u8,
}

impl VpcCidr {
    pub const SHORTEST_PREFIX: u8 = 16;
    pub const LONGEST_PREFIX: u8 = 24;

    pub fn network(self) -> Ipv4Addr {
        self.network
    }

    pub fn prefix_len(self) -> u8 {
        self.prefix_len
    }

    pub fn parse(value: &str) -> Result<Self, String> {
        let (address, prefix) = value
            .split_once('/')
            .ok_or_else(|| "must be an IPv4 CIDR block such as 10.0.0.0/16".to_owned())?;
        let network: Ipv4Addr = address
            .parse()
            .map_err(|_| format!("{address:?} is not an IPv4 address"))?;
        let prefix_len: u8 = prefix
            .parse()
            .ok()
            .filter(|p| (Self::SHORTEST_PREFIX..=Self::LONGEST_PREFIX).contains(p))
            .ok_or_else(|| {
                format!(
                    "the prefix length must be from /{} to /{}",
                    Self::SHORTEST_PREFIX,
                    Self::LONGEST_PREFIX
                )
            })?;
        let mask = u32::MAX << (32 - prefix_len);
        if u32::from(network) & !mask != 0 {
            let aligned = Ipv4Addr::from(u32::from(network) & mask);
            return Err(format!(
                "host bits are set; the network of this block is {aligned}/{prefix_len}"
            ));
        }
        if !network.is_private() {
            return Err(
                "must lie in a private range (RFC 1918: 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16)"
                    .to_owned(),
            );
        }
        Ok(Self {
            network,
            prefix_len,
        })
    }
}

impl Default for VpcCidr {
    fn default() -> Self {
        Self {
            network: Ipv4Addr::new(10, 0, 0, 0),
            prefix_len: 16,
        }
    }
}

impl TryFrom<String> for VpcCidr {
    type Error = String;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<VpcCidr> for String {
    fn from(value: VpcCidr) -> Self {
        value.to_string()
    }
}

impl fmt::Display for VpcCidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.network, self.prefix_len)
    }
}

impl SpecField for VpcCidr {
    const ALLOWED: &'static str =
        "an RFC 1918 IPv4 CIDR block from /16 to /24, such as 10.0.0.0/16";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_block_is_ten_slash_sixteen() {
        let cidr = VpcCidr::default();
        assert_eq!(cidr.to_string(), "10.0.0.0/16");
        assert_eq!(cidr.network(), Ipv4Addr::new(10, 0, 0, 0));
        assert_eq!(cidr.prefix_len(), 16);
        assert_eq!(VpcCidr::parse("10.0.0.0/16"), Ok(cidr));
    }

    #[test]
    fn accepts_each_private_range_at_both_prefix_bounds() {
        for block in ["10.20.0.0/16", "172.16.0.0/24", "192.168.4.0/24"] {
            assert_eq!(VpcCidr::parse(block).unwrap().to_string(), block);
        }
    }

    #[test]
    fn explains_each_kind_of_bad_block() {
        assert_eq!(
            VpcCidr::parse("10.0.0.0").unwrap_err(),
            "must be an IPv4 CIDR block such as 10.0.0.0/16"
        );
        assert_eq!(
            VpcCidr::parse("10.0.0/16").unwrap_err(),
            "\"10.0.0\" is not an IPv4 address"
        );
        assert_eq!(
            VpcCidr::parse("10.0.0.0/8").unwrap_err(),
            "the prefix length must be from /16 to /24"
        );
        assert_eq!(
            VpcCidr::parse("10.0.0.0/x").unwrap_err(),
            "the prefix length must be from /16 to /24"
        );
        assert_eq!(
            VpcCidr::parse("10.0.1.0/16").unwrap_err(),
            "host bits are set; the network of this block is 10.0.0.0/16"
        );
        assert_eq!(
            VpcCidr::parse("8.8.0.0/16").unwrap_err(),
            "must lie in a private range (RFC 1918: 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16)"
        );
    }

    #[test]
    fn region_names_us_west_2() {
        assert_eq!(Region::default().as_str(), "us-west-2");
    }
}
