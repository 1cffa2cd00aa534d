//! The SDK's ECS answers read into the plain types, and the specs written as ECS's container, load
//! balancer and deployment configuration.

use super::*;

fn task_spec() -> TaskSpec {
    TaskSpec {
        family: "task-api-pr-42".into(),
        execution_role_arn: "arn:aws:iam::123456789012:role/execution".into(),
        task_role_arn: "arn:aws:iam::123456789012:role/task".into(),
        cpu: "512".into(),
        memory: "1024".into(),
        cpu_architecture: "ARM64".into(),
        container_name: "api".into(),
        image: "public.ecr.aws/catalog/api:1".into(),
        port: 8080,
        user: "1000:1000".into(),
        log_group: "/ecs/api-pr-42".into(),
        region: "us-west-2".into(),
        environment: vec![("PORT".into(), "8080".into())],
        secrets: vec![("DB".into(), "arn:aws:secretsmanager:secret:db".into())],
        health_check: vec!["CMD".into(), "node".into()],
        tmp_volume: "tmp".into(),
    }
}

fn service_spec(blue_green: Option<BlueGreen>) -> ServiceSpec {
    ServiceSpec {
        cluster: "ecs-cluster-pr-42".into(),
        name: "ecs-service-pr-42".into(),
        task_definition: "arn:task-definition/task-api-pr-42:1".into(),
        desired_count: 2,
        subnets: vec!["subnet-1".into()],
        security_group: "sg-1".into(),
        target_group_arn: "arn:blue".into(),
        container_name: "api".into(),
        container_port: 8080,
        registry_arn: "arn:registry".into(),
        grace_period_seconds: 60,
        rollback_on_failure: true,
        deployment_percents: (100, 200),
        blue_green,
    }
}

#[test]
fn a_cluster_is_read_with_its_status_and_required_members() {
    let described = ecs::Cluster::builder()
        .cluster_arn("arn:cluster/ecs-cluster-pr-42")
        .status("INACTIVE")
        .build();
    assert_eq!(
        cluster_of(&described).unwrap(),
        Cluster {
            arn: "arn:cluster/ecs-cluster-pr-42".into(),
            status: "INACTIVE".into(),
        }
    );
    let without_status = ecs::Cluster::builder().cluster_arn("arn:cluster/c").build();
    let error = cluster_of(&without_status).unwrap_err();
    assert!(error.to_string().contains("Cluster.status"), "{error}");
    assert!(cluster_of(&ecs::Cluster::builder().build()).is_err());
}

#[test]
fn a_service_is_read_with_its_primary_rollout_strategy_and_green_target_group() {
    let deployment = |status: &str, state| {
        ecs::Deployment::builder()
            .status(status)
            .rollout_state(state)
            .build()
    };
    let advanced = ecs::AdvancedConfiguration::builder()
        .alternate_target_group_arn("arn:green")
        .build();
    let described = ecs::Service::builder()
        .service_arn("arn:service/ecs-service-pr-42")
        .status("ACTIVE")
        .desired_count(3)
        .running_count(1)
        .task_definition("arn:task-definition/task-api-pr-42:2")
        .deployments(deployment("ACTIVE", ecs::DeploymentRolloutState::Completed))
        .deployments(deployment(
            "PRIMARY",
            ecs::DeploymentRolloutState::InProgress,
        ))
        .deployment_configuration(
            ecs::DeploymentConfiguration::builder()
                .strategy(ecs::DeploymentStrategy::BlueGreen)
                .build(),
        )
        .load_balancers(ecs::LoadBalancer::builder().build())
        .load_balancers(
            ecs::LoadBalancer::builder()
                .advanced_configuration(advanced)
                .build(),
        )
        .build();
    assert_eq!(
        service_of(&described).unwrap(),
        EcsService {
            arn: "arn:service/ecs-service-pr-42".into(),
            status: "ACTIVE".into(),
            desired_count: 3,
            running_count: 1,
            task_definition: "arn:task-definition/task-api-pr-42:2".into(),
            rollout: Some("IN_PROGRESS".into()),
            strategy: Some("BLUE_GREEN".into()),
            alternate_target_group: Some("arn:green".into()),
            deployments: vec![Deployment::default(); 2],
        }
    );
    let bare = ecs::Service::builder()
        .service_arn("arn:service/s")
        .status("DRAINING")
        .task_definition("arn:td")
        .build();
    let read = service_of(&bare).unwrap();
    assert_eq!((read.rollout, read.strategy), (None, None));
    assert_eq!(read.alternate_target_group, None);
    assert!(read.deployments.is_empty());
    let without_task = ecs::Service::builder()
        .service_arn("arn:service/s")
        .status("ACTIVE")
        .build();
    let error = service_of(&without_task).unwrap_err();
    assert!(
        error.to_string().contains("Service.taskDefinition"),
        "{error}"
    );
    assert!(service_of(&ecs::Service::builder().status("ACTIVE").build()).is_err());
    assert!(service_of(&ecs::Service::builder().service_arn("a").build()).is_err());
}

#[test]
fn a_deployment_is_read_with_its_creation_in_nanoseconds_or_none() {
    let created = DateTime::from_secs_and_nanos(1_700_000_000, 250_000_000);
    let deployment = ecs::Deployment::builder()
        .status("PRIMARY")
        .created_at(created)
        .build();
    assert_eq!(
        deployment_of(&deployment),
        Deployment {
            created_nanos: Some(1_700_000_000_250_000_000)
        }
    );
    let undated = ecs::Deployment::builder().status("ACTIVE").build();
    assert_eq!(deployment_of(&undated).created_nanos, None);
    let described = ecs::Service::builder()
        .service_arn("arn:service/s")
        .status("ACTIVE")
        .task_definition("arn:td")
        .deployments(deployment)
        .deployments(undated)
        .build();
    let read = service_of(&described).unwrap();
    assert_eq!(
        read.deployments,
        [
            Deployment {
                created_nanos: Some(1_700_000_000_250_000_000)
            },
            Deployment::default()
        ]
    );
}

#[test]
fn a_rolling_service_has_a_plain_load_balancer_and_a_rolling_configuration() {
    let spec = service_spec(None);
    let balancer = load_balancer(&spec);
    assert_eq!(balancer.target_group_arn(), Some("arn:blue"));
    assert_eq!(balancer.container_name(), Some("api"));
    assert_eq!(balancer.container_port(), Some(8080));
    assert!(balancer.advanced_configuration().is_none());
    let configuration = deployment_configuration(&spec);
    let breaker = configuration.deployment_circuit_breaker().unwrap();
    assert!(breaker.enable() && breaker.rollback());
    assert_eq!(configuration.minimum_healthy_percent(), Some(100));
    assert_eq!(configuration.maximum_percent(), Some(200));
    assert_eq!(
        configuration.strategy(),
        Some(&ecs::DeploymentStrategy::Rolling)
    );
    assert_eq!(configuration.bake_time_in_minutes(), None);
}

#[test]
fn a_blue_green_service_names_its_green_group_rules_role_and_bake_time() {
    let spec = service_spec(Some(BlueGreen {
        alternate_target_group_arn: "arn:green".into(),
        production_listener_rule: "arn:rule/production".into(),
        test_listener_rule: "arn:rule/test".into(),
        role_arn: "arn:role/infrastructure".into(),
        bake_time_minutes: 5,
    }));
    let balancer = load_balancer(&spec);
    let advanced = balancer.advanced_configuration().unwrap();
    assert_eq!(advanced.alternate_target_group_arn(), Some("arn:green"));
    assert_eq!(
        advanced.production_listener_rule(),
        Some("arn:rule/production")
    );
    assert_eq!(advanced.test_listener_rule(), Some("arn:rule/test"));
    assert_eq!(advanced.role_arn(), Some("arn:role/infrastructure"));
    let configuration = deployment_configuration(&spec);
    assert_eq!(
        configuration.strategy(),
        Some(&ecs::DeploymentStrategy::BlueGreen)
    );
    assert_eq!(configuration.bake_time_in_minutes(), Some(5));
}

#[test]
fn the_container_logs_without_blocking_runs_read_only_and_probes_its_health() {
    let container = container(&task_spec());
    assert_eq!(container.name(), Some("api"));
    assert_eq!(container.user(), Some("1000:1000"));
    assert_eq!(container.readonly_root_filesystem(), Some(true));
    let log = container.log_configuration().unwrap();
    assert_eq!(log.log_driver(), &ecs::LogDriver::Awslogs);
    let options = log.options().unwrap();
    assert_eq!(options["mode"], "non-blocking");
    assert_eq!(options["max-buffer-size"], "25m");
    assert_eq!(options["awslogs-group"], "/ecs/api-pr-42");
    assert_eq!(options["awslogs-stream-prefix"], "api");
    assert_eq!(
        container.secrets()[0].value_from(),
        "arn:aws:secretsmanager:secret:db"
    );
    assert_eq!(container.environment()[0].name(), Some("PORT"));
    assert_eq!(container.health_check().unwrap().command(), ["CMD", "node"]);
    assert_eq!(container.mount_points()[0].container_path(), Some("/tmp"));
}

#[test]
fn a_revision_is_known_by_its_family_fingerprint_and_registered_arn() {
    let arn = "arn:aws:ecs:us-west-2:123456789012:task-definition/task-api-pr-1:7";
    assert_eq!(family_of(arn), "task-api-pr-1");
    assert_eq!(family_of(""), "");
    let tags = [
        ecs::Tag::builder().key("Team").value("catalog").build(),
        ecs::Tag::builder()
            .key(FINGERPRINT_TAG)
            .value("0123456789abcdef")
            .build(),
    ];
    assert_eq!(fingerprint_of(&tags).as_deref(), Some("0123456789abcdef"));
    assert_eq!(fingerprint_of(&tags[..1]), None);
    let answer = ecs::TaskDefinition::builder()
        .task_definition_arn(arn)
        .build();
    assert_eq!(
        registered(Some(&answer)).unwrap(),
        TaskDefinition {
            arn: arn.into(),
            fingerprint: None,
        }
    );
    let error = registered(None).unwrap_err();
    assert!(error.to_string().contains("taskDefinition"), "{error}");
    assert!(registered(Some(&ecs::TaskDefinition::builder().build())).is_err());
}

#[test]
fn tags_are_written_as_ecs_tags_and_refusals_read_from_the_failures() {
    let written = ecs_tags(&[Tag {
        key: "Team",
        value: "catalog".into(),
    }]);
    assert_eq!(written[0].key(), Some("Team"));
    assert_eq!(written[0].value(), Some("catalog"));
    let failures = [
        ecs::Failure::builder()
            .arn("arn:td:1")
            .reason("The specified task definition is still in use.")
            .build(),
        ecs::Failure::builder().arn("arn:td:2").build(),
    ];
    assert_eq!(
        refusals(&failures),
        ["The specified task definition is still in use."]
    );
}
