//! The service function end to end against the fake: what each action makes, keeps and removes.

use super::*;
use crate::api::{BlueGreen, EcsService};
use crate::deployment::deploys_blue_green;
use crate::fake::Fake;
use crate::inputs::Inputs;
use crate::policy::tests::assert_least_privilege;
use crate::roles::{EXECUTION_POLICY, INFRASTRUCTURE_POLICY, TASK_POLICY};
use crate::settings::tests::settings;
use crate::task::{fingerprint, task_spec};
use env_core::contract::Request;
use env_core::naming::Names;
use env_core::outputs::example::{self, handed_on};
use env_core::outputs::{CacheOutputs, DatabaseOutputs, EdgeOutputs, NetworkOutputs};
use env_core::outputs::{ListenerRuleArns, SecurityGroupIds, ServiceOutputs, TargetGroupArns};
use env_core::settings::FunctionSettings;
use env_core::spec::DeploymentStrategy;
use env_core::Status;
use log_groups::fake::StoredLogGroup;
use serde_json::{json, Value};

// `status` reads only: its own tests, with these helpers.
#[path = "status_tests.rs"]
mod status_tests;

fn spec() -> Value {
    json!({
        "environmentSuffix": "pr-42",
        "containerImage": "public.ecr.aws/acme/catalog-api:1",
        "selfSignedCertificate": true
    })
}

/// The earlier components' outputs, with the values the assertions below name.
fn inputs_with(edge: EdgeOutputs) -> Value {
    let secret =
        |name: &str| format!("arn:aws:secretsmanager:us-west-2:123456789012:secret:{name}");
    let network = example::network();
    let network = NetworkOutputs {
        security_group_ids: SecurityGroupIds {
            service: "sg-service".into(),
            ..network.security_group_ids
        },
        kms_key_arn: "arn:aws:kms:us-west-2:123456789012:key/k".into(),
        ..network
    };
    let database = DatabaseOutputs {
        db_app_secret_arn: secret("db"),
        api_keys_secret_arn: secret("api-keys"),
        // None unless a test gives it: `rds-db:connect` on any cluster of the environment.
        db_cluster_resource_id: String::new(),
        ..example::database()
    };
    let cache = CacheOutputs {
        cache_auth_secret_arn: secret("redis"),
        cache_configuration_endpoint: "redis-pr-42.x.clustercfg.usw2.cache.amazonaws.com:6379"
            .into(),
        ..example::cache()
    };
    let mut outputs = handed_on(network);
    outputs.extend(handed_on(database));
    outputs.extend(handed_on(cache));
    outputs.extend(handed_on(edge));
    Value::Object(outputs)
}

fn edge() -> EdgeOutputs {
    EdgeOutputs {
        target_group_arns: TargetGroupArns {
            blue: "arn:tg/blue".into(),
            green: "arn:tg/green".into(),
        },
        listener_rule_arns: ListenerRuleArns {
            production: "arn:rule/production".into(),
            test: "arn:rule/test".into(),
        },
        ..example::edge()
    }
}

fn inputs() -> Value {
    inputs_with(edge())
}

fn request(action: &str, spec: Value, outputs: Value) -> Request {
    use env_core::contract::Event;
    Request::from_event(json!({"action": action, "spec": spec, "outputs": outputs})).unwrap()
}

async fn run(fake: &Fake, action: &str) -> Result<Response, ServiceError> {
    handle(
        fake,
        &settings(Some("accepted")),
        request(action, spec(), inputs()),
    )
    .await
}

/// `delete` until DELETED, at most 5 calls.
async fn delete_all(fake: &Fake) -> usize {
    let mut calls = 0;
    loop {
        calls += 1;
        assert!(calls <= 5, "not deleted after 5 calls");
        if run(fake, "delete").await.unwrap().status == Status::Deleted {
            return calls;
        }
    }
}

/// `times` delete calls, each answering IN_PROGRESS.
async fn deletes_in_progress(fake: &Fake, times: usize) {
    for _ in 0..times {
        assert_eq!(
            run(fake, "delete").await.unwrap().status,
            Status::InProgress
        );
    }
}

async fn steady_status(fake: &Fake) -> Status {
    let steady = settings(None);
    let response = handle(fake, &steady, request("status", spec(), inputs()));
    response.await.unwrap().status
}

fn document(fake: &Fake, role: &str, policy: &str) -> Value {
    serde_json::from_str(&fake.roles.roles()[role].policies[policy]).unwrap()
}

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

    let world = fake.world();
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
    assert_eq!(wanted.registry_arn, world.discovery[0].1.arn);
    assert!(wanted.rollback_on_failure);
    assert_eq!(wanted.deployment_percents, (100, 200));
    assert_eq!(wanted.grace_period_seconds, 60);
    // Rolling: no blue/green settings, no infrastructure role.
    assert_eq!(wanted.blue_green, None);
    assert!(!roles.contains_key("role-ecs-infra-pr-42"));
    assert_eq!(service.strategy.as_deref(), Some("ROLLING"));
    assert_eq!(service.task_definition, world.task_definitions[0].0);
    assert_eq!(world.namespaces[0].0.name, "catalog-pr-42.local");
    assert_eq!(world.namespaces[0].1, "vpc-1");
    assert_eq!(world.discovery[0].1.name, "api");

    let resource = "service/ecs-cluster-pr-42/ecs-service-pr-42";
    assert_eq!(world.targets[resource], (2, 10));
    assert_eq!(
        world.policies[&(resource.to_owned(), "cpu-target-tracking".to_owned())],
        (70.0, (60, 300))
    );
}

#[tokio::test]
async fn both_roles_get_least_privilege_documents() {
    let fake = Fake::default();
    run(&fake, "create").await.unwrap();
    let execution = document(&fake, "role-ecs-execution-pr-42", EXECUTION_POLICY);
    let task = document(&fake, "role-ecs-task-pr-42", TASK_POLICY);
    assert_least_privilege(&execution);
    assert_least_privilege(&task);
    assert_ne!(execution, task);
    let trust = &fake.roles.roles()["role-ecs-task-pr-42"].trust_policy;
    let trust: Value = serde_json::from_str(trust).unwrap();
    assert_eq!(
        trust["Statement"][0]["Principal"]["Service"],
        "ecs-tasks.amazonaws.com"
    );
    assert_eq!(
        task["Statement"][2]["Resource"],
        "arn:aws:rds-db:us-west-2:123456789012:dbuser:*/catalog_app"
    );
    assert_eq!(
        task["Statement"][3]["Resource"],
        serde_json::json!([
            "arn:aws:elasticache:us-west-2:123456789012:replicationgroup:redis-pr-42",
            "arn:aws:elasticache:us-west-2:123456789012:user:redis-pr-42-app"
        ])
    );
    assert_eq!(
        task["Statement"][4]["Condition"]["StringEquals"]["cloudwatch:namespace"],
        "catalog-api-pr-42"
    );
}

#[tokio::test]
async fn a_cluster_resource_id_narrows_rds_db_connect_to_that_cluster() {
    let fake = Fake::default();
    let mut outputs = inputs();
    outputs["database"]["dbClusterResourceId"] = json!("cluster-ABCDEF");
    handle(&fake, &settings(None), request("create", spec(), outputs))
        .await
        .unwrap();
    let task = document(&fake, "role-ecs-task-pr-42", TASK_POLICY);
    assert_eq!(
        task["Statement"][2]["Resource"],
        "arn:aws:rds-db:us-west-2:123456789012:dbuser:cluster-ABCDEF/catalog_app"
    );
}

#[tokio::test]
async fn a_repeated_create_changes_nothing_and_keeps_the_autoscalers_count() {
    let fake = Fake::default();
    run(&fake, "create").await.unwrap();
    // The autoscaler moved the service to 6 tasks.
    fake.world()
        .services
        .get_mut("ecs-service-pr-42")
        .unwrap()
        .1
        .desired_count = 6;
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
        fake.world().services["ecs-service-pr-42"].1.desired_count,
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
    let world = fake.world();
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
    fake.world()
        .services
        .get_mut("ecs-service-pr-42")
        .unwrap()
        .1
        .running_count = 2;
    // Running, but the rollout is not complete yet.
    assert_eq!(steady_status(&fake).await, Status::InProgress);
    fake.world()
        .services
        .get_mut("ecs-service-pr-42")
        .unwrap()
        .1
        .rollout = Some("COMPLETED".into());
    assert_eq!(steady_status(&fake).await, Status::Ready);
}

#[tokio::test]
async fn a_failed_rollout_is_a_component_failure() {
    let fake = Fake::default();
    run(&fake, "create").await.unwrap();
    fake.world()
        .services
        .get_mut("ecs-service-pr-42")
        .unwrap()
        .1
        .rollout = Some("FAILED".into());
    let error = run(&fake, "create").await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::ComponentFailed);
    assert!(error.to_string().contains("ecs-service-pr-42"), "{error}");
}

#[tokio::test]
async fn an_unknown_readiness_setting_is_misconfigured_before_any_call() {
    let fake = Fake::default();
    let error = handle(
        &fake,
        &settings(Some("soon")),
        request("create", spec(), inputs()),
    )
    .await
    .unwrap_err();
    assert_eq!(error.error_name(), ErrorName::Misconfigured);
    assert!(error.to_string().contains("SERVICE_READY_WHEN"), "{error}");
    assert!(fake.recorder.lock().changes.is_empty());
}

#[tokio::test]
async fn wrong_settings_fail_create_and_status_before_any_call_and_delete_still_works() {
    let fake = Fake::default();
    run(&fake, "create").await.unwrap();
    let calls = fake.recorder.lock().calls.len();
    let no_boundary = Settings::from_lookup(&|_| None);
    for wrong in [settings(Some("soon")), no_boundary.clone()] {
        let expected = wrong.clone().unwrap_err().to_string();
        for action in ["create", "status"] {
            let error = handle(&fake, &wrong, request(action, spec(), inputs()))
                .await
                .unwrap_err();
            assert_eq!(error.error_name(), ErrorName::Misconfigured, "{action}");
            assert_eq!(error.to_string(), expected, "{action}");
        }
    }
    assert_eq!(fake.recorder.lock().calls.len(), calls, "a call was made");
    // A teardown needs no setting.
    for _ in 0..5 {
        let delete = request("delete", spec(), json!({}));
        if handle(&fake, &no_boundary, delete).await.unwrap().status == Status::Deleted {
            break;
        }
    }
    assert!(fake.is_empty());
}

#[tokio::test]
async fn a_missing_output_is_an_invalid_event_naming_the_key_before_any_call() {
    let mut cases: Vec<(Value, String)> = Vec::new();
    for component in ["network", "database", "cache", "edge"] {
        let mut outputs = inputs();
        outputs.as_object_mut().unwrap().remove(component);
        cases.push((outputs, format!("outputs.{component}: are missing")));
    }
    for (component, field, value) in [
        ("network", "vpcId", json!("")),
        ("network", "privateSubnetIds", json!([])),
        ("network", "kmsKeyArn", json!("")),
        ("database", "dbAppSecretArn", json!("")),
        ("database", "dbWriterEndpoint", json!("")),
        ("database", "apiKeysSecretArn", json!("")),
        ("cache", "cacheAuthSecretArn", json!("")),
        ("cache", "cacheConfigurationEndpoint", json!("")),
    ] {
        let mut outputs = inputs();
        outputs[component][field] = value;
        cases.push((outputs, format!("outputs.{component}: {field} ")));
    }
    let mut outputs = inputs();
    outputs["network"]["securityGroupIds"]["service"] = json!("");
    cases.push((outputs, "securityGroupIds.service is empty".into()));
    let mut outputs = inputs();
    outputs["edge"]["targetGroupArns"]["blue"] = json!("");
    cases.push((
        outputs,
        "outputs.edge: targetGroupArns.blue is empty".into(),
    ));
    let mut outputs = inputs();
    outputs["database"]["dbAppSecretArn"] = json!(7);
    cases.push((
        outputs,
        "outputs.database: are malformed: invalid type".into(),
    ));
    for (outputs, named) in cases {
        let fake = Fake::default();
        let error = handle(&fake, &settings(None), request("create", spec(), outputs))
            .await
            .unwrap_err();
        assert_eq!(error.error_name(), ErrorName::InvalidEvent, "{named}");
        assert!(error.to_string().contains(&named), "{named}: {error}");
        assert!(fake.recorder.lock().changes.is_empty());
    }
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
        let world = fake.world();
        assert_eq!(world.active_task_definitions().len(), 1, "{step}");
        assert_eq!(world.namespaces.len(), 1, "{step}");
        assert_eq!(world.discovery.len(), 1, "{step}");
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
    fake.world().slow_namespace = true;
    let response = run(&fake, "create").await.unwrap();
    assert_eq!(response.status, Status::InProgress);
    assert_eq!(response.outputs["clusterName"], "ecs-cluster-pr-42");
    assert!(fake.world().services.is_empty());
    let response = run(&fake, "create").await.unwrap();
    assert_eq!(response.status, Status::Ready);
    let recorder = fake.recorder.lock();
    assert_eq!(recorder.count("CreatePrivateDnsNamespace"), 1);
    assert_eq!(recorder.count("CreateService"), 1);
}

#[tokio::test]
async fn delete_removes_everything_and_reports_deleted_only_when_nothing_is_left() {
    let fake = Fake::default();
    run(&fake, "create").await.unwrap();
    // 1: autoscaling and the service; 2: the rest, once ECS reports the service gone; 3:
    // Container Insights' group, once a call finds the cluster gone; 4: nothing found.
    assert_eq!(delete_all(&fake).await, 4);
    assert!(fake.is_empty(), "{fake:?}");
    let recorder = fake.recorder.lock();
    assert_eq!(recorder.count("ScaleService"), 1);
    assert_eq!(recorder.count("DeleteService"), 1);
    assert_eq!(recorder.count("DeleteRolePolicy"), 2);
    assert_eq!(recorder.count("DeleteRole"), 2);
    assert_eq!(recorder.count("DeleteCluster"), 1);
    assert_eq!(recorder.count("DeleteTaskDefinitions"), 1);
    assert_eq!(recorder.count("DeleteLogGroup"), 2);
}

/// A pull request deployed many times leaves a revision per deploy: all deleted, ten a call.
#[tokio::test]
async fn every_revision_of_the_family_is_deleted_ten_at_a_time_and_no_other_family() {
    let fake = Fake::default();
    run(&fake, "create").await.unwrap();
    {
        let mut world = fake.world();
        let (_, spec, role, _) = world.task_definitions[0].clone();
        for revision in 2..=12 {
            world.task_definitions.push((
                format!(
                    "arn:aws:ecs:us-west-2:123456789012:task-definition/{}:{revision}",
                    spec.family
                ),
                spec.clone(),
                role.clone(),
                revision % 2 == 0,
            ));
        }
        let mut other = spec.clone();
        other.family = format!("{}0", spec.family);
        world.task_definitions.push((
            format!(
                "arn:aws:ecs:us-west-2:123456789012:task-definition/{}:1",
                other.family
            ),
            other,
            role,
            false,
        ));
    }
    delete_all(&fake).await;
    let recorder = fake.recorder.lock();
    assert_eq!(recorder.count("DeregisterTaskDefinition"), 7);
    assert_eq!(recorder.count("DeleteTaskDefinitions"), 2);
    assert_eq!(
        fake.world().task_definitions.len(),
        1,
        "only the other family's is left"
    );
}

#[tokio::test]
async fn delete_waits_for_the_service_to_drain_before_the_rest() {
    let fake = Fake::default();
    run(&fake, "create").await.unwrap();
    fake.world().slow_service_deletion = true;
    for _ in 0..2 {
        let response = run(&fake, "delete").await.unwrap();
        assert_eq!(response.status, Status::InProgress);
        assert_eq!(fake.roles.roles().len(), 2);
        let world = fake.world();
        assert_eq!(world.namespaces.len(), 1);
        assert_eq!(world.clusters["ecs-cluster-pr-42"].status, "ACTIVE");
        assert!(world.active_task_definitions().is_empty());
        assert!(world.targets.is_empty() && world.policies.is_empty());
    }
    // A create during the drain waits too.
    let response = run(&fake, "create").await.unwrap();
    assert_eq!(response.status, Status::InProgress);
    assert_eq!(fake.recorder.lock().count("CreateService"), 1);
    fake.world()
        .services
        .get_mut("ecs-service-pr-42")
        .unwrap()
        .1
        .status = "INACTIVE".into();
    delete_all(&fake).await;
    assert!(fake.is_empty());
}

#[tokio::test]
async fn a_discovery_service_still_holding_instances_is_deleted_by_a_later_call() {
    let fake = Fake::default();
    run(&fake, "create").await.unwrap();
    fake.recorder
        .lock()
        .fail("DeleteDiscoveryService", "ResourceInUse");
    // 1: autoscaling and the service; 2: Cloud Map refuses, the namespace is left; 3: both
    // deleted; 4: nothing found.
    deletes_in_progress(&fake, 2).await;
    {
        let world = fake.world();
        assert_eq!(world.discovery.len(), 1);
        assert_eq!(world.namespaces.len(), 1);
        assert_eq!(fake.recorder.lock().count("DeleteNamespace"), 0);
    }
    assert_eq!(delete_all(&fake).await, 2);
    assert!(fake.is_empty());
}

#[tokio::test]
async fn a_namespace_deletion_already_under_way_waits_for_the_next_call() {
    for code in ["DuplicateRequest", "ResourceInUse"] {
        let fake = Fake::default();
        run(&fake, "create").await.unwrap();
        fake.recorder.lock().fail("DeleteNamespace", code);
        deletes_in_progress(&fake, 2).await;
        assert_eq!(fake.world().namespaces.len(), 1, "{code}");
        delete_all(&fake).await;
        assert!(fake.is_empty(), "{code}");
    }
}

#[tokio::test]
async fn a_delete_interrupted_at_each_step_resumes_and_finishes() {
    let steps = [
        "DeleteScalingPolicy",
        "DeregisterScalableTarget",
        "ScaleService",
        "DeleteService",
        "DeregisterTaskDefinition",
        "DeleteDiscoveryService",
        "DeleteNamespace",
        "DeleteRolePolicy",
        "DeleteRole",
        "DeleteLogGroup",
        "DeleteCluster",
    ];
    for step in steps {
        let fake = Fake::default();
        run(&fake, "create").await.unwrap();
        fake.recorder.lock().fail(step, "ThrottlingException");
        let mut failed = false;
        for _ in 0..3 {
            match run(&fake, "delete").await {
                Err(error) => {
                    assert_eq!(error.error_name(), ErrorName::Retryable, "{step}");
                    failed = true;
                    break;
                }
                Ok(response) => assert_eq!(response.status, Status::InProgress, "{step}"),
            }
        }
        assert!(failed, "{step} was never called");
        delete_all(&fake).await;
        assert!(fake.is_empty(), "{step}");
    }
}

#[tokio::test]
async fn delete_of_an_environment_that_never_existed_is_deleted_at_once() {
    let fake = Fake::default();
    // A teardown needs no outputs.
    let response = handle(&fake, &settings(None), request("delete", spec(), json!({})))
        .await
        .unwrap();
    assert_eq!(response.status, Status::Deleted);
    assert!(fake.recorder.lock().changes.is_empty());
}

#[tokio::test]
async fn a_service_scaled_to_zero_is_deleted_without_scaling_again() {
    let fake = Fake::default();
    run(&fake, "create").await.unwrap();
    fake.world()
        .services
        .get_mut("ecs-service-pr-42")
        .unwrap()
        .1
        .desired_count = 0;
    delete_all(&fake).await;
    assert_eq!(fake.recorder.lock().count("ScaleService"), 0);
    assert!(fake.is_empty());
}

fn blue_green_spec() -> Value {
    let mut spec = spec();
    spec["deploymentStrategy"] = json!("blueGreen");
    spec
}

fn blue_green_inputs() -> Value {
    inputs()
}

async fn run_blue_green(fake: &Fake, action: &str) -> Result<Response, ServiceError> {
    let request = request(action, blue_green_spec(), blue_green_inputs());
    handle(fake, &settings(Some("accepted")), request).await
}

#[tokio::test]
async fn blue_green_hands_ecs_the_green_group_the_rules_and_an_infrastructure_role() {
    let fake = Fake::default();
    let response = run_blue_green(&fake, "create").await.unwrap();
    assert_eq!(response.status, Status::Ready);
    assert_eq!(response.outputs["deploymentStrategy"], "blueGreen");
    {
        let world = fake.world();
        let (wanted, service) = &world.services["ecs-service-pr-42"];
        assert_eq!(wanted.target_group_arn, "arn:tg/blue");
        assert_eq!(
            wanted.blue_green,
            Some(BlueGreen {
                alternate_target_group_arn: "arn:tg/green".into(),
                production_listener_rule: "arn:rule/production".into(),
                test_listener_rule: "arn:rule/test".into(),
                role_arn: "arn:aws:iam::123456789012:role/role-ecs-infra-pr-42".into(),
                bake_time_minutes: 5,
            })
        );
        assert!(wanted.rollback_on_failure);
        assert_eq!(service.strategy.as_deref(), Some("BLUE_GREEN"));
        let roles = fake.roles.roles();
        let role = &roles["role-ecs-infra-pr-42"];
        let trust: Value = serde_json::from_str(&role.trust_policy).unwrap();
        assert_eq!(
            trust["Statement"][0]["Principal"]["Service"],
            "ecs.amazonaws.com"
        );
        let document = &role.policies[INFRASTRUCTURE_POLICY];
        let document: Value = serde_json::from_str(document).unwrap();
        assert_least_privilege(&document);
        assert_eq!(
            document["Statement"][1]["Resource"],
            json!(["arn:rule/production", "arn:rule/test"])
        );
        assert_eq!(
            document["Statement"][2]["Resource"],
            json!(["arn:tg/blue", "arn:tg/green"])
        );
    }
    // The infrastructure role goes with the rest at teardown.
    assert_eq!(delete_all(&fake).await, 4);
    assert!(fake.is_empty(), "{fake:?}");
    assert_eq!(fake.recorder.lock().count("DeleteRole"), 3);
}

#[tokio::test]
async fn switching_the_strategy_updates_the_existing_service_and_keeps_its_count() {
    let fake = Fake::default();
    run(&fake, "create").await.unwrap();
    fake.world()
        .services
        .get_mut("ecs-service-pr-42")
        .unwrap()
        .1
        .desired_count = 6;
    // Rolling → blue/green: one UpdateService, then nothing more.
    let response = run_blue_green(&fake, "create").await.unwrap();
    assert_eq!(response.status, Status::InProgress);
    assert_eq!(
        run_blue_green(&fake, "status").await.unwrap().status,
        Status::Ready
    );
    {
        let recorder = fake.recorder.lock();
        assert_eq!(recorder.count("UpdateServiceDeployment"), 1);
        assert_eq!(recorder.count("CreateService"), 1);
        assert_eq!(recorder.count("UpdateServiceTaskDefinition"), 0);
        let world = fake.world();
        let (wanted, service) = &world.services["ecs-service-pr-42"];
        assert_eq!(service.desired_count, 6);
        assert_eq!(service.strategy.as_deref(), Some("BLUE_GREEN"));
        assert_eq!(
            wanted
                .blue_green
                .as_ref()
                .unwrap()
                .alternate_target_group_arn,
            "arn:tg/green"
        );
    }
    // And back to rolling.
    let response = run(&fake, "create").await.unwrap();
    assert_eq!(response.status, Status::InProgress);
    assert_eq!(run(&fake, "status").await.unwrap().status, Status::Ready);
    assert_eq!(fake.recorder.lock().count("UpdateServiceDeployment"), 2);
    let world = fake.world();
    let (wanted, service) = &world.services["ecs-service-pr-42"];
    assert_eq!(wanted.blue_green, None);
    assert_eq!(service.strategy.as_deref(), Some("ROLLING"));
    assert_eq!(service.alternate_target_group, None);
    assert_eq!(service.desired_count, 6);
}

#[tokio::test]
async fn a_failed_strategy_switch_is_retried_by_the_next_call() {
    let fake = Fake::default();
    run(&fake, "create").await.unwrap();
    fake.recorder
        .lock()
        .fail("UpdateServiceDeployment", "ThrottlingException");
    let error = run_blue_green(&fake, "create").await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::Retryable);
    run_blue_green(&fake, "create").await.unwrap();
    assert_eq!(fake.recorder.lock().count("UpdateServiceDeployment"), 1);
    assert_eq!(
        fake.world().services["ecs-service-pr-42"]
            .1
            .strategy
            .as_deref(),
        Some("BLUE_GREEN")
    );
}

#[test]
fn without_a_reported_strategy_the_alternate_target_group_decides() {
    let service = |strategy: Option<&str>, alternate: Option<&str>| EcsService {
        strategy: strategy.map(str::to_owned),
        alternate_target_group: alternate.map(str::to_owned),
        ..EcsService::default()
    };
    assert!(deploys_blue_green(&service(Some("BLUE_GREEN"), None)));
    assert!(!deploys_blue_green(&service(
        Some("ROLLING"),
        Some("arn:tg/green")
    )));
    assert!(deploys_blue_green(&service(None, Some("arn:tg/green"))));
    assert!(!deploys_blue_green(&service(None, None)));
}

#[tokio::test]
async fn blue_green_without_the_edges_rules_is_an_invalid_event_before_any_call() {
    let mut green = edge();
    green.target_group_arns.green.clear();
    let mut production = edge();
    production.listener_rule_arns.production.clear();
    let mut test = edge();
    test.listener_rule_arns.test.clear();
    let cases = [
        ("targetGroupArns.green", green),
        ("listenerRuleArns.production", production),
        ("listenerRuleArns.test", test),
    ];
    for (name, edge) in cases.clone() {
        let fake = Fake::default();
        let outputs = inputs_with(edge);
        let error = handle(
            &fake,
            &settings(None),
            request("create", blue_green_spec(), outputs),
        )
        .await
        .unwrap_err();
        assert_eq!(error.error_name(), ErrorName::InvalidEvent, "{name}");
        assert!(
            error.to_string().contains(&format!("{name} is empty")),
            "{error}"
        );
        assert!(fake.recorder.lock().changes.is_empty());
    }
    // A rolling service does not need them.
    for (_, edge) in cases {
        let fake = Fake::default();
        handle(
            &fake,
            &settings(Some("accepted")),
            request("create", spec(), inputs_with(edge)),
        )
        .await
        .unwrap();
    }
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
    let world = fake.world();
    let task = world.active_task_definitions()[0];
    assert_eq!(task.cpu_architecture, "ARM64");
    assert_eq!((task.cpu.as_str(), task.memory.as_str()), ("1024", "3072"));
}

#[test]
fn the_fingerprint_follows_the_definition() {
    let inputs =
        Inputs::from_outputs(inputs().as_object().unwrap(), DeploymentStrategy::Rolling).unwrap();
    let spec = request("create", spec(), json!({})).spec;
    let names = Names::new(spec.suffix());
    let one = task_spec(&spec, names, &inputs, "arn:e", "arn:t");
    let mut two = one.clone();
    assert_eq!(fingerprint(&one), fingerprint(&two));
    assert_eq!(fingerprint(&one).len(), 16);
    two.image.push('x');
    assert_ne!(fingerprint(&one), fingerprint(&two));
}
