//! Load balancer controls: listeners, attributes, zones, target group health checks.

use super::{missing, Control};
use crate::facts::{Environment, LoadBalancer, TargetGroup};
use crate::outcome::{Finding, Outcome};
use std::collections::BTreeSet;

pub(crate) const CONTROLS: [Control; 9] = [
    (
        "ELB.1",
        "fsbp-elb-1-http-redirects-to-https",
        http_redirects,
    ),
    (
        "ELB.4",
        "fsbp-elb-4-drop-invalid-headers",
        drop_invalid_headers,
    ),
    ("ELB.5", "fsbp-elb-5-access-logs", access_logs),
    (
        "ELB.6",
        "fsbp-elb-6-deletion-protection",
        deletion_protection,
    ),
    ("ELB.12", "fsbp-elb-12-desync-mitigation", desync_mitigation),
    ("ELB.13", "fsbp-elb-13-multi-az", multi_az),
    ("ELB.17", "fsbp-elb-17-tls13-policy", tls13_policy),
    ("ELB.18", "fsbp-elb-18-https-listeners", https_listeners),
    (
        "CKV_AWS_261",
        "ckv-aws-261-target-health-checks",
        target_health_checks,
    ),
];

/// The TLS 1.3 security policies (ELB user guide, "Security policies for your Application Load
/// Balancer"): TLS 1.2 and 1.3 only, forward-secret ciphers; `Ext` variants add weaker ciphers.
pub const TLS13_POLICIES: [&str; 6] = [
    "ELBSecurityPolicy-TLS13-1-2-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
    "ELBSecurityPolicy-TLS13-1-3-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
];

const REDIRECT: &str = "redirect:HTTPS:443:HTTP_301";
const LB: &str = "load balancer";

fn with_lb(env: &Environment, judge: impl Fn(&LoadBalancer) -> Vec<Finding>) -> Outcome {
    match &env.load_balancer {
        Some(lb) => Outcome::from_findings(judge(lb)),
        None => missing(LB, "run the edge component's create again"),
    }
}

fn attribute(on: bool, problem: &str, fix: &str) -> Vec<Finding> {
    if on {
        vec![]
    } else {
        vec![Finding::new(LB, problem, fix)]
    }
}

fn http_redirects(env: &Environment) -> Outcome {
    with_lb(env, |lb| {
        let http: Vec<_> = lb
            .listeners
            .iter()
            .filter(|l| l.protocol == "HTTP")
            .collect();
        if http.is_empty() {
            return vec![Finding::new(
                LB,
                "no HTTP listener redirects to HTTPS",
                "add a port-80 listener that redirects to HTTPS with 301",
            )];
        }
        http.iter()
            .filter(|l| l.default_action != REDIRECT)
            .map(|l| {
                Finding::new(
                    format!("listener :{}", l.port),
                    format!("default action {:?}", l.default_action),
                    "redirect to HTTPS port 443 with HTTP_301",
                )
            })
            .collect()
    })
}

fn drop_invalid_headers(env: &Environment) -> Outcome {
    with_lb(env, |lb| {
        attribute(
            lb.drop_invalid_headers,
            "keeps invalid header fields",
            "set routing.http.drop_invalid_header_fields.enabled",
        )
    })
}

fn access_logs(env: &Environment) -> Outcome {
    with_lb(env, |lb| {
        attribute(
            lb.access_logs,
            "access logs are off",
            "set access_logs.s3.enabled to the environment's log bucket",
        )
    })
}

fn deletion_protection(env: &Environment) -> Outcome {
    if env.force_destroy {
        return Outcome::waived(
            "forceDestroy: true",
            "a throwaway environment the teardown must be able to remove without manual steps",
        );
    }
    with_lb(env, |lb| {
        attribute(
            lb.deletion_protection,
            "deletion protection is off",
            "set deletion_protection.enabled (the spec's deletionProtection)",
        )
    })
}

fn desync_mitigation(env: &Environment) -> Outcome {
    with_lb(env, |lb| match lb.desync_mode.as_deref() {
        Some("defensive" | "strictest") => vec![],
        other => vec![Finding::new(
            LB,
            format!("desync mitigation mode {:?}", other.unwrap_or("unset")),
            "set routing.http.desync_mitigation_mode to defensive or strictest",
        )],
    })
}

fn multi_az(env: &Environment) -> Outcome {
    with_lb(env, |lb| {
        let mut findings = Vec::new();
        let zones: BTreeSet<&str> = lb.zones.iter().map(String::as_str).collect();
        if zones.len() < 2 {
            findings.push(Finding::new(
                LB,
                format!("spans {} AZ(s)", zones.len()),
                "attach public subnets in at least 2 AZs",
            ));
        }
        let service_zones: BTreeSet<&str> = env
            .service
            .iter()
            .flat_map(|s| &s.subnet_ids)
            .filter_map(|id| env.network.subnets.iter().find(|s| &s.id == id))
            .map(|s| s.zone.as_str())
            .collect();
        if service_zones.len() < 2 {
            findings.push(Finding::new(
                "ECS service",
                format!("its targets run in {} AZ(s)", service_zones.len()),
                "run the service in private subnets of at least 2 AZs",
            ));
        }
        findings
    })
}

fn tls13_policy(env: &Environment) -> Outcome {
    with_lb(env, |lb| {
        let https: Vec<_> = lb
            .listeners
            .iter()
            .filter(|l| l.protocol == "HTTPS")
            .collect();
        if https.is_empty() {
            return vec![Finding::new(
                LB,
                "no HTTPS listener",
                "add an HTTPS listener on 443",
            )];
        }
        https
            .iter()
            .filter(|l| {
                !l.ssl_policy
                    .as_deref()
                    .is_some_and(|p| TLS13_POLICIES.contains(&p))
            })
            .map(|l| {
                Finding::new(
                    format!("listener :{}", l.port),
                    format!(
                        "security policy {:?}",
                        l.ssl_policy.as_deref().unwrap_or("unset")
                    ),
                    "use ELBSecurityPolicy-TLS13-1-2-2021-06 or a stricter TLS 1.3 policy",
                )
            })
            .collect()
    })
}

fn https_listeners(env: &Environment) -> Outcome {
    let Some(lb) = &env.load_balancer else {
        return missing(LB, "run the edge component's create again");
    };
    let plain: Vec<_> = lb
        .listeners
        .iter()
        .filter(|l| l.protocol != "HTTPS")
        .collect();
    let not_redirecting: Vec<Finding> = plain
        .iter()
        .filter(|l| l.default_action != REDIRECT)
        .map(|l| {
            Finding::new(
                format!("listener :{}", l.port),
                format!("serves {} without TLS", l.protocol),
                "serve HTTPS, or only redirect to it",
            )
        })
        .collect();
    if plain.is_empty() || !not_redirecting.is_empty() {
        return Outcome::from_findings(not_redirecting);
    }
    Outcome::waived(
        "the port-80 listener",
        "it only redirects to HTTPS with 301 (ELB.1), so no request is served in plain text",
    )
}

/// The target type of a group whose targets are Lambda functions: no health check is wanted there,
/// since each check would invoke the function (ELB user guide, "Lambda functions as targets":
/// health checks are disabled by default for them). The edge's `tg-wake-<suffix>` is one.
const LAMBDA_TARGETS: &str = "lambda";

fn target_health_checks(env: &Environment) -> Outcome {
    with_lb(env, |lb| {
        lb.target_groups
            .iter()
            .filter(|tg| tg.target_type != LAMBDA_TARGETS)
            .filter_map(|tg| {
                health_check_problem(tg, &env.health_check_path).map(|problem| {
                    Finding::new(
                        format!("target group {}", tg.name),
                        problem,
                        &format!(
                            "turn the health check on with the path {}, a matcher and healthy/unhealthy thresholds",
                            env.health_check_path
                        ),
                    )
                })
            })
            .collect()
    })
}

/// What is wrong with a target group's health check, if anything. A check on another path than the
/// spec's would call a task healthy that the application does not consider ready.
fn health_check_problem(tg: &TargetGroup, wanted_path: &str) -> Option<String> {
    if !tg.health_check_enabled {
        return Some("its health check is off".into());
    }
    let complete =
        tg.matcher.is_some() && tg.healthy_threshold.is_some() && tg.unhealthy_threshold.is_some();
    match tg.health_check_path.as_deref() {
        Some(path) if complete && path != wanted_path => Some(format!(
            "its health check asks {path}, not the spec's {wanted_path}"
        )),
        Some(_) if complete => None,
        _ => Some("its health check lacks a path, matcher or thresholds".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::super::sample::{compliant, fired};
    use super::*;

    fn lb(env: &mut Environment) -> &mut LoadBalancer {
        env.load_balancer.as_mut().unwrap()
    }

    #[test]
    fn attributes_each_fire_their_control() {
        let mut env = compliant();
        lb(&mut env).drop_invalid_headers = false;
        lb(&mut env).access_logs = false;
        lb(&mut env).deletion_protection = false;
        lb(&mut env).desync_mode = Some("monitor".into());
        assert_eq!(
            fired(&env, "ELB.4"),
            ["load balancer: keeps invalid header fields"]
        );
        assert_eq!(fired(&env, "ELB.5"), ["load balancer: access logs are off"]);
        assert_eq!(
            fired(&env, "ELB.6"),
            ["load balancer: deletion protection is off"]
        );
        assert_eq!(
            fired(&env, "ELB.12"),
            ["load balancer: desync mitigation mode \"monitor\""]
        );
        lb(&mut env).desync_mode = None;
        assert_eq!(
            fired(&env, "ELB.12"),
            ["load balancer: desync mitigation mode \"unset\""]
        );
    }

    #[test]
    fn force_destroy_waives_deletion_protection() {
        let mut env = compliant();
        env.force_destroy = true;
        lb(&mut env).deletion_protection = false;
        let checks = super::super::run(&env);
        let check = checks.iter().find(|c| c.id == "ELB.6").unwrap();
        assert_eq!(check.outcome.label(), "waived");
    }

    #[test]
    fn listeners_redirect_and_use_tls13() {
        let mut env = compliant();
        lb(&mut env).listeners[1].default_action = "forward".into();
        lb(&mut env).listeners[0].ssl_policy = Some("ELBSecurityPolicy-2016-08".into());
        assert_eq!(
            fired(&env, "ELB.1"),
            ["listener :80: default action \"forward\""]
        );
        assert_eq!(
            fired(&env, "ELB.17"),
            ["listener :443: security policy \"ELBSecurityPolicy-2016-08\""]
        );
        assert_eq!(
            fired(&env, "ELB.18"),
            ["listener :80: serves HTTP without TLS"]
        );
        lb(&mut env).listeners.clear();
        assert_eq!(
            fired(&env, "ELB.1"),
            ["load balancer: no HTTP listener redirects to HTTPS"]
        );
        assert_eq!(fired(&env, "ELB.17"), ["load balancer: no HTTPS listener"]);
        // No plain listener at all: nothing to waive, nothing wrong.
        let checks = super::super::run(&env);
        assert_eq!(
            checks.iter().find(|c| c.id == "ELB.18").unwrap().outcome,
            Outcome::Pass
        );
    }

    #[test]
    fn the_redirecting_port_80_listener_is_waived_for_elb18() {
        let checks = super::super::run(&compliant());
        let check = checks.iter().find(|c| c.id == "ELB.18").unwrap();
        assert_eq!(check.outcome.label(), "waived");
    }

    #[test]
    fn one_zone_is_not_enough() {
        let mut env = compliant();
        lb(&mut env).zones.truncate(1);
        env.service.as_mut().unwrap().subnet_ids.truncate(1);
        assert_eq!(
            fired(&env, "ELB.13"),
            [
                "load balancer: spans 1 AZ(s)",
                "ECS service: its targets run in 1 AZ(s)"
            ]
        );
    }

    #[test]
    fn target_groups_need_complete_health_checks() {
        let mut env = compliant();
        lb(&mut env).target_groups[1].matcher = None;
        assert_eq!(
            fired(&env, "CKV_AWS_261"),
            ["target group tg-green-pr-42: its health check lacks a path, matcher or thresholds"]
        );
        let mut env = compliant();
        lb(&mut env).target_groups[0].health_check_path = None;
        lb(&mut env).target_groups[1].unhealthy_threshold = None;
        assert_eq!(
            fired(&env, "CKV_AWS_261"),
            [
                "target group tg-blue-pr-42: its health check lacks a path, matcher or thresholds",
                "target group tg-green-pr-42: its health check lacks a path, matcher or thresholds"
            ]
        );
    }

    #[test]
    fn target_groups_must_probe_the_spec_path_with_checks_on() {
        let mut env = compliant();
        lb(&mut env).target_groups[0].health_check_path = Some("/".into());
        lb(&mut env).target_groups[1].health_check_enabled = false;
        assert_eq!(
            fired(&env, "CKV_AWS_261"),
            [
                "target group tg-blue-pr-42: its health check asks /, not the spec's /health",
                "target group tg-green-pr-42: its health check is off"
            ]
        );
        env.health_check_path = "/".into();
        lb(&mut env).target_groups[1].health_check_enabled = true;
        assert_eq!(
            fired(&env, "CKV_AWS_261"),
            ["target group tg-green-pr-42: its health check asks /health, not the spec's /"]
        );
    }

    #[test]
    fn a_lambda_target_group_is_not_asked_for_a_health_check() {
        let mut env = compliant();
        let mut wake = lb(&mut env).target_groups[0].clone();
        wake.name = "tg-wake-pr-42".into();
        wake.target_type = "lambda".into();
        wake.health_check_enabled = false;
        wake.health_check_path = None;
        lb(&mut env).target_groups.push(wake.clone());
        assert!(fired(&env, "CKV_AWS_261").is_empty());
        // The same group with IP targets would be.
        lb(&mut env).target_groups[2].target_type = "ip".into();
        assert_eq!(
            fired(&env, "CKV_AWS_261"),
            ["target group tg-wake-pr-42: its health check is off"]
        );
    }
}
