//! `create` against the fake: the log groups, roles, cluster, task definition, discovery and
//! service with its autoscaling it makes, what a repeated or changed create does, when it answers
//! READY, and how it resumes after a failure at any step.

use super::{change_service, inputs, request, run, spec, steady_status};
use crate::fake::Fake;
use crate::handler::handle;
use crate::inputs::Inputs;
use crate::roles::{EXECUTION_POLICY, TASK_POLICY};
use crate::settings::tests::settings;
use crate::task::{fingerprint, task_spec};
use env_core::naming::Names;
use env_core::outputs::example;
use env_core::outputs::ServiceOutputs;
use env_core::{ErrorName, NamedError, Status};
use log_groups::fake::StoredLogGroup;
use serde_json::{json, Value};

#[tokio::test]
async fn create_from_nothing_builds_the_whole_service_and_its_autoscaling() {
    let fake = Fake::default();
    let response = run(&fake, "create").await.unwrap();
    assert_eq!(response.status, Status::Ready);
    let outputs = &response.outputs;
    let typed: ServiceOutputs = example::read_as(outputs);
    assert_eq!(typed.deployment_strategy, "rolling");
    assert_eq!(outputs["clusterName"], "ecs-cluster-pr-42");
    assert_eq!(outputs["serviceName"], "ecs-service-pr-42");
    assert_eq!(outputs["serviceLogGroup"], "ecs-logs-pr-42");
    assert_eq!(outputs["serviceDiscoveryName"], "api.catalog-pr-42.local");
    assert_eq!(
        outputs["executionRoleArn"],
        "arn:aws:iam::123456789012:role/role-ecs-execution-pr-42"
    );
    assert_eq!(
        outputs["taskRoleArn"],
        "arn:aws:iam::123456789012:role/role-ecs-task-pr-42"
    );
    assert_ne!(outputs["executionRoleArn"], outputs["taskRoleArn"]);

    let world = fake.ecs.world();
    let map = fake.cloud_map.world();
    let groups = fake.logs.groups();
    let roles = fake.roles.roles();
    // Container Insights' group too, made before the cluster with the key and 14 days.
    let insights = &groups["/aws/ecs/containerinsights/ecs-cluster-pr-42/performance"];
    assert_eq!(insights.retention_days, Some(14));
    assert_eq!(
        insights.kms_key_arn.as_deref(),
        Some("arn:aws:kms:us-west-2:123456789012:key/k")
    );
    let group = &groups["ecs-logs-pr-42"];
    assert_eq!(group.retention_days, Some(14));
    assert_eq!(
        group.kms_key_arn.as_deref(),
        Some("arn:aws:kms:us-west-2:123456789012:key/k")
    );
    let changes = fake.recorder.lock().changes.clone();
    let last = |operation: &str| changes.iter().rposition(|change| *change == operation);
    assert!(
        last("CreateLogGroup").unwrap() < last("CreateCluster").unwrap(),
        "{changes:?}"
    );
    for role in roles.values() {
        assert_eq!(role.description, "A role of the catalog API's ECS service");
    }
    assert_eq!(world.clusters["ecs-cluster-pr-42"].status, "ACTIVE");
    let tasks = world.active_task_definitions();
    assert_eq!(tasks.len(), 1);
    let task = tasks[0];
    assert_eq!(outputs["taskDefinitionArn"], world.task_definitions[0].0);
    assert_eq!((task.cpu.as_str(), task.memory.as_str()), ("512", "1024"));
    assert_eq!(task.cpu_architecture, "X86_64");
    assert_eq!(outputs["deploymentStrategy"], "rolling");
    assert_eq!(task.port, 3000);
    assert_eq!(task.user, "1000:1000");
    assert_eq!(task.log_group, "ecs-logs-pr-42");
    assert!(task.health_check[3].contains("http://127.0.0.1:3000/health"));
    let secrets: Vec<&str> = task.secrets.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(secrets, ["DB_USERNAME", "DB_PASSWORD", "REDIS_AUTH_TOKEN"]);
    assert_eq!(
        task.secrets[2].1,
        "arn:aws:secretsmanager:us-west-2:123456789012:secret:redis:authToken::"
    );
    // The API reads its keys at run time through the task role; ECS injects only the
    // credentials at start through the execution role.
    let reads = |role: &str, policy: &str| -> Value {
        let document: Value = serde_json::from_str(&roles[role].policies[policy]).unwrap();
        let statements = document["Statement"].as_array().unwrap().clone();
        let read = statements
            .into_iter()
            .find(|statement| statement["Sid"] == "ReadTheEnvironmentsSecrets")
            .unwrap();
        read["Resource"].clone()
    };
    let (db, redis, keys) = (
        "arn:aws:secretsmanager:us-west-2:123456789012:secret:db",
        "arn:aws:secretsmanager:us-west-2:123456789012:secret:redis",
        "arn:aws:secretsmanager:us-west-2:123456789012:secret:api-keys",
    );
    assert_eq!(
        reads("role-ecs-task-pr-42", TASK_POLICY),
        json!([db, redis, keys])
    );
    assert_eq!(
        reads("role-ecs-execution-pr-42", EXECUTION_POLICY),
        json!([db, redis])
    );
    // Where the API reads its keys from, by the secret's ARN.
    assert!(task
        .environment
        .contains(&("API_KEYS_SECRET_ARN".to_owned(), keys.to_owned())));
    // No secret reaches `environment`: no credential-looking name, and the one pointer to a
    // secret is an ARN, never a value.
    for (name, value) in &task.environment {
        assert!(
            !name.contains("PASSWORD") && !name.contains("TOKEN"),
            "{name}"
        );
        assert!(!value.contains("secretsmanager") || value == keys, "{name}");
    }

    let (wanted, service) = &world.services["ecs-service-pr-42"];
    assert_eq!(wanted.desired_count, 2);
    assert_eq!(wanted.subnets, ["subnet-a", "subnet-b", "subnet-c"]);
    assert_eq!(wanted.security_group, "sg-service");
    assert_eq!(wanted.target_group_arn, "arn:tg/blue");
    assert_eq!(
        (wanted.container_name.as_str(), wanted.container_port),
        ("api", 3000)
    );
    assert_eq!(wanted.registry_arn, map.discovery[0].1.arn);
    assert!(wanted.rollback_on_failure);
    assert_eq!(wanted.deployment_percents, (100, 200));
    assert_eq!(wanted.grace_period_seconds, 60);
    // Rolling: no blue/green settings, no infrastructure role.
    assert_eq!(wanted.blue_green, None);
    assert!(!roles.contains_key("role-ecs-infra-pr-42"));
    assert_eq!(service.strategy.as_deref(), Some("ROLLING"));
    assert_eq!(service.task_definition, world.task_definitions[0].0);
    assert_eq!(map.namespaces[0].0.name, "catalog-pr-42.local");
    assert_eq!(map.namespaces[0].1, "vpc-1");
    assert_eq!(map.discovery[0].1.name, "api");

    let resource = "service/ecs-cluster-pr-42/ecs-service-pr-42";
    let scaling = fake.world();
    assert_eq!(scaling.targets[resource], (2, 10));
    assert_eq!(
        scaling.policies[&(resource.to_owned(), "cpu-target-tracking".to_owned())],
        (70.0, (60, 300))
    );
}

#[tokio::test]
async fn a_repeated_create_changes_nothing_and_keeps_the_autoscalers_count() {
    let fake = Fake::default();
    run(&fake, "create").await.unwrap();
    // The autoscaler moved the service to 6 tasks.
    change_service(&fake, |service| service.desired_count = 6);
    let before = fake.recorder.lock().changes.len();
    let response = run(&fake, "create").await.unwrap();
    assert_eq!(response.status, Status::Ready);
    let recorder = fake.recorder.lock();
    let created: Vec<&str> = recorder.changes[before..]
        .iter()
        .copied()
        .filter(|op| {
            op.starts_with("Create")
                || (op.starts_with("Register") && *op != "RegisterScalableTarget")
        })
        .collect();
    assert!(created.is_empty(), "{created:?}");
    assert_eq!(recorder.count("RegisterTaskDefinition"), 1);
    assert_eq!(recorder.count("UpdateServiceTaskDefinition"), 0);
    // The roles' policies read back unchanged: not put again, no IAM change to wait out.
    assert_eq!(recorder.count("PutRolePolicy"), 2);
    assert_eq!(
        fake.ecs.world().services["ecs-service-pr-42"]
            .1
            .desired_count,
        6
    );
}

#[tokio::test]
async fn a_changed_spec_registers_a_new_revision_and_rolls_the_service_onto_it() {
    let fake = Fake::default();
    run(&fake, "create").await.unwrap();
    let mut changed = spec();
    changed["containerImage"] = json!("public.ecr.aws/acme/catalog-api:2");
    let response = handle(
        &fake,
        &settings(Some("accepted")),
        request("create", changed, inputs()),
    )
    .await
    .unwrap();
    // The new deployment has to roll out first.
    assert_eq!(response.status, Status::InProgress);
    let world = fake.ecs.world();
    assert_eq!(fake.recorder.lock().count("RegisterTaskDefinition"), 2);
    let service = &world.services["ecs-service-pr-42"].1;
    assert_eq!(service.task_definition, world.task_definitions[1].0);
    assert_eq!(
        response.outputs["taskDefinitionArn"],
        world.task_definitions[1].0
    );
    assert_eq!(fake.recorder.lock().count("CreateService"), 1);
}

#[tokio::test]
async fn steady_readiness_waits_for_the_running_count_and_the_rollout() {
    let fake = Fake::default();
    assert_eq!(
        handle(
            &fake,
            &settings(Some("steady")),
            request("create", spec(), inputs())
        )
        .await
        .unwrap()
        .status,
        Status::InProgress
    );
    change_service(&fake, |service| service.running_count = 2);
    // Running, but the rollout is not complete yet.
    assert_eq!(steady_status(&fake).await, Status::InProgress);
    change_service(&fake, |service| service.rollout = Some("COMPLETED".into()));
    assert_eq!(steady_status(&fake).await, Status::Ready);
}

#[tokio::test]
async fn a_failed_rollout_is_a_component_failure() {
    let fake = Fake::default();
    run(&fake, "create").await.unwrap();
    change_service(&fake, |service| service.rollout = Some("FAILED".into()));
    let error = run(&fake, "create").await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::ComponentFailed);
    assert!(error.to_string().contains("ecs-service-pr-42"), "{error}");
}

#[tokio::test]
async fn a_create_interrupted_at_each_step_resumes_without_duplicates() {
    let steps = [
        "CreateLogGroup",
        "PutRetentionPolicy",
        "CreateRole",
        "PutRolePolicy",
        "CreateCluster",
        "RegisterTaskDefinition",
        "CreatePrivateDnsNamespace",
        "CreateDiscoveryService",
        "CreateService",
        "RegisterScalableTarget",
        "PutScalingPolicy",
    ];
    // (step, calls of it that succeed first): the second role's creation and policy too.
    let cases = steps
        .map(|step| (step, 0))
        .into_iter()
        .chain([("CreateRole", 1), ("PutRolePolicy", 1)]);
    for (step, after) in cases {
        let fake = Fake::default();
        fake.recorder
            .lock()
            .fail_after(step, "ThrottlingException", after);
        let error = run(&fake, "create").await.unwrap_err();
        assert_eq!(error.error_name(), ErrorName::Retryable, "{step}");
        assert!(error.to_string().contains(step), "{error}");
        let response = run(&fake, "create").await.unwrap();
        assert_eq!(response.status, Status::Ready, "{step}");
        assert_eq!(fake.roles.roles().len(), 2, "{step}");
        assert_eq!(
            fake.ecs.world().active_task_definitions().len(),
            1,
            "{step}"
        );
        let map = fake.cloud_map.world();
        assert_eq!(map.namespaces.len(), 1, "{step}");
        assert_eq!(map.discovery.len(), 1, "{step}");
        assert_eq!(fake.recorder.lock().count("CreateService"), 1, "{step}");
    }
}

#[tokio::test]
async fn a_group_ecs_made_without_the_key_gets_the_environments_key() {
    let fake = Fake::default();
    let insights = "/aws/ecs/containerinsights/ecs-cluster-pr-42/performance";
    fake.logs.groups().insert(
        insights.to_owned(),
        StoredLogGroup {
            kms_key_arn: None,
            retention_days: Some(1),
            tags: Vec::new(),
        },
    );
    run(&fake, "create").await.unwrap();
    assert_eq!(fake.recorder.lock().count("AssociateKmsKey"), 1);
    let groups = fake.logs.groups();
    let group = &groups[insights];
    assert_eq!(group.retention_days, Some(14));
    assert_eq!(
        group.kms_key_arn.as_deref(),
        Some("arn:aws:kms:us-west-2:123456789012:key/k")
    );
}

#[tokio::test]
async fn throttled_lookups_are_retryable() {
    for lookup in [
        "DescribeLogGroups",
        "GetRole",
        "GetRolePolicy",
        "DescribeClusters",
        "DescribeTaskDefinition",
        "ListNamespaces",
        "ListServices",
        "DescribeServices",
    ] {
        let fake = Fake::default();
        fake.recorder.lock().fail(lookup, "ThrottlingException");
        let error = run(&fake, "create").await.unwrap_err();
        assert_eq!(error.error_name(), ErrorName::Retryable, "{lookup}");
    }
    let fake = Fake::default();
    fake.recorder
        .lock()
        .fail("CreateService", "AccessDeniedException");
    let error = run(&fake, "create").await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::AwsRejected);
}

#[tokio::test]
async fn a_namespace_that_cloud_map_is_still_creating_makes_create_wait() {
    let fake = Fake::default();
    fake.cloud_map.world().slow_namespace = true;
    let response = run(&fake, "create").await.unwrap();
    assert_eq!(response.status, Status::InProgress);
    assert_eq!(response.outputs["clusterName"], "ecs-cluster-pr-42");
    assert!(fake.ecs.world().services.is_empty());
    let response = run(&fake, "create").await.unwrap();
    assert_eq!(response.status, Status::Ready);
    let recorder = fake.recorder.lock();
    assert_eq!(recorder.count("CreatePrivateDnsNamespace"), 1);
    assert_eq!(recorder.count("CreateService"), 1);
}

#[tokio::test]
async fn the_task_runs_on_the_architecture_the_spec_names() {
    let fake = Fake::default();
    let mut spec = spec();
    spec["cpuArchitecture"] = json!("arm64");
    spec["taskCpu"] = json!(1024);
    spec["taskMemory"] = json!(3072);
    handle(
        &fake,
        &settings(Some("accepted")),
        request("create", spec, inputs()),
    )
    .await
    .unwrap();
    let world = fake.ecs.world();
    let task = world.active_task_definitions()[0];
    assert_eq!(task.cpu_architecture, "ARM64");
    assert_eq!((task.cpu.as_str(), task.memory.as_str()), ("1024", "3072"));
}

#[test]
fn the_fingerprint_follows_the_definition() {
    let spec = request("create", spec(), json!({})).spec;
    let inputs = Inputs::from_outputs(inputs().as_object().unwrap(), spec.fields()).unwrap();
    let names = Names::new(spec.suffix());
    let one = task_spec(&spec, names, &inputs, "arn:e", "arn:t");
    let mut two = one.clone();
    assert_eq!(fingerprint(&one), fingerprint(&two));
    assert_eq!(fingerprint(&one).len(), 16);
    two.image.push('x');
    assert_ne!(fingerprint(&one), fingerprint(&two));
}
