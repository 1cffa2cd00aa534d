//! VPC controls: default security group, flow logs, public IPs, world ingress, descriptions, egress.

use super::{missing, Control};
use crate::facts::{Environment, Rule, SecurityGroup};
use crate::outcome::{Finding, Outcome};

pub(crate) const CONTROLS: [Control; 6] = [
    (
        "EC2.2",
        "fsbp-ec2-2-default-sg-closed",
        default_group_closed,
    ),
    ("EC2.6", "fsbp-ec2-6-flow-logs", flow_logs),
    (
        "EC2.15",
        "fsbp-ec2-15-no-public-ip-on-launch",
        no_public_ip_on_launch,
    ),
    (
        "EC2.18/19",
        "fsbp-ec2-18-19-world-ingress-https-only",
        world_ingress,
    ),
    ("SG-DESC", "ckv-aws-23-sg-descriptions", descriptions),
    ("SG-EGRESS", "trivy-aws-0104-egress-restricted", egress),
];

const NO_VPC: &str = "run the network component's create again";

fn default_group_closed(env: &Environment) -> Outcome {
    let Some(vpc) = &env.network.vpc_id else {
        return missing("VPC", NO_VPC);
    };
    let rules = env.network.default_group_rules;
    Outcome::from_findings(if rules == 0 {
        vec![]
    } else {
        vec![Finding::new(
            format!("default security group of {vpc}"),
            format!("{rules} rule(s) left"),
            "revoke every ingress and egress rule of the VPC's default security group",
        )]
    })
}

fn flow_logs(env: &Environment) -> Outcome {
    let Some(vpc) = &env.network.vpc_id else {
        return missing("VPC", NO_VPC);
    };
    Outcome::from_findings(if env.network.flow_log_groups.is_empty() {
        vec![Finding::new(
            vpc.as_str(),
            "no active flow log",
            "create a flow log of all traffic to the environment's flow-log group",
        )]
    } else {
        vec![]
    })
}

fn no_public_ip_on_launch(env: &Environment) -> Outcome {
    if env.network.subnets.is_empty() {
        return missing("subnets", NO_VPC);
    }
    Outcome::from_findings(
        env.network
            .subnets
            .iter()
            .filter(|subnet| subnet.maps_public_ip)
            .map(|subnet| {
                Finding::new(
                    subnet.id.as_str(),
                    "assigns public IPv4 addresses on launch",
                    "set MapPublicIpOnLaunch to false",
                )
            })
            .collect(),
    )
}

fn port_range(rule: &Rule) -> String {
    match (rule.from_port, rule.to_port) {
        (Some(from), Some(to)) if from == to => format!("port {from}"),
        (Some(from), Some(to)) => format!("ports {from}-{to}"),
        _ => "all ports".to_owned(),
    }
}

fn is_web_port(rule: &Rule) -> bool {
    rule.protocol == "tcp"
        && rule.from_port == rule.to_port
        && matches!(rule.from_port, Some(80 | 443))
}

fn world_ingress(env: &Environment) -> Outcome {
    if env.network.security_groups.is_empty() {
        return missing("security groups", NO_VPC);
    }
    let mut findings = Vec::new();
    for group in &env.network.security_groups {
        for rule in group.ingress.iter().filter(|r| r.open_to_the_world()) {
            let problem = if group.tier != "alb" {
                format!(
                    "0.0.0.0/0 may reach {} of the {} group",
                    port_range(rule),
                    group.tier
                )
            } else if !is_web_port(rule) {
                format!(
                    "0.0.0.0/0 may reach {} of the load balancer",
                    port_range(rule)
                )
            } else {
                continue;
            };
            findings.push(Finding::new(
                group.id.as_str(),
                problem,
                "allow the internet only to ports 80 and 443 of the load balancer's group; reference security groups elsewhere",
            ));
        }
    }
    Outcome::from_findings(findings)
}

fn descriptions(env: &Environment) -> Outcome {
    if env.network.security_groups.is_empty() {
        return missing("security groups", NO_VPC);
    }
    let mut findings = Vec::new();
    for group in &env.network.security_groups {
        let description = group.description.as_deref();
        if description.is_none_or(|d| d.trim().is_empty()) {
            findings.push(Finding::new(
                group.id.as_str(),
                "the group has no description",
                "describe what the group protects",
            ));
        }
        let undescribed = group
            .ingress
            .iter()
            .chain(&group.egress)
            .filter(|rule| {
                rule.description
                    .as_deref()
                    .is_none_or(|d| d.trim().is_empty())
            })
            .count();
        if undescribed > 0 {
            findings.push(Finding::new(
                group.id.as_str(),
                format!("{undescribed} rule(s) without a description"),
                "describe every rule (what talks to what, and why)",
            ));
        }
    }
    Outcome::from_findings(findings)
}

/// The database and cache groups answer but never call out; the service calls out on HTTPS and to the
/// database and cache by security group; the load balancer reaches only groups, never a CIDR.
fn egress_problem(group: &SecurityGroup, rule: &Rule) -> Option<String> {
    let what = format!("{} {}", rule.protocol, port_range(rule));
    match group.tier.as_str() {
        "database" | "cache" => Some(format!("egress {what} from a group that should have none")),
        _ if rule.protocol == "-1" => Some(format!(
            "egress to every protocol and port ({})",
            rule.cidr.as_deref().unwrap_or("a group")
        )),
        "service" if !is_https(rule) => rule
            .cidr
            .as_deref()
            .map(|cidr| format!("egress {what} to {cidr}")),
        "alb" => rule
            .cidr
            .as_deref()
            .map(|cidr| format!("egress {what} to {cidr} instead of the service's group")),
        _ => None,
    }
}

fn is_https(rule: &Rule) -> bool {
    rule.protocol == "tcp" && rule.from_port == Some(443) && rule.to_port == Some(443)
}

fn egress(env: &Environment) -> Outcome {
    if env.network.security_groups.is_empty() {
        return missing("security groups", NO_VPC);
    }
    let findings = env
        .network
        .security_groups
        .iter()
        .flat_map(|group| {
            group.egress.iter().filter_map(move |rule| {
                egress_problem(group, rule).map(|problem| {
                    Finding::new(
                        group.id.as_str(),
                        problem,
                        "replace it with explicit rules: HTTPS out from the service, the database and cache ports to their groups, nothing from the database and cache",
                    )
                })
            })
        })
        .collect();
    Outcome::from_findings(findings)
}

#[cfg(test)]
mod tests {
    use super::super::sample::{compliant, fired};
    use super::*;

    fn rule(protocol: &str, port: Option<i32>, cidr: Option<&str>) -> Rule {
        Rule {
            protocol: protocol.into(),
            from_port: port,
            to_port: port,
            cidr: cidr.map(str::to_owned),
            description: Some("a rule".into()),
        }
    }

    fn group<'a>(env: &'a mut Environment, tier: &str) -> &'a mut SecurityGroup {
        env.network
            .security_groups
            .iter_mut()
            .find(|g| g.tier == tier)
            .unwrap()
    }

    #[test]
    fn a_default_group_with_rules_is_a_finding() {
        let mut env = compliant();
        env.network.default_group_rules = 2;
        assert_eq!(
            fired(&env, "EC2.2"),
            ["default security group of vpc-1: 2 rule(s) left"]
        );
    }

    #[test]
    fn a_vpc_without_flow_logs_is_a_finding() {
        let mut env = compliant();
        env.network.flow_log_groups.clear();
        assert_eq!(fired(&env, "EC2.6"), ["vpc-1: no active flow log"]);
    }

    #[test]
    fn a_subnet_mapping_public_ips_is_a_finding() {
        let mut env = compliant();
        env.network.subnets[0].maps_public_ip = true;
        assert_eq!(
            fired(&env, "EC2.15"),
            ["subnet-public-a: assigns public IPv4 addresses on launch"]
        );
    }

    #[test]
    fn the_world_may_reach_only_80_and_443_of_the_load_balancer() {
        let mut env = compliant();
        group(&mut env, "alb")
            .ingress
            .push(rule("tcp", Some(22), Some("0.0.0.0/0")));
        group(&mut env, "service")
            .ingress
            .push(rule("tcp", Some(3000), Some("0.0.0.0/0")));
        let mut ranged = rule("tcp", Some(0), Some("0.0.0.0/0"));
        ranged.to_port = Some(65535);
        group(&mut env, "alb").ingress.push(ranged);
        assert_eq!(
            fired(&env, "EC2.18/19"),
            [
                "sg-alb: 0.0.0.0/0 may reach port 22 of the load balancer",
                "sg-alb: 0.0.0.0/0 may reach ports 0-65535 of the load balancer",
                "sg-service: 0.0.0.0/0 may reach port 3000 of the service group",
            ]
        );
    }

    #[test]
    fn groups_and_rules_need_descriptions() {
        let mut env = compliant();
        group(&mut env, "cache").description = Some(" ".into());
        group(&mut env, "database").description = None;
        group(&mut env, "alb").ingress[0].description = None;
        assert_eq!(
            fired(&env, "SG-DESC"),
            [
                "sg-alb: 1 rule(s) without a description",
                "sg-database: the group has no description",
                "sg-cache: the group has no description",
            ]
        );
    }

    #[test]
    fn egress_is_explicit_and_absent_from_the_data_tier() {
        let mut env = compliant();
        group(&mut env, "database")
            .egress
            .push(rule("tcp", Some(443), Some("0.0.0.0/0")));
        group(&mut env, "service")
            .egress
            .push(rule("tcp", Some(80), Some("0.0.0.0/0")));
        group(&mut env, "service")
            .egress
            .push(rule("-1", None, Some("0.0.0.0/0")));
        group(&mut env, "alb")
            .egress
            .push(rule("tcp", Some(3000), Some("10.0.0.0/16")));
        group(&mut env, "rotation")
            .egress
            .push(rule("-1", None, None));
        assert_eq!(
            fired(&env, "SG-EGRESS"),
            [
                "sg-alb: egress tcp port 3000 to 10.0.0.0/16 instead of the service's group",
                "sg-service: egress tcp port 80 to 0.0.0.0/0",
                "sg-service: egress to every protocol and port (0.0.0.0/0)",
                "sg-database: egress tcp port 443 from a group that should have none",
                "sg-rotation: egress to every protocol and port (a group)",
            ]
        );
    }

    #[test]
    fn without_a_vpc_every_network_control_reports_it_missing() {
        let env = Environment::default();
        for id in [
            "EC2.2",
            "EC2.6",
            "EC2.15",
            "EC2.18/19",
            "SG-DESC",
            "SG-EGRESS",
        ] {
            assert_eq!(fired(&env, id).len(), 1, "{id}");
        }
    }
}
