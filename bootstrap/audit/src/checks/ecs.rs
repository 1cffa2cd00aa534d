//! ECS controls: the service's network placement, the task definition's containers, the cluster.

use super::{missing, Control};
use crate::facts::{Container, Environment, Service};
use crate::outcome::{Finding, Outcome};

pub(crate) const CONTROLS: [Control; 12] = [
    ("ECS.2", "fsbp-ecs-2-no-public-ip", no_public_ip),
    (
        "ECS.3 / ECS.17",
        "fsbp-ecs-3-17-no-host-namespaces",
        no_host_namespaces,
    ),
    ("ECS.4", "fsbp-ecs-4-not-privileged", not_privileged),
    ("ECS.5", "fsbp-ecs-5-readonly-root", read_only_root),
    (
        "ECS.8",
        "fsbp-ecs-8-no-secrets-in-environment",
        no_secrets_in_environment,
    ),
    ("ECS.9", "fsbp-ecs-9-logging", logging),
    ("ECS.10", "fsbp-ecs-10-latest-platform", latest_platform),
    (
        "ECS.12",
        "fsbp-ecs-12-container-insights",
        container_insights,
    ),
    ("ECS.20", "fsbp-ecs-20-non-root-user", non_root),
    ("CKV_AWS_249", "ckv-aws-249-separate-roles", separate_roles),
    ("KICS", "kics-container-health-check", health_check),
    ("CB", "ecs-circuit-breaker-rollback", circuit_breaker),
];

const NO_SERVICE: &str = "run the service component's create again";

/// Judges the service, or reports it missing.
fn with_service(env: &Environment, judge: impl Fn(&Service) -> Vec<Finding>) -> Outcome {
    match &env.service {
        Some(service) => Outcome::from_findings(judge(service)),
        None => missing("ECS service", NO_SERVICE),
    }
}

/// Judges every container of the task definition.
fn per_container(
    env: &Environment,
    problem: impl Fn(&Container) -> Option<String>,
    fix: &'static str,
) -> Outcome {
    with_service(env, |service| {
        service
            .containers
            .iter()
            .filter_map(|c| {
                problem(c).map(|p| Finding::new(format!("container {}", c.name), p, fix))
            })
            .collect()
    })
}

fn no_public_ip(env: &Environment) -> Outcome {
    with_service(env, |service| {
        let mut findings = Vec::new();
        if service.assign_public_ip {
            findings.push(Finding::new(
                "ECS service",
                "assigns public IPs to its tasks",
                "set assignPublicIp to DISABLED",
            ));
        }
        for id in &service.subnet_ids {
            let public = env.network.subnets.iter().any(|s| &s.id == id && s.public);
            if public {
                findings.push(Finding::new(
                    "ECS service",
                    format!("runs tasks in the public subnet {id}"),
                    "run the service in the private subnets",
                ));
            }
        }
        findings
    })
}

fn no_host_namespaces(env: &Environment) -> Outcome {
    with_service(env, |service| {
        let mut findings = Vec::new();
        if service.network_mode.as_deref() != Some("awsvpc") {
            findings.push(Finding::new(
                "task definition",
                format!(
                    "network mode {:?}",
                    service.network_mode.as_deref().unwrap_or("bridge")
                ),
                "use networkMode awsvpc (Fargate's only mode)",
            ));
        }
        if service.pid_mode.as_deref() == Some("host") {
            findings.push(Finding::new(
                "task definition",
                "shares the host's process namespace",
                "remove pidMode host",
            ));
        }
        findings
    })
}

fn not_privileged(env: &Environment) -> Outcome {
    per_container(
        env,
        |c| c.privileged.then(|| "runs privileged".to_owned()),
        "remove privileged",
    )
}

fn read_only_root(env: &Environment) -> Outcome {
    per_container(
        env,
        |c| (!c.read_only_root).then(|| "has a writable root filesystem".to_owned()),
        "set readonlyRootFilesystem and mount a volume for /tmp",
    )
}

/// Names that say the variable holds a credential; a value that is an ARN only points at one.
fn looks_secret(name: &str, value: &str) -> bool {
    let name = name.to_ascii_uppercase();
    let secret_name = [
        "PASSWORD",
        "SECRET",
        "TOKEN",
        "API_KEY",
        "APIKEY",
        "PRIVATE_KEY",
        "CREDENTIAL",
    ]
    .iter()
    .any(|word| name.contains(word));
    secret_name && !value.starts_with("arn:")
}

fn no_secrets_in_environment(env: &Environment) -> Outcome {
    per_container(
        env,
        |c| {
            let names: Vec<&str> = c
                .environment
                .iter()
                .filter(|(name, value)| looks_secret(name, value))
                .map(|(name, _)| name.as_str())
                .collect();
            (!names.is_empty()).then(|| {
                format!(
                    "plain environment variables look secret: {}",
                    names.join(", ")
                )
            })
        },
        "pass secrets through `secrets` (Secrets Manager ARNs) or let the task role read them",
    )
}

fn logging(env: &Environment) -> Outcome {
    per_container(
        env,
        |c| match c.log_driver.as_deref() {
            Some("awslogs") => None,
            other => Some(format!("log driver {:?}", other.unwrap_or("none"))),
        },
        "log with the awslogs driver to the service's log group",
    )
}

fn latest_platform(env: &Environment) -> Outcome {
    with_service(env, |service| match service.platform_version.as_deref() {
        Some("LATEST") => vec![],
        other => vec![Finding::new(
            "ECS service",
            format!("platform version {:?}", other.unwrap_or("unset")),
            "set platformVersion LATEST",
        )],
    })
}

fn container_insights(env: &Environment) -> Outcome {
    with_service(env, |service| {
        if service.cluster_container_insights {
            vec![]
        } else {
            vec![Finding::new(
                "ECS cluster",
                "Container Insights is off",
                "set the cluster setting containerInsights to enabled",
            )]
        }
    })
}

/// A user is root when it is absent, `root`, or uid 0 (with or without a group).
fn runs_as_root(user: Option<&str>) -> bool {
    let name = user.map(|u| u.split_once(':').map_or(u, |(name, _group)| name));
    matches!(name, None | Some("" | "0" | "root"))
}

fn non_root(env: &Environment) -> Outcome {
    per_container(
        env,
        |c| {
            runs_as_root(c.user.as_deref()).then(|| {
                format!(
                    "runs as {:?}",
                    c.user.as_deref().unwrap_or("root (no user set)")
                )
            })
        },
        "set user to a non-zero uid, such as 1000:1000",
    )
}

fn separate_roles(env: &Environment) -> Outcome {
    with_service(env, |service| {
        match (&service.execution_role_arn, &service.task_role_arn) {
            (Some(execution), Some(task)) if execution != task => vec![],
            (Some(_), Some(_)) => vec![Finding::new(
                "task definition",
                "the execution role is also the task role",
                "give the application its own task role",
            )],
            _ => vec![Finding::new(
                "task definition",
                "an execution role or a task role is missing",
                "set both executionRoleArn and taskRoleArn",
            )],
        }
    })
}

fn health_check(env: &Environment) -> Outcome {
    per_container(
        env,
        |c| (!c.health_check).then(|| "has no health check".to_owned()),
        "define a container healthCheck",
    )
}

fn circuit_breaker(env: &Environment) -> Outcome {
    with_service(env, |service| {
        if service.circuit_breaker && service.circuit_breaker_rollback {
            vec![]
        } else {
            vec![Finding::new(
                "ECS service",
                "the deployment circuit breaker or its rollback is off",
                "enable deploymentCircuitBreaker with rollback",
            )]
        }
    })
}

#[cfg(test)]
mod tests {
    use super::super::sample::{compliant, fired};
    use super::*;

    fn service(env: &mut Environment) -> &mut Service {
        env.service.as_mut().unwrap()
    }

    fn container(env: &mut Environment) -> &mut Container {
        &mut service(env).containers[0]
    }

    #[test]
    fn public_ips_and_public_subnets_are_findings() {
        let mut env = compliant();
        service(&mut env).assign_public_ip = true;
        service(&mut env).subnet_ids.push("subnet-public-a".into());
        assert_eq!(
            fired(&env, "ECS.2"),
            [
                "ECS service: assigns public IPs to its tasks",
                "ECS service: runs tasks in the public subnet subnet-public-a",
            ]
        );
    }

    #[test]
    fn host_namespaces_are_findings() {
        let mut env = compliant();
        service(&mut env).network_mode = Some("host".into());
        service(&mut env).pid_mode = Some("host".into());
        assert_eq!(
            fired(&env, "ECS.3 / ECS.17"),
            [
                "task definition: network mode \"host\"",
                "task definition: shares the host's process namespace",
            ]
        );
        service(&mut env).network_mode = None;
        assert_eq!(
            fired(&env, "ECS.3 / ECS.17")[0],
            "task definition: network mode \"bridge\""
        );
    }

    #[test]
    fn container_settings_each_fire_their_control() {
        let mut env = compliant();
        let c = container(&mut env);
        c.privileged = true;
        c.read_only_root = false;
        c.log_driver = None;
        c.health_check = false;
        c.user = Some("0:0".into());
        c.environment.push(("DB_PASSWORD".into(), "hunter2".into()));
        c.environment
            .push(("API_KEY_ARN".into(), "arn:aws:secretsmanager:…".into()));
        assert_eq!(fired(&env, "ECS.4"), ["container api: runs privileged"]);
        assert_eq!(
            fired(&env, "ECS.5"),
            ["container api: has a writable root filesystem"]
        );
        assert_eq!(fired(&env, "ECS.9"), ["container api: log driver \"none\""]);
        assert_eq!(fired(&env, "KICS"), ["container api: has no health check"]);
        assert_eq!(fired(&env, "ECS.20"), ["container api: runs as \"0:0\""]);
        assert_eq!(
            fired(&env, "ECS.8"),
            ["container api: plain environment variables look secret: DB_PASSWORD"]
        );
        container(&mut env).user = None;
        assert_eq!(
            fired(&env, "ECS.20"),
            ["container api: runs as \"root (no user set)\""]
        );
        container(&mut env).log_driver = Some("splunk".into());
        assert_eq!(
            fired(&env, "ECS.9"),
            ["container api: log driver \"splunk\""]
        );
    }

    #[test]
    fn root_is_absent_empty_zero_or_root() {
        for user in [None, Some(""), Some("0"), Some("root"), Some("root:staff")] {
            assert!(runs_as_root(user), "{user:?}");
        }
        for user in ["1000", "1000:1000", "node"] {
            assert!(!runs_as_root(Some(user)), "{user}");
        }
    }

    #[test]
    fn service_settings_each_fire_their_control() {
        let mut env = compliant();
        service(&mut env).platform_version = Some("1.3.0".into());
        service(&mut env).cluster_container_insights = false;
        service(&mut env).circuit_breaker_rollback = false;
        service(&mut env).task_role_arn = service(&mut env).execution_role_arn.clone();
        assert_eq!(
            fired(&env, "ECS.10"),
            ["ECS service: platform version \"1.3.0\""]
        );
        assert_eq!(
            fired(&env, "ECS.12"),
            ["ECS cluster: Container Insights is off"]
        );
        assert_eq!(
            fired(&env, "CB"),
            ["ECS service: the deployment circuit breaker or its rollback is off"]
        );
        assert_eq!(
            fired(&env, "CKV_AWS_249"),
            ["task definition: the execution role is also the task role"]
        );
        service(&mut env).task_role_arn = None;
        service(&mut env).platform_version = None;
        assert_eq!(
            fired(&env, "CKV_AWS_249"),
            ["task definition: an execution role or a task role is missing"]
        );
        assert_eq!(
            fired(&env, "ECS.10"),
            ["ECS service: platform version \"unset\""]
        );
    }
}
