//! Quota admission: before a provision starts, the account's headroom for the account-wide limits a
//! new environment consumes, so a spec that does not fit is refused naming the limit instead of
//! failing halfway (`AddressLimitExceeded` in the network component) and rolling back.
//!
//! The limits that bind first at AWS's defaults (README, "Account quotas"; docs/quotas.md), with
//! their Service Quotas codes; the quota is the account's applied value (`GetServiceQuota`), else
//! AWS's default (`GetAWSDefaultServiceQuota`), else the documented default below.

use env_core::spec::{EnvironmentSpec, NatStrategy};
use std::collections::BTreeMap;
use std::fmt;

/// An account-wide quota an environment consumes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub name: &'static str,
    /// Service Quotas' service code.
    pub service: &'static str,
    /// Service Quotas' quota code.
    pub code: &'static str,
    /// AWS's default (Amazon VPC user guide, "Amazon VPC quotas").
    pub default: u32,
}

/// One per NAT gateway (Amazon VPC user guide, "Amazon VPC quotas": "EC2-VPC Elastic IPs").
pub const ELASTIC_IPS: Limit = Limit {
    name: "EC2-VPC Elastic IPs",
    service: "ec2",
    code: "L-0263D0A3",
    default: 5,
};
pub const VPCS: Limit = Limit {
    name: "VPCs per Region",
    service: "vpc",
    code: "L-F678F1CE",
    default: 5,
};
pub const INTERNET_GATEWAYS: Limit = Limit {
    name: "Internet gateways per Region",
    service: "vpc",
    code: "L-A4707A72",
    default: 5,
};
/// NAT gateways pending, available or deleting count (same guide).
pub const NAT_GATEWAYS_PER_ZONE: Limit = Limit {
    name: "NAT gateways per Availability Zone",
    service: "vpc",
    code: "L-FE5A380F",
    default: 5,
};
pub const LIMITS: [Limit; 4] = [ELASTIC_IPS, VPCS, INTERNET_GATEWAYS, NAT_GATEWAYS_PER_ZONE];

/// What the account uses now, in the region.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Usage {
    pub elastic_ips: u32,
    pub vpcs: u32,
    pub internet_gateways: u32,
    /// NAT gateways that count toward the quota, by Availability Zone.
    pub nat_gateways: BTreeMap<String, u32>,
    /// The available Availability Zones by name: an environment takes the first three (the
    /// network component's choice).
    pub zones: Vec<String>,
}

/// A limit a new environment would go past.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shortfall {
    pub limit: Limit,
    /// For a per-zone limit.
    pub zone: Option<String>,
    pub quota: u32,
    pub used: u32,
    pub needed: u32,
}

impl fmt::Display for Shortfall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Limit {
            name,
            service,
            code,
            ..
        } = self.limit;
        let zone = self
            .zone
            .as_deref()
            .map_or(String::new(), |zone| format!(" in {zone}"));
        write!(
            f,
            "{name}{zone} (Service Quotas {service} {code}): {} of {} in use, the environment needs {}",
            self.used, self.quota, self.needed
        )
    }
}

/// What a new environment of `spec` takes: one VPC and internet gateway, and a NAT gateway with an
/// Elastic IP in each of the three zones (`perAz`) or in the first (`single`).
fn needs(spec: &EnvironmentSpec, zones: &[String]) -> Vec<(Limit, Option<String>, u32)> {
    let nat_zones: Vec<String> = match spec.fields().nat_gateways {
        NatStrategy::PerAz => zones.iter().take(3).cloned().collect(),
        NatStrategy::Single => zones.iter().take(1).cloned().collect(),
    };
    let mut needs = vec![
        (ELASTIC_IPS, None, nat_zones.len() as u32),
        (VPCS, None, 1),
        (INTERNET_GATEWAYS, None, 1),
    ];
    needs.extend(
        nat_zones
            .into_iter()
            .map(|zone| (NAT_GATEWAYS_PER_ZONE, Some(zone), 1)),
    );
    needs
}

/// The limits a new environment of `spec` would go past, given the account's `usage` and its
/// quota of each limit by code.
pub fn shortfalls(
    spec: &EnvironmentSpec,
    usage: &Usage,
    quotas: &BTreeMap<&'static str, u32>,
) -> Vec<Shortfall> {
    needs(spec, &usage.zones)
        .into_iter()
        .filter_map(|(limit, zone, needed)| {
            let used = match (limit.code, &zone) {
                (code, _) if code == ELASTIC_IPS.code => usage.elastic_ips,
                (code, _) if code == VPCS.code => usage.vpcs,
                (code, _) if code == INTERNET_GATEWAYS.code => usage.internet_gateways,
                (_, zone) => zone
                    .as_ref()
                    .and_then(|zone| usage.nat_gateways.get(zone))
                    .copied()
                    .unwrap_or(0),
            };
            let quota = quota_of(&limit, quotas);
            (used + needed > quota).then_some(Shortfall {
                limit,
                zone,
                quota,
                used,
                needed,
            })
        })
        .collect()
}

/// The account's value of `limit`, else AWS's default. Raising the VPCs per Region raises the
/// internet gateways per Region "by the same amount" (Amazon VPC user guide, "Amazon VPC quotas"),
/// so the latter is at least the former even where Service Quotas reports its default.
fn quota_of(limit: &Limit, quotas: &BTreeMap<&'static str, u32>) -> u32 {
    let value = |limit: &Limit| quotas.get(limit.code).copied().unwrap_or(limit.default);
    if limit.code == INTERNET_GATEWAYS.code {
        return value(limit).max(value(&VPCS));
    }
    value(limit)
}

/// The refusal: every limit, and what to do about it.
pub fn refusal(suffix: &str, spec: &EnvironmentSpec, shortfalls: &[Shortfall]) -> String {
    let listed: Vec<String> = shortfalls.iter().map(Shortfall::to_string).collect();
    let single = if spec.fields().nat_gateways == NatStrategy::PerAz {
        " (`natGateways: single` takes one Elastic IP and one NAT gateway instead of three)"
    } else {
        ""
    };
    format!(
        "the account has no room for environment {suffix}, so nothing was started: {}; raise the quota in Service Quotas{single}, or tear an environment down (`envctl env list`)",
        listed.join("; ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spec(nat: &str) -> EnvironmentSpec {
        EnvironmentSpec::from_value(&json!({
            "environmentSuffix": "pr-42",
            "containerImage": "nginx",
            "selfSignedCertificate": true,
            "natGateways": nat
        }))
        .unwrap()
    }

    fn usage() -> Usage {
        Usage {
            zones: vec![
                "us-west-2a".into(),
                "us-west-2b".into(),
                "us-west-2c".into(),
                "us-west-2d".into(),
            ],
            ..Usage::default()
        }
    }

    #[test]
    fn an_empty_account_at_the_defaults_has_room_for_one_environment_of_each_kind() {
        let none = BTreeMap::new();
        assert_eq!(shortfalls(&spec("perAz"), &usage(), &none), []);
        assert_eq!(shortfalls(&spec("single"), &usage(), &none), []);
    }

    #[test]
    fn a_second_per_az_environment_goes_past_the_five_elastic_ips() {
        let mut used = usage();
        used.elastic_ips = 3;
        used.vpcs = 2;
        used.internet_gateways = 2;
        for zone in ["us-west-2a", "us-west-2b", "us-west-2c"] {
            used.nat_gateways.insert(zone.into(), 1);
        }
        let found = shortfalls(&spec("perAz"), &used, &BTreeMap::new());
        assert_eq!(
            found.iter().map(Shortfall::to_string).collect::<Vec<_>>(),
            ["EC2-VPC Elastic IPs (Service Quotas ec2 L-0263D0A3): 3 of 5 in use, the environment needs 3"]
        );
        // A single NAT fits; and a raised quota lets the second one in.
        assert_eq!(shortfalls(&spec("single"), &used, &BTreeMap::new()), []);
        let raised = BTreeMap::from([(ELASTIC_IPS.code, 15)]);
        assert_eq!(shortfalls(&spec("perAz"), &used, &raised), []);
        let text = refusal("pr-42", &spec("perAz"), &found);
        assert!(
            text.starts_with("the account has no room for environment pr-42, so nothing was started: EC2-VPC Elastic IPs"),
            "{text}"
        );
        assert!(text.contains("`natGateways: single` takes one"), "{text}");
        assert!(!refusal("pr-42", &spec("single"), &found).contains("natGateways"));
    }

    #[test]
    fn vpcs_gateways_and_each_zones_nat_gateways_are_limits_of_their_own() {
        let mut used = usage();
        used.vpcs = 5;
        used.internet_gateways = 5;
        used.nat_gateways.insert("us-west-2b".into(), 5);
        // us-west-2d is not one of the environment's zones.
        used.nat_gateways.insert("us-west-2d".into(), 5);
        let found = shortfalls(&spec("perAz"), &used, &BTreeMap::new());
        let limits: Vec<(&str, Option<&str>)> = found
            .iter()
            .map(|shortfall| (shortfall.limit.code, shortfall.zone.as_deref()))
            .collect();
        assert_eq!(
            limits,
            [
                ("L-F678F1CE", None),
                ("L-A4707A72", None),
                ("L-FE5A380F", Some("us-west-2b"))
            ]
        );
        assert_eq!(
            found[2].to_string(),
            "NAT gateways per Availability Zone in us-west-2b (Service Quotas vpc L-FE5A380F): 5 of 5 in use, the environment needs 1"
        );
        // A single NAT goes in the first zone only.
        let found = shortfalls(&spec("single"), &used, &BTreeMap::new());
        assert!(found.iter().all(|shortfall| shortfall.zone.is_none()));
        // Raising the VPCs raises the internet gateways with them.
        used.nat_gateways.clear();
        let raised = BTreeMap::from([(VPCS.code, 10)]);
        assert_eq!(shortfalls(&spec("perAz"), &used, &raised), []);
    }
}
