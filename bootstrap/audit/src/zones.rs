//! Single-AZ failure: for each AZ in turn, with everything in it gone, does the environment keep serving?
//!
//! The load balancer needs subnets in at least 2 AZs to stay up (ELB user guide, "Availability Zones
//! for your Application Load Balancer"); the service's tasks in the surviving AZs need a route out
//! through a NAT gateway that survived; Aurora needs an instance outside the lost AZ to fail over to;
//! every Redis shard needs a node outside it, and Multi-AZ on, to promote a replica.

use super::facts::Environment;
use serde_json::{json, Value};
use std::collections::BTreeSet;

/// What losing one AZ does: survives when `reasons` is empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneLoss {
    pub zone: String,
    pub reasons: Vec<String>,
}

impl ZoneLoss {
    pub fn survives(&self) -> bool {
        self.reasons.is_empty()
    }

    pub fn to_json(&self) -> Value {
        json!({"zone": self.zone, "survives": self.survives(), "reasons": self.reasons})
    }
}

/// Every AZ the environment has subnets in, each analysed on its own.
pub fn analyse(env: &Environment) -> Vec<ZoneLoss> {
    let zones: BTreeSet<&str> = env
        .network
        .subnets
        .iter()
        .map(|s| s.zone.as_str())
        .collect();
    zones
        .into_iter()
        .map(|zone| ZoneLoss {
            zone: zone.to_owned(),
            reasons: [
                load_balancer(env, zone),
                egress(env, zone),
                database(env, zone),
                cache(env, zone),
            ]
            .concat(),
        })
        .collect()
}

fn load_balancer(env: &Environment, lost: &str) -> Vec<String> {
    let Some(lb) = &env.load_balancer else {
        return vec![];
    };
    let left: BTreeSet<&str> = lb
        .zones
        .iter()
        .map(String::as_str)
        .filter(|z| *z != lost)
        .collect();
    if left.len() >= 2 {
        return vec![];
    }
    vec![format!(
        "load balancer: {} AZ(s) left, it needs 2",
        left.len()
    )]
}

fn egress(env: &Environment, lost: &str) -> Vec<String> {
    let Some(service) = &env.service else {
        return vec![];
    };
    let surviving: Vec<_> = service
        .subnet_ids
        .iter()
        .filter_map(|id| env.network.subnets.iter().find(|s| &s.id == id))
        .filter(|s| s.zone != lost)
        .collect();
    if surviving.is_empty() {
        return vec![format!("service: no subnet outside {lost} to run tasks in")];
    }
    let nat_zone = |nat: &str| {
        env.network
            .nat_gateways
            .iter()
            .find(|n| n.id == nat)
            .map(|n| n.zone.as_str())
    };
    let with_egress = surviving.iter().filter(|s| {
        s.default_route
            .as_deref()
            .and_then(nat_zone)
            .is_some_and(|zone| zone != lost)
    });
    if with_egress.count() > 0 {
        return vec![];
    }
    let nats: BTreeSet<&str> = env
        .network
        .nat_gateways
        .iter()
        .map(|n| n.zone.as_str())
        .collect();
    let nats: Vec<&str> = nats.into_iter().collect();
    let reason = match nats.as_slice() {
        [only] if *only == lost => format!("egress lost: the only NAT is in {lost}"),
        [] => "egress lost: the environment has no NAT gateway".to_owned(),
        _ => format!(
            "egress lost: the surviving subnets route through NATs in {}",
            nats.join(", ")
        ),
    };
    vec![reason]
}

fn database(env: &Environment, lost: &str) -> Vec<String> {
    let Some(db) = &env.database else {
        return vec![];
    };
    // An instance RDS has not placed yet is no standby to count on.
    if db
        .instances
        .iter()
        .any(|i| i.zone.as_deref().is_some_and(|z| z != lost))
    {
        return vec![];
    }
    vec![format!(
        "database: no Aurora instance outside {lost} to fail over to"
    )]
}

fn cache(env: &Environment, lost: &str) -> Vec<String> {
    let Some(cache) = &env.cache else {
        return vec![];
    };
    let mut reasons = Vec::new();
    for (index, shard) in cache.shards.iter().enumerate() {
        if !shard.iter().any(|zone| zone != lost) {
            reasons.push(format!(
                "cache: every node of shard {} is in {lost}",
                index + 1
            ));
        }
    }
    let shard_in_lost_zone = cache.shards.iter().any(|s| s.iter().any(|z| z == lost));
    if shard_in_lost_zone && !(cache.multi_az && cache.automatic_failover) {
        reasons.push(
            "cache: Multi-AZ or automatic failover is off, so no replica is promoted".to_owned(),
        );
    }
    reasons
}

#[cfg(test)]
mod tests {
    use super::super::checks::sample::{compliant, ZONES};
    use super::*;

    fn reasons(env: &Environment) -> Vec<(String, Vec<String>)> {
        analyse(env)
            .into_iter()
            .map(|l| (l.zone, l.reasons))
            .collect()
    }

    #[test]
    fn the_default_environment_survives_each_of_its_three_azs() {
        let losses = analyse(&compliant());
        assert_eq!(losses.len(), 3);
        for loss in &losses {
            assert!(loss.survives(), "{loss:?}");
            assert_eq!(loss.to_json()["survives"], true);
        }
    }

    #[test]
    fn a_single_nat_loses_egress_only_for_its_own_az() {
        let mut env = compliant();
        env.network.nat_gateways.truncate(1);
        for subnet in env.network.subnets.iter_mut().filter(|s| !s.public) {
            subnet.default_route = Some("nat-a".into());
        }
        assert_eq!(
            reasons(&env),
            [
                (
                    ZONES[0].to_owned(),
                    vec!["egress lost: the only NAT is in us-west-2a".to_owned()]
                ),
                (ZONES[1].to_owned(), vec![]),
                (ZONES[2].to_owned(), vec![]),
            ]
        );
    }

    #[test]
    fn without_the_reader_the_writers_az_takes_the_database_down() {
        let mut env = compliant();
        env.database
            .as_mut()
            .unwrap()
            .instances
            .retain(|i| i.writer);
        let losses = analyse(&env);
        assert_eq!(
            losses[0].reasons,
            ["database: no Aurora instance outside us-west-2a to fail over to"]
        );
        assert!(losses[1].survives() && losses[2].survives());
    }

    #[test]
    fn each_component_reports_its_own_reason() {
        let mut env = compliant();
        env.load_balancer.as_mut().unwrap().zones.truncate(2);
        let cache = env.cache.as_mut().unwrap();
        cache.shards[0] = vec![ZONES[0].into(), ZONES[0].into()];
        cache.multi_az = false;
        env.service.as_mut().unwrap().subnet_ids.truncate(1);
        let losses = analyse(&env);
        assert_eq!(
            losses[0].reasons,
            [
                "load balancer: 1 AZ(s) left, it needs 2",
                "service: no subnet outside us-west-2a to run tasks in",
                "cache: every node of shard 1 is in us-west-2a",
                "cache: Multi-AZ or automatic failover is off, so no replica is promoted",
            ]
        );
        assert_eq!(
            losses[2].reasons,
            ["cache: Multi-AZ or automatic failover is off, so no replica is promoted"]
        );
        assert_eq!(losses[0].to_json()["survives"], false);
    }

    #[test]
    fn egress_needs_a_nat_that_survives() {
        let mut env = compliant();
        env.network.nat_gateways.clear();
        assert_eq!(
            analyse(&env)[1].reasons,
            ["egress lost: the environment has no NAT gateway"]
        );
        let mut env = compliant();
        // Two NATs left, both in a and b; the subnets of b and c route through a's.
        env.network.nat_gateways.truncate(2);
        for subnet in env.network.subnets.iter_mut().filter(|s| !s.public) {
            subnet.default_route = Some("nat-a".into());
        }
        assert_eq!(
            analyse(&env)[0].reasons,
            ["egress lost: the surviving subnets route through NATs in us-west-2a, us-west-2b"]
        );
    }

    #[test]
    fn missing_components_are_not_this_analysis_business() {
        let mut env = compliant();
        env.load_balancer = None;
        env.service = None;
        env.database = None;
        env.cache = None;
        assert!(analyse(&env).iter().all(ZoneLoss::survives));
    }
}
