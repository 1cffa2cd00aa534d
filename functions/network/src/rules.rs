//! The security groups and their rules (docs/compliance.md, "Network"): rules reference other
//! groups, never address ranges, except the load balancer's 80 and 443 from anywhere and HTTPS out
//! to AWS APIs and image registries (through the NAT gateways) for the two tiers that need it. The
//! database and cache groups have no egress at all (Trivy AWS-0104).

use crate::api::{Direction, Peer, Rule};
use env_core::naming::Tier;
use env_core::spec::CacheMode;

/// PostgreSQL's port, which Aurora PostgreSQL listens on by default.
pub const POSTGRES_PORT: i32 = 5432;
/// Redis's port, which ElastiCache listens on by default.
pub const REDIS_PORT: i32 = 6379;
/// A serverless cache's second endpoint, for reads from a replica in the client's own zone: the
/// primary's host on 6380, which clients such as Glide and Lettuce use when told to read from
/// replicas, and which the security group must open beside 6379 ("ElastiCache serverless offers
/// two different endpoints … the same DNS name but different ports … you must authorize access to
/// both ports", ElastiCache user guide, "Best Practices for using Read Replicas").
pub const READER_PORT: i32 = 6380;
const HTTP_PORT: i32 = 80;
const HTTPS_PORT: i32 = 443;
const ANYWHERE: &str = "0.0.0.0/0";

/// Each group's own description (CKV_AWS_23: every group and rule has one).
pub fn group_description(tier: Tier) -> &'static str {
    match tier {
        Tier::LoadBalancer => "Load balancer: HTTP and HTTPS from the internet, to the service",
        Tier::Service => "API containers: from the load balancer, to the database, cache and HTTPS",
        Tier::Database => "Aurora PostgreSQL: from the service and the rotation function only",
        Tier::Cache => "Redis: from the service and the rotation function only",
        Tier::Rotation => "Secret rotation function: to the database, the cache and the AWS APIs",
    }
}

fn tcp(direction: Direction, port: i32, peer: Peer, description: &str) -> Rule {
    Rule {
        direction,
        protocol: "tcp".to_owned(),
        from_port: Some(port),
        to_port: Some(port),
        peer,
        description: Some(description.to_owned()),
    }
}

/// The port a rule opens.
#[derive(Debug, Clone, Copy)]
enum Port {
    Fixed(i32),
    /// The API container's port, which the spec sets.
    Container,
}

/// Whom a rule lets in or out: another tier's group, or any address.
#[derive(Debug, Clone, Copy)]
enum Other {
    Group(Tier),
    Anywhere,
}

/// One TCP rule of a tier's group: direction, port, the other side and its description.
type RuleRow = (Direction, Port, Other, &'static str);

/// Each tier's rules, as a table: one rule a line reads best, so rustfmt leaves it as written.
#[rustfmt::skip]
fn rule_table(tier: Tier) -> &'static [RuleRow] {
    use Direction::{Egress, Ingress};
    use Other::{Anywhere, Group};
    use Port::{Container, Fixed};
    match tier {
        Tier::LoadBalancer => &[
            (Ingress, Fixed(HTTP_PORT), Anywhere, "HTTP from the internet, redirected to HTTPS"),
            (Ingress, Fixed(HTTPS_PORT), Anywhere, "HTTPS from the internet"),
            (Egress, Container, Group(Tier::Service), "To the API containers"),
        ],
        Tier::Service => &[
            (Ingress, Container, Group(Tier::LoadBalancer), "From the load balancer"),
            (Egress, Fixed(HTTPS_PORT), Anywhere, "HTTPS to AWS APIs and the image registry, via NAT"),
            (Egress, Fixed(POSTGRES_PORT), Group(Tier::Database), "To Aurora PostgreSQL"),
            (Egress, Fixed(REDIS_PORT), Group(Tier::Cache), "To Redis"),
        ],
        Tier::Database => &[
            (Ingress, Fixed(POSTGRES_PORT), Group(Tier::Service), "PostgreSQL from the API containers"),
            (Ingress, Fixed(POSTGRES_PORT), Group(Tier::Rotation), "PostgreSQL from the rotation function"),
        ],
        // The AUTH token's rotation logs in with the new token (functions/rotation).
        Tier::Cache => &[
            (Ingress, Fixed(REDIS_PORT), Group(Tier::Service), "Redis from the API containers"),
            (Ingress, Fixed(REDIS_PORT), Group(Tier::Rotation), "Redis from the rotation function"),
        ],
        Tier::Rotation => &[
            (Egress, Fixed(POSTGRES_PORT), Group(Tier::Database), "To Aurora PostgreSQL"),
            (Egress, Fixed(REDIS_PORT), Group(Tier::Cache), "To Redis"),
            (Egress, Fixed(HTTPS_PORT), Anywhere, "HTTPS to the Secrets Manager, ElastiCache and ECS APIs, via NAT"),
        ],
    }
}

/// The rules only `cacheMode: serverless` adds: the reader port, from the API containers alone. The
/// rotation function does not need it: it logs in to a cluster's primary, and a serverless cache's
/// token does not rotate (functions/cache). A cluster keeps exactly [`rule_table`]'s rules.
#[rustfmt::skip]
fn serverless_rule_table(tier: Tier) -> &'static [RuleRow] {
    use Direction::{Egress, Ingress};
    use Other::Group;
    use Port::Fixed;
    match tier {
        Tier::Service => &[
            (Egress, Fixed(READER_PORT), Group(Tier::Cache), "To the serverless cache's reader endpoint"),
        ],
        Tier::Cache => &[
            (Ingress, Fixed(READER_PORT), Group(Tier::Service), "Reader endpoint from the API containers"),
        ],
        Tier::LoadBalancer | Tier::Database | Tier::Rotation => &[],
    }
}

/// The rules one tier's group must have, given every tier's group id, the container's port and
/// the cache's mode.
pub fn desired_rules(
    tier: Tier,
    group: impl Fn(Tier) -> String,
    container_port: i32,
    cache_mode: CacheMode,
) -> Vec<Rule> {
    let row = |&(direction, port, other, description): &RuleRow| {
        let port = match port {
            Port::Fixed(port) => port,
            Port::Container => container_port,
        };
        let peer = match other {
            Other::Group(tier) => Peer::Group(group(tier)),
            Other::Anywhere => Peer::Cidr(ANYWHERE.to_owned()),
        };
        tcp(direction, port, peer, description)
    };
    let serverless = match cache_mode {
        CacheMode::Cluster => &[][..],
        CacheMode::Serverless => serverless_rule_table(tier),
    };
    rule_table(tier).iter().chain(serverless).map(row).collect()
}

/// What to revoke and what to authorize to turn `current` into `desired`.
pub fn plan(current: &[Rule], desired: &[Rule]) -> (Vec<Rule>, Vec<Rule>) {
    let revoke = current
        .iter()
        .filter(|rule| !desired.iter().any(|wanted| wanted.same_traffic(rule)))
        .cloned()
        .collect();
    let authorize = desired
        .iter()
        .filter(|wanted| !current.iter().any(|rule| rule.same_traffic(wanted)))
        .cloned()
        .collect();
    (revoke, authorize)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(tier: Tier) -> String {
        format!("sg-{}", tier.as_str())
    }

    fn all_rules() -> Vec<(Tier, Rule)> {
        Tier::ALL
            .into_iter()
            .flat_map(|tier| {
                desired_rules(tier, id, 3000, CacheMode::Cluster)
                    .into_iter()
                    .map(move |rule| (tier, rule))
            })
            .collect()
    }

    #[test]
    fn only_the_load_balancer_admits_the_internet_and_only_on_80_and_443() {
        let open: Vec<_> = all_rules()
            .into_iter()
            .filter(|(_, rule)| {
                rule.direction == Direction::Ingress && matches!(rule.peer, Peer::Cidr(_))
            })
            .map(|(tier, rule)| (tier, rule.from_port))
            .collect();
        assert_eq!(
            open,
            [
                (Tier::LoadBalancer, Some(80)),
                (Tier::LoadBalancer, Some(443))
            ]
        );
    }

    #[test]
    fn database_and_cache_have_no_egress_and_every_rule_is_described() {
        for (tier, rule) in all_rules() {
            assert!(rule.description.as_deref().is_some_and(|d| !d.is_empty()));
            if matches!(tier, Tier::Database | Tier::Cache) {
                assert_eq!(rule.direction, Direction::Ingress, "{tier:?}");
            }
        }
        for tier in Tier::ALL {
            assert!(!group_description(tier).is_empty());
        }
    }

    #[test]
    fn the_service_reaches_only_https_postgres_and_redis() {
        let egress: Vec<_> = desired_rules(Tier::Service, id, 8080, CacheMode::Cluster)
            .into_iter()
            .filter(|rule| rule.direction == Direction::Egress)
            .map(|rule| (rule.from_port, rule.peer))
            .collect();
        assert_eq!(
            egress,
            [
                (Some(443), Peer::Cidr("0.0.0.0/0".into())),
                (Some(5432), Peer::Group("sg-database".into())),
                (Some(6379), Peer::Group("sg-cache".into())),
            ]
        );
        // The rotation function reaches the cache, to log in with a new AUTH token.
        let cache = desired_rules(Tier::Cache, id, 8080, CacheMode::Cluster);
        assert_eq!(
            cache
                .iter()
                .map(|rule| (rule.from_port, &rule.peer))
                .collect::<Vec<_>>(),
            [
                (Some(6379), &Peer::Group("sg-service".into())),
                (Some(6379), &Peer::Group("sg-rotation".into()))
            ]
        );
        let ingress = &desired_rules(Tier::Service, id, 8080, CacheMode::Cluster)[0];
        assert_eq!(
            (ingress.from_port, &ingress.peer),
            (Some(8080), &Peer::Group("sg-alb".into()))
        );
    }

    #[test]
    fn only_a_serverless_cache_opens_its_reader_port_and_only_to_the_api_containers() {
        let ports = |tier, mode| -> Vec<_> {
            desired_rules(tier, id, 8080, mode)
                .into_iter()
                .map(|rule| (rule.direction, rule.from_port, rule.to_port, rule.peer))
                .collect()
        };
        for tier in Tier::ALL {
            let cluster = ports(tier, CacheMode::Cluster);
            assert!(cluster.iter().all(|(_, from, _, _)| *from != Some(6380)));
            let serverless = ports(tier, CacheMode::Serverless);
            // Everything the cluster has, then the reader's rules.
            assert_eq!(serverless[..cluster.len()], cluster[..], "{tier:?}");
            let added = &serverless[cluster.len()..];
            let expected = match tier {
                Tier::Service => vec![(
                    Direction::Egress,
                    Some(6380),
                    Some(6380),
                    Peer::Group("sg-cache".into()),
                )],
                Tier::Cache => vec![(
                    Direction::Ingress,
                    Some(6380),
                    Some(6380),
                    Peer::Group("sg-service".into()),
                )],
                _ => Vec::new(),
            };
            assert_eq!(added, expected, "{tier:?}");
        }
        // Switching modes plans exactly the reader's rules in, or out.
        let cluster = desired_rules(Tier::Cache, id, 8080, CacheMode::Cluster);
        let serverless = desired_rules(Tier::Cache, id, 8080, CacheMode::Serverless);
        assert_eq!(
            plan(&cluster, &serverless),
            (vec![], serverless[2..].to_vec())
        );
        assert_eq!(
            plan(&serverless, &cluster),
            (serverless[2..].to_vec(), vec![])
        );
    }

    #[test]
    fn a_plan_revokes_the_default_egress_and_adds_only_what_is_missing() {
        let allow_all = Rule {
            direction: Direction::Egress,
            protocol: "-1".into(),
            from_port: None,
            to_port: None,
            peer: Peer::Cidr("0.0.0.0/0".into()),
            description: None,
        };
        let desired = desired_rules(Tier::Rotation, id, 3000, CacheMode::Cluster);
        let mut described_differently = desired[0].clone();
        described_differently.description = Some("older text".into());
        let (revoke, authorize) = plan(&[allow_all.clone(), described_differently], &desired);
        assert_eq!(revoke, [allow_all]);
        assert_eq!(authorize, desired[1..]);
    }
}
