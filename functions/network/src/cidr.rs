//! How the VPC's block is cut into the environment's six subnets: a pure function, so the layout is
//! proven by tests rather than read off a running VPC.

use env_core::spec::VpcCidr;
use std::net::Ipv4Addr;

/// How many subnets an environment has: 3 public, then 3 private.
pub const SUBNETS: usize = 6;

/// The smallest subnet we cut: a /27 leaves 27 usable addresses after the 5 AWS reserves in every
/// subnet (Amazon VPC user guide, "Subnet CIDR blocks"), the floor the spec's /24 limit is built on.
const LONGEST_SUBNET_PREFIX: u8 = 27;

/// One subnet block, as EC2 writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Block {
    pub network: Ipv4Addr,
    pub prefix_len: u8,
}

impl std::fmt::Display for Block {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.network, self.prefix_len)
    }
}

/// Six equal, consecutive blocks from the start of the VPC's range: public a, b, c, then private
/// a, b, c. Each is a sixteenth of the VPC where that still leaves a /27, so a /16 keeps ten /20s
/// free for later tiers; a /24 (the smallest the spec allows) is cut in eighths, /27 each.
pub fn subnet_blocks(vpc: VpcCidr) -> [Block; SUBNETS] {
    let prefix_len = (vpc.prefix_len() + 4)
        .min(LONGEST_SUBNET_PREFIX)
        .max(vpc.prefix_len() + 3);
    let size = 1u32 << (32 - prefix_len);
    let start = u32::from(vpc.network());
    std::array::from_fn(|index| Block {
        network: Ipv4Addr::from(start + size * index as u32),
        prefix_len,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blocks(vpc: &str) -> Vec<String> {
        subnet_blocks(VpcCidr::parse(vpc).unwrap())
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    fn first(block: Block) -> u32 {
        u32::from(block.network)
    }

    fn last(block: Block) -> u32 {
        first(block) + ((1u64 << (32 - block.prefix_len)) - 1) as u32
    }

    fn assert_disjoint_and_inside(vpc: &str) {
        let cidr = VpcCidr::parse(vpc).unwrap();
        let vpc_block = Block {
            network: cidr.network(),
            prefix_len: cidr.prefix_len(),
        };
        let subnets = subnet_blocks(cidr);
        for (i, a) in subnets.iter().enumerate() {
            assert!(first(*a) >= first(vpc_block) && last(*a) <= last(vpc_block));
            for b in &subnets[i + 1..] {
                assert!(
                    last(*a) < first(*b) || last(*b) < first(*a),
                    "{a} overlaps {b}"
                );
            }
        }
    }

    #[test]
    fn a_slash_16_is_cut_into_six_slash_20s() {
        assert_eq!(
            blocks("10.0.0.0/16"),
            [
                "10.0.0.0/20",
                "10.0.16.0/20",
                "10.0.32.0/20",
                "10.0.48.0/20",
                "10.0.64.0/20",
                "10.0.80.0/20"
            ]
        );
    }

    #[test]
    fn a_slash_24_is_cut_into_six_slash_27s() {
        assert_eq!(
            blocks("192.168.4.0/24"),
            [
                "192.168.4.0/27",
                "192.168.4.32/27",
                "192.168.4.64/27",
                "192.168.4.96/27",
                "192.168.4.128/27",
                "192.168.4.160/27"
            ]
        );
    }

    #[test]
    fn every_allowed_prefix_gives_six_disjoint_subnets_inside_the_vpc() {
        for prefix in 16..=24 {
            assert_disjoint_and_inside(&format!("172.16.0.0/{prefix}"));
        }
        assert_eq!(blocks("10.8.0.0/23")[5], "10.8.0.160/27");
    }
}
