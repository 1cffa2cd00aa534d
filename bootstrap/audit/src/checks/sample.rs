//! A compliant environment as the audit would read it, for the tests to break one property at a time.

use crate::facts::*;
use env_core::naming::Names;
use env_core::secret_policy::EnvironmentSecret;
use env_core::spec::EnvironmentSuffix;
use serde_json::json;

pub const KEY: &str = "arn:aws:kms:us-west-2:123456789012:key/k-1";
pub const ZONES: [&str; 3] = ["us-west-2a", "us-west-2b", "us-west-2c"];

fn rule(protocol: &str, port: i32, cidr: Option<&str>, description: &str) -> Rule {
    Rule {
        protocol: protocol.into(),
        from_port: Some(port),
        to_port: Some(port),
        cidr: cidr.map(str::to_owned),
        description: Some(description.into()),
    }
}

fn group(tier: &str, ingress: Vec<Rule>, egress: Vec<Rule>) -> SecurityGroup {
    SecurityGroup {
        id: format!("sg-{tier}"),
        tier: tier.into(),
        description: Some(format!("{tier} of pr-42")),
        ingress,
        egress,
    }
}

fn network() -> Network {
    let mut subnets = Vec::new();
    let mut nat_gateways = Vec::new();
    for (index, zone) in ZONES.iter().enumerate() {
        let letter = &zone[zone.len() - 1..];
        nat_gateways.push(NatGateway {
            id: format!("nat-{letter}"),
            subnet_id: format!("subnet-public-{letter}"),
            zone: (*zone).into(),
        });
        subnets.push(Subnet {
            id: format!("subnet-public-{letter}"),
            zone: (*zone).into(),
            public: true,
            maps_public_ip: false,
            default_route: Some("igw-1".into()),
        });
        subnets.push(Subnet {
            id: format!("subnet-private-{letter}"),
            zone: (*zone).into(),
            public: false,
            maps_public_ip: false,
            default_route: Some(nat_gateways[index].id.clone()),
        });
    }
    Network {
        vpc_id: Some("vpc-1".into()),
        default_group_rules: 0,
        flow_log_groups: vec!["vpc-flow-logs-pr-42".into()],
        subnets,
        security_groups: vec![
            group(
                "alb",
                vec![
                    rule("tcp", 443, Some("0.0.0.0/0"), "HTTPS from the internet"),
                    rule("tcp", 80, Some("0.0.0.0/0"), "HTTP, redirected to HTTPS"),
                ],
                vec![rule("tcp", 3000, None, "to the service")],
            ),
            group(
                "service",
                vec![rule("tcp", 3000, None, "from the load balancer")],
                vec![
                    rule(
                        "tcp",
                        443,
                        Some("0.0.0.0/0"),
                        "HTTPS to AWS APIs and the registry",
                    ),
                    rule("tcp", 5432, None, "to Aurora"),
                    rule("tcp", 6379, None, "to Redis"),
                ],
            ),
            group(
                "database",
                vec![rule("tcp", 5432, None, "from the service")],
                vec![],
            ),
            group(
                "cache",
                vec![rule("tcp", 6379, None, "from the service")],
                vec![],
            ),
            group(
                "rotation",
                vec![],
                vec![
                    rule("tcp", 5432, None, "to Aurora"),
                    rule("tcp", 443, Some("0.0.0.0/0"), "to Secrets Manager"),
                ],
            ),
        ],
        nat_gateways,
    }
}

fn service() -> Service {
    Service {
        cluster_container_insights: true,
        assign_public_ip: false,
        subnet_ids: ZONES
            .iter()
            .map(|z| format!("subnet-private-{}", &z[z.len() - 1..]))
            .collect(),
        platform_version: Some("LATEST".into()),
        circuit_breaker: true,
        circuit_breaker_rollback: true,
        network_mode: Some("awsvpc".into()),
        pid_mode: None,
        execution_role_arn: Some("arn:aws:iam::123456789012:role/role-ecs-execution-pr-42".into()),
        task_role_arn: Some("arn:aws:iam::123456789012:role/role-ecs-task-pr-42".into()),
        containers: vec![Container {
            name: "api".into(),
            privileged: false,
            read_only_root: true,
            environment: vec![
                (
                    "DB_SECRET_ARN".into(),
                    "arn:aws:secretsmanager:us-west-2:123456789012:secret:secret-db-app-pr-42"
                        .into(),
                ),
                ("DB_POOL_SIZE".into(), "10".into()),
            ],
            secrets: vec!["API_KEYS".into()],
            log_driver: Some("awslogs".into()),
            user: Some("1000:1000".into()),
            health_check: true,
        }],
    }
}

fn load_balancer() -> LoadBalancer {
    let target_group = |name: &str| TargetGroup {
        name: name.into(),
        target_type: "ip".into(),
        health_check_enabled: true,
        health_check_path: Some("/health".into()),
        matcher: Some("200".into()),
        healthy_threshold: Some(2),
        unhealthy_threshold: Some(3),
    };
    LoadBalancer {
        arn: "arn:aws:elasticloadbalancing:us-west-2:123456789012:loadbalancer/app/alb-pr-42/1"
            .into(),
        zones: ZONES.iter().map(|z| (*z).to_owned()).collect(),
        drop_invalid_headers: true,
        access_logs: true,
        deletion_protection: true,
        desync_mode: Some("defensive".into()),
        listeners: vec![
            Listener {
                port: 443,
                protocol: "HTTPS".into(),
                ssl_policy: Some("ELBSecurityPolicy-TLS13-1-2-2021-06".into()),
                default_action: "forward".into(),
            },
            Listener {
                port: 80,
                protocol: "HTTP".into(),
                ssl_policy: None,
                default_action: "redirect:HTTPS:443:HTTP_301".into(),
            },
        ],
        target_groups: vec![
            target_group("tg-blue-pr-42"),
            target_group("tg-green-pr-42"),
        ],
    }
}

fn database() -> Database {
    let instance = |id: &str, zone: &str, writer: bool| DbInstance {
        id: id.into(),
        zone: Some(zone.into()),
        writer,
        publicly_accessible: false,
        auto_minor_upgrade: true,
        performance_insights: true,
        performance_insights_kms: true,
    };
    Database {
        cluster_id: "aurora-pr-42".into(),
        storage_encrypted: true,
        kms_key_id: Some(KEY.into()),
        deletion_protection: true,
        iam_auth: true,
        backup_retention_days: 7,
        auto_minor_upgrade: true,
        copy_tags_to_snapshot: true,
        log_exports: vec!["postgresql".into()],
        master_username: "catalog_admin".into(),
        manages_master_password: true,
        force_ssl: Some("1".into()),
        instances: vec![
            instance("aurora-writer-pr-42", ZONES[0], true),
            instance("aurora-reader-pr-42", ZONES[1], false),
        ],
    }
}

fn cache() -> Cache {
    Cache {
        group_id: "redis-pr-42".into(),
        snapshot_retention_days: 1,
        auto_minor_upgrade: true,
        automatic_failover: true,
        multi_az: true,
        at_rest_encryption: true,
        kms_key_id: Some(KEY.into()),
        transit_encryption: true,
        transit_mode: Some("required".into()),
        auth_token: true,
        subnet_group: Some("redis-subnets-pr-42".into()),
        shards: vec![
            vec![ZONES[0].into(), ZONES[1].into()],
            vec![ZONES[1].into(), ZONES[2].into()],
        ],
    }
}

fn secret(name: &str, kind: Option<EnvironmentSecret>) -> Secret {
    Secret {
        name: name.into(),
        kms_key_id: Some(KEY.into()),
        rotation_enabled: true,
        rotation_days: Some(30),
        kind,
        resource_policy: kind.map(|kind| {
            let suffix = EnvironmentSuffix::parse("pr-42").unwrap();
            kind.policy(Names::new(&suffix), "123456789012")
        }),
    }
}

pub fn compliant() -> Environment {
    Environment {
        suffix: "pr-42".into(),
        force_destroy: false,
        health_check_path: "/health".into(),
        image_repository: None,
        network: network(),
        service: Some(service()),
        load_balancer: Some(load_balancer()),
        database: Some(database()),
        cache: Some(cache()),
        secrets: vec![
            secret("rds!cluster-1", None),
            secret(
                "secret-db-app-pr-42",
                Some(EnvironmentSecret::DatabaseCredentials),
            ),
            secret(
                "secret-redis-auth-pr-42",
                Some(EnvironmentSecret::CacheAuthToken),
            ),
            secret("secret-api-keys-pr-42", Some(EnvironmentSecret::ApiKeys)),
        ],
        key: Some(Key {
            arn: KEY.into(),
            rotation_enabled: true,
            policy: json!({"Statement": [
                {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "kms:*", "Resource": "*"},
                {"Effect": "Allow", "Principal": {"Service": "logs.us-west-2.amazonaws.com"}, "Action": ["kms:Encrypt*", "kms:Decrypt*"], "Resource": "*",
                 "Condition": {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:us-west-2:123456789012:*"}}}
            ]}),
        }),
        roles: vec![Role {
            name: "role-ecs-task-pr-42".into(),
            documents: vec![json!({"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": ["secretsmanager:GetSecretValue"], "Resource": "arn:aws:secretsmanager:us-west-2:123456789012:secret:secret-db-app-pr-42-*"},
                {"Effect": "Allow", "Action": "cloudwatch:PutMetricData", "Resource": "*",
                 "Condition": {"StringEquals": {"cloudwatch:namespace": "catalog-api-pr-42"}}}
            ]})],
        }],
        log_groups: vec![
            LogGroup {
                name: "ecs-logs-pr-42".into(),
                retention_days: Some(14),
                kms_key_id: Some(KEY.into()),
            },
            LogGroup {
                name: "vpc-flow-logs-pr-42".into(),
                retention_days: Some(30),
                kms_key_id: Some(KEY.into()),
            },
        ],
        certificates: vec![Certificate {
            arn: "arn:aws:acm:us-west-2:123456789012:certificate/c-1".into(),
            key_algorithm: "RSA_2048".into(),
        }],
        alarms: vec![Alarm {
            name: "alarm-ecs-cpu-pr-42".into(),
            actions_enabled: true,
            alarm_actions: 1,
        }],
        repository: None,
    }
}

/// The findings of one control, as "resource: problem" lines.
pub fn fired(env: &Environment, id: &str) -> Vec<String> {
    let checks = super::run(env);
    let check = checks
        .iter()
        .find(|c| c.id == id)
        .expect("a control with that id");
    check
        .outcome
        .findings()
        .iter()
        .map(|f| format!("{}: {}", f.resource, f.problem))
        .collect()
}
