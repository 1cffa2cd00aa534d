//! The service function against moto, through its binary, after the real network function: the
//! cluster, task definition, service, Cloud Map registration and autoscaling the request names,
//! least-privilege roles, an idempotent re-create and a teardown that leaves nothing; a switch to
//! blue/green and back on a service behind the real edge function's load balancer; the Fargate
//! CPU/memory table.
//!
//! The database and cache functions' outputs are stood in for by what they would hand on: two
//! secrets made directly in moto (and, where the edge function does not run, a target group).

use env_core::iam::{ECR_LOGIN, LOAD_BALANCER_READS, PUT_METRIC_DATA};
use integration_tests::emulator::emulator;
use integration_tests::functions::{handed_on, invoke, Invocation};
use integration_tests::unique_suffix;
use serde_json::{json, Map, Value};

pub(super) fn spec(suffix: &str) -> Value {
    json!({
        "environmentSuffix": suffix,
        "natGateways": "single",
        "containerImage": "public.ecr.aws/acme/catalog-api:1",
        "selfSignedCertificate": true
    })
}

/// moto never runs tasks (tools/emulator/README.md): READY is judged on the service being accepted.
pub(super) fn accepted_env() -> Vec<(&'static str, String)> {
    let mut env = emulator().env();
    env.push(("SERVICE_READY_WHEN", "accepted".to_owned()));
    env
}

fn run(action: &str, suffix: &str, outputs: &Value, env: &[(&str, String)]) -> Invocation {
    run_spec(action, &spec(suffix), outputs, env)
}

pub(super) fn run_spec(
    action: &str,
    spec: &Value,
    outputs: &Value,
    env: &[(&str, String)],
) -> Invocation {
    invoke(
        "service",
        &json!({"action": action, "spec": spec, "outputs": handed_on(outputs)}),
        env,
    )
}

/// One successful invocation with `spec`, READY judged on acceptance.
pub(super) fn call_spec(action: &str, spec: &Value, outputs: &Value) -> Value {
    let result = run_spec(action, spec, outputs, &accepted_env());
    assert!(
        result.success,
        "{action}: {} {}",
        result.body, result.stderr
    );
    result.body
}

fn call(action: &str, suffix: &str, outputs: &Value) -> Value {
    let result = run(action, suffix, outputs, &accepted_env());
    assert!(
        result.success,
        "{action}: {} {}",
        result.body, result.stderr
    );
    result.body
}

/// The network function's outputs, once READY.
fn network(suffix: &str) -> Map<String, Value> {
    for action in ["create", "create", "create", "create"] {
        let result = invoke(
            "network",
            &json!({"action": action, "spec": spec(suffix), "outputs": {}}),
            &emulator().env(),
        );
        assert!(result.success, "network {action}: {}", result.body);
        if result.body["status"] == "READY" {
            return result.body["outputs"].as_object().expect("outputs").clone();
        }
    }
    panic!("the network of {suffix} is not READY");
}

const DB_PASSWORD: &str = "db-password-that-must-stay-secret";
const AUTH_TOKEN: &str = "redis-token-that-must-stay-secret";

/// The network's outputs plus what the database, cache and edge components would add.
pub(super) async fn inputs(suffix: &str) -> Value {
    let mut outputs = network(suffix);
    let config = emulator().sdk_config().await;
    add_data_outputs(suffix, &mut outputs).await;
    let elb = aws_sdk_elasticloadbalancingv2::Client::new(&config);
    let group = elb
        .create_target_group()
        .name(format!("tg-blue-{suffix}"))
        .protocol(aws_sdk_elasticloadbalancingv2::types::ProtocolEnum::Http)
        .port(3000)
        .vpc_id(outputs["vpcId"].as_str().expect("vpcId"))
        .target_type(aws_sdk_elasticloadbalancingv2::types::TargetTypeEnum::Ip)
        .send()
        .await
        .expect("a target group");
    let blue = group.target_groups()[0].target_group_arn().expect("an ARN");
    outputs.insert(
        "targetGroupArns".into(),
        json!({"blue": blue, "green": "unused"}),
    );
    Value::Object(outputs)
}

/// What the database and cache components would hand on: two secrets and two endpoints.
async fn add_data_outputs(suffix: &str, outputs: &mut Map<String, Value>) {
    let config = emulator().sdk_config().await;
    let secrets = aws_sdk_secretsmanager::Client::new(&config);
    let secret = |name: String, value: Value| {
        let secrets = secrets.clone();
        async move {
            secrets
                .create_secret()
                .name(name)
                .secret_string(value.to_string())
                .send()
                .await
                .expect("a secret")
                .arn()
                .expect("an ARN")
                .to_owned()
        }
    };
    let db = secret(
        format!("db-app-{suffix}"),
        json!({"username": "catalog_app", "password": DB_PASSWORD}),
    )
    .await;
    let cache = secret(
        format!("redis-auth-{suffix}"),
        json!({"authToken": AUTH_TOKEN}),
    )
    .await;
    outputs.insert("dbAppSecretArn".into(), json!(db));
    outputs.insert(
        "dbWriterEndpoint".into(),
        json!(format!(
            "aurora-{suffix}.cluster-x.us-west-2.rds.amazonaws.com"
        )),
    );
    outputs.insert("cacheAuthSecretArn".into(), json!(cache));
    let api_keys = secret(format!("api-keys-{suffix}"), json!({"apiKey": "k0"})).await;
    outputs.insert("apiKeysSecretArn".into(), json!(api_keys));
    outputs.insert(
        "cacheConfigurationEndpoint".into(),
        json!(format!(
            "redis-{suffix}.clustercfg.usw2.cache.amazonaws.com:6379"
        )),
    );
}

/// IAM returns policy documents URL-encoded (RFC 3986); moto may not.
fn policy_document(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|_| {
        let bytes = text.as_bytes();
        let mut decoded = Vec::new();
        let mut index = 0;
        while index < bytes.len() {
            if bytes[index] == b'%' {
                let hex = std::str::from_utf8(&bytes[index + 1..index + 3]).expect("hex");
                decoded.push(u8::from_str_radix(hex, 16).expect("hex"));
                index += 3;
            } else {
                decoded.push(bytes[index]);
                index += 1;
            }
        }
        serde_json::from_slice(&decoded).expect("a JSON policy")
    })
}

fn as_list(value: &Value) -> Vec<String> {
    match value {
        Value::Array(items) => items
            .iter()
            .map(|item| item.as_str().expect("a string").to_owned())
            .collect(),
        other => vec![other.as_str().expect("a string").to_owned()],
    }
}

/// The actions AWS gives no resource-level permission (Service Authorization Reference) that the
/// service's roles use, the only ones a `*` resource is explained for.
const WITHOUT_RESOURCE_LEVEL: [&str; 6] = [
    ECR_LOGIN,
    PUT_METRIC_DATA,
    LOAD_BALANCER_READS[0],
    LOAD_BALANCER_READS[1],
    LOAD_BALANCER_READS[2],
    LOAD_BALANCER_READS[3],
];

/// No `*` action; a `*` resource only for actions without resource-level permissions, and
/// `cloudwatch:PutMetricData` only with a namespace condition; never `iam:PassRole`.
fn assert_least_privilege(document: &Value) {
    let statements = document["Statement"].as_array().expect("statements");
    assert!(!statements.is_empty());
    for statement in statements {
        assert_eq!(statement["Effect"], "Allow");
        let actions = as_list(&statement["Action"]);
        for action in &actions {
            assert!(!action.contains('*'), "wildcard action {action}");
            assert_ne!(action, "iam:PassRole");
        }
        if as_list(&statement["Resource"]).contains(&"*".to_owned()) {
            for action in &actions {
                assert!(
                    WITHOUT_RESOURCE_LEVEL.contains(&action.as_str()),
                    "unexplained * resource for {action}"
                );
            }
            if actions.contains(&"cloudwatch:PutMetricData".to_owned()) {
                assert!(
                    statement["Condition"]["StringEquals"]["cloudwatch:namespace"].is_string(),
                    "PutMetricData without a namespace condition"
                );
            }
        }
    }
}

/// Every inline policy of every role the service made for `suffix` (by the role name prefix),
/// parsed and checked; the role names and trusted principals.
async fn assert_every_policy_least_privilege(suffix: &str) -> Vec<(String, String)> {
    let iam = aws_sdk_iam::Client::new(&emulator().sdk_config().await);
    let roles = iam.list_roles().send().await.expect("roles");
    let mut found = Vec::new();
    for role in roles.roles() {
        let name = role.role_name();
        if !(name.starts_with("role-ecs-") && name.ends_with(&format!("-{suffix}"))) {
            continue;
        }
        let trust = policy_document(role.assume_role_policy_document().expect("a trust policy"));
        let principal = trust["Statement"][0]["Principal"]["Service"]
            .as_str()
            .expect("a service principal")
            .to_owned();
        // Every role trusts its service for this account only; the task role, ECS resources
        // of this account and region only (the confused-deputy keys).
        let condition = &trust["Statement"][0]["Condition"];
        if principal == "ecs-tasks.amazonaws.com" {
            assert_eq!(
                condition["StringEquals"]["aws:SourceAccount"],
                "123456789012"
            );
        }
        if name.starts_with("role-ecs-task-") {
            assert_eq!(
                condition["ArnLike"]["aws:SourceArn"],
                "arn:aws:ecs:us-west-2:123456789012:*"
            );
        }
        let policies = iam
            .list_role_policies()
            .role_name(name)
            .send()
            .await
            .expect("policies");
        assert!(!policies.policy_names().is_empty(), "{name} has no policy");
        for policy in policies.policy_names() {
            let document = iam
                .get_role_policy()
                .role_name(name)
                .policy_name(policy)
                .send()
                .await
                .expect("the inline policy");
            assert_least_privilege(&policy_document(document.policy_document()));
        }
        found.push((name.to_owned(), principal));
    }
    found.sort();
    found
}

#[tokio::test]
async fn service_is_private_autoscaled_discoverable_and_torn_down_completely() {
    let suffix = unique_suffix();
    let suffix = suffix.as_str();
    let outputs = inputs(suffix).await;
    let config = emulator().sdk_config().await;
    // Container Insights' group as ECS leaves it for a cluster older than the function's own
    // group: no key, one day. The function gives it the environment's key and 14 days.
    let logs = aws_sdk_cloudwatchlogs::Client::new(&config);
    let insights = format!("/aws/ecs/containerinsights/ecs-cluster-{suffix}/performance");
    logs.create_log_group()
        .log_group_name(&insights)
        .send()
        .await
        .expect("the emulator makes the group");

    // Without the emulator setting, READY waits for running tasks, which moto never starts.
    let steady = run("create", suffix, &outputs, &emulator().env());
    assert!(steady.success, "{} {}", steady.body, steady.stderr);
    assert_eq!(steady.body["status"], "IN_PROGRESS");

    let created = call("create", suffix, &outputs);
    assert_eq!(created["status"], "READY", "{created}");
    let found = logs
        .describe_log_groups()
        .log_group_name_prefix(&insights)
        .send()
        .await
        .expect("log groups");
    let group = &found.log_groups()[0];
    assert_eq!(group.kms_key_id(), outputs["kmsKeyArn"].as_str());
    assert_eq!(group.retention_in_days(), Some(14));
    let out = &created["outputs"];
    assert_eq!(out["clusterName"], format!("ecs-cluster-{suffix}"));
    assert_eq!(out["serviceName"], format!("ecs-service-{suffix}"));
    assert_eq!(out["serviceLogGroup"], format!("ecs-logs-{suffix}"));
    assert_eq!(
        out["serviceDiscoveryName"],
        format!("api.catalog-{suffix}.local")
    );

    // Autoscaling: 2..10 tasks, target tracking at 70 % CPU.
    let scaling = aws_sdk_applicationautoscaling::Client::new(&config);
    use aws_sdk_applicationautoscaling::types::{MetricType, ServiceNamespace};
    let resource = format!("service/ecs-cluster-{suffix}/ecs-service-{suffix}");
    let targets = scaling
        .describe_scalable_targets()
        .service_namespace(ServiceNamespace::Ecs)
        .resource_ids(&resource)
        .send()
        .await
        .expect("scalable targets");
    let target = &targets.scalable_targets()[0];
    assert_eq!((target.min_capacity(), target.max_capacity()), (2, 10));
    let policies = scaling
        .describe_scaling_policies()
        .service_namespace(ServiceNamespace::Ecs)
        .resource_id(&resource)
        .send()
        .await
        .expect("scaling policies");
    assert_eq!(policies.scaling_policies().len(), 1);
    let tracking = policies.scaling_policies()[0]
        .target_tracking_scaling_policy_configuration()
        .expect("target tracking");
    assert_eq!(tracking.target_value(), 70.0);
    assert_eq!(
        tracking
            .predefined_metric_specification()
            .expect("a predefined metric")
            .predefined_metric_type(),
        &MetricType::EcsServiceAverageCpuUtilization
    );

    // The service: 3 private subnets, no public IP, circuit breaker with rollback, Cloud Map.
    let ecs = aws_sdk_ecs::Client::new(&config);
    let services = ecs
        .describe_services()
        .cluster(format!("ecs-cluster-{suffix}"))
        .services(format!("ecs-service-{suffix}"))
        .send()
        .await
        .expect("services");
    let service = &services.services()[0];
    assert_eq!(service.status(), Some("ACTIVE"));
    assert_eq!(service.desired_count(), 2);
    assert_eq!(service.platform_version(), Some("LATEST"));
    let vpc = service
        .network_configuration()
        .and_then(|network| network.awsvpc_configuration())
        .expect("awsvpc");
    let private: Vec<String> = as_list(&outputs["privateSubnetIds"]);
    assert_eq!(vpc.subnets().len(), 3);
    assert_eq!(vpc.subnets(), private.as_slice());
    assert_eq!(
        vpc.security_groups(),
        [outputs["securityGroupIds"]["service"].as_str().expect("sg")]
    );
    assert_eq!(
        vpc.assign_public_ip(),
        Some(&aws_sdk_ecs::types::AssignPublicIp::Disabled)
    );
    // moto 5.2 does not keep a service's deploymentConfiguration (circuit breaker, percents):
    // the handler's unit tests assert what the function asks for.
    assert_eq!(
        service.load_balancers()[0].target_group_arn(),
        outputs["targetGroupArns"]["blue"].as_str()
    );
    assert_eq!(service.load_balancers()[0].container_port(), Some(3000));
    let registry = service.service_registries()[0]
        .registry_arn()
        .expect("a registry");
    let discovery = aws_sdk_servicediscovery::Client::new(&config);
    let namespaces = discovery
        .list_namespaces()
        .send()
        .await
        .expect("namespaces");
    let namespace = namespaces
        .namespaces()
        .iter()
        .find(|namespace| namespace.name() == Some(format!("catalog-{suffix}.local").as_str()))
        .expect("the namespace");
    let namespace_id = namespace.id().expect("an id");
    let services = discovery.list_services().send().await.expect("services");
    let registered = services
        .services()
        .iter()
        .find(|summary| summary.arn() == Some(registry))
        .expect("the Cloud Map service");
    let registered = discovery
        .get_service()
        .id(registered.id().expect("id"))
        .send()
        .await
        .expect("service");
    assert_eq!(
        registered.service().and_then(|s| s.namespace_id()),
        Some(namespace_id)
    );
    assert_eq!(registered.service().and_then(|s| s.name()), Some("api"));

    // The task definition: non-root, read-only root, logs to the 14-day group, no secret values.
    let described = ecs
        .describe_task_definition()
        .task_definition(out["taskDefinitionArn"].as_str().expect("an ARN"))
        .send()
        .await
        .expect("the task definition");
    let task = described.task_definition().expect("a task definition");
    assert_eq!(
        task.network_mode(),
        Some(&aws_sdk_ecs::types::NetworkMode::Awsvpc)
    );
    assert_eq!(
        task.requires_compatibilities(),
        [aws_sdk_ecs::types::Compatibility::Fargate]
    );
    assert_eq!((task.cpu(), task.memory()), (Some("512"), Some("1024")));
    assert_ne!(task.execution_role_arn(), task.task_role_arn());
    let container = &task.container_definitions()[0];
    let user = container.user().expect("a user");
    assert_ne!(user.split(':').next(), Some("0"));
    assert_ne!(user, "root");
    assert_eq!(container.readonly_root_filesystem(), Some(true));
    assert_ne!(container.privileged(), Some(true));
    assert_eq!(container.mount_points()[0].container_path(), Some("/tmp"));
    let log = container.log_configuration().expect("logs");
    assert_eq!(log.log_driver().as_str(), "awslogs");
    let options = log.options().expect("options");
    assert_eq!(options["awslogs-group"], format!("ecs-logs-{suffix}"));
    // Non-blocking with a 25 MB buffer: a slow CloudWatch Logs never stalls the API.
    assert_eq!(options["mode"], "non-blocking");
    assert_eq!(options["max-buffer-size"], "25m");
    for pair in container.environment() {
        let value = pair.value().unwrap_or_default();
        assert!(
            !value.contains(DB_PASSWORD) && !value.contains(AUTH_TOKEN),
            "{pair:?}"
        );
        // The one pointer to a secret is the API keys' ARN, never a value.
        assert!(
            !value.contains("secretsmanager") || value == outputs["apiKeysSecretArn"],
            "{pair:?}"
        );
    }
    assert!(container.environment().iter().any(|pair| {
        pair.name() == Some("API_KEYS_SECRET_ARN")
            && pair.value() == outputs["apiKeysSecretArn"].as_str()
    }));
    let secret_sources: Vec<&str> = container.secrets().iter().map(|s| s.value_from()).collect();
    assert_eq!(secret_sources.len(), 3);
    assert!(secret_sources
        .iter()
        .all(|from| from.starts_with("arn:aws:secretsmanager:")));
    assert!(container.health_check().is_some());
    let logs = aws_sdk_cloudwatchlogs::Client::new(&config);
    let groups = logs
        .describe_log_groups()
        .log_group_name_prefix(format!("ecs-logs-{suffix}"))
        .send()
        .await
        .expect("log groups");
    assert_eq!(groups.log_groups()[0].retention_in_days(), Some(14));
    assert_eq!(
        groups.log_groups()[0].kms_key_id(),
        outputs["kmsKeyArn"].as_str()
    );

    // Container Insights on the cluster.
    let clusters = ecs
        .describe_clusters()
        .clusters(format!("ecs-cluster-{suffix}"))
        .include(aws_sdk_ecs::types::ClusterField::Settings)
        .send()
        .await
        .expect("clusters");
    let insights = clusters.clusters()[0]
        .settings()
        .iter()
        .find(|setting| {
            setting.name() == Some(&aws_sdk_ecs::types::ClusterSettingName::ContainerInsights)
        })
        .and_then(|setting| setting.value());
    assert_eq!(insights, Some("enabled"));

    // Every policy of every role it made; a rolling service has no infrastructure role.
    let iam = aws_sdk_iam::Client::new(&config);
    assert_eq!(
        assert_every_policy_least_privilege(suffix).await,
        [
            (
                format!("role-ecs-execution-{suffix}"),
                "ecs-tasks.amazonaws.com".to_owned()
            ),
            (
                format!("role-ecs-task-{suffix}"),
                "ecs-tasks.amazonaws.com".to_owned()
            ),
        ]
    );

    // Idempotent: the same answer, no second revision, no second namespace.
    assert_eq!(call("create", suffix, &outputs), created);
    let revisions = ecs
        .list_task_definitions()
        .family_prefix(format!("task-catalog-api-{suffix}"))
        .send()
        .await
        .expect("revisions");
    assert_eq!(revisions.task_definition_arns().len(), 1);

    // A new image: a new revision, and the service rolls onto it without a new service.
    let mut changed = spec(suffix);
    changed["containerImage"] = json!("public.ecr.aws/acme/catalog-api:2");
    let rolled = invoke(
        "service",
        &json!({"action": "create", "spec": changed, "outputs": handed_on(&outputs)}),
        &accepted_env(),
    );
    assert!(rolled.success, "{} {}", rolled.body, rolled.stderr);
    assert_eq!(rolled.body["status"], "IN_PROGRESS");
    let new_revision = rolled.body["outputs"]["taskDefinitionArn"]
        .as_str()
        .expect("an ARN");
    assert_ne!(Some(new_revision), out["taskDefinitionArn"].as_str());
    let services = ecs
        .describe_services()
        .cluster(format!("ecs-cluster-{suffix}"))
        .services(format!("ecs-service-{suffix}"))
        .send()
        .await
        .expect("services");
    assert_eq!(services.services()[0].task_definition(), Some(new_revision));
    assert_eq!(services.services()[0].desired_count(), 2);

    // The autoscaler moves the service to 5 tasks: a repeated create keeps them.
    scale_as_the_autoscaler_would(&ecs, suffix, 5).await;
    let again = invoke(
        "service",
        &json!({"action": "create", "spec": changed, "outputs": handed_on(&outputs)}),
        &accepted_env(),
    );
    assert_eq!(again.body["status"], "READY", "{}", again.body);
    assert_eq!(desired_count(&ecs, suffix).await, 5);

    // Teardown leaves nothing.
    let mut deleted = false;
    for _ in 0..5 {
        if call("delete", suffix, &json!({}))["status"] == "DELETED" {
            deleted = true;
            break;
        }
    }
    assert!(deleted, "not DELETED after 5 calls");
    let clusters = ecs
        .describe_clusters()
        .clusters(format!("ecs-cluster-{suffix}"))
        .send()
        .await
        .expect("clusters");
    assert!(clusters
        .clusters()
        .iter()
        .all(|cluster| cluster.status() != Some("ACTIVE")));
    let revisions = ecs
        .list_task_definitions()
        .family_prefix(format!("task-catalog-api-{suffix}"))
        .send()
        .await
        .expect("revisions");
    assert!(revisions.task_definition_arns().is_empty());
    for role in [
        format!("role-ecs-execution-{suffix}"),
        format!("role-ecs-task-{suffix}"),
    ] {
        assert!(
            iam.get_role().role_name(&role).send().await.is_err(),
            "{role}"
        );
    }
    let groups = logs
        .describe_log_groups()
        .log_group_name_prefix(format!("ecs-logs-{suffix}"))
        .send()
        .await
        .expect("log groups");
    assert!(groups.log_groups().is_empty());
    let namespaces = discovery
        .list_namespaces()
        .send()
        .await
        .expect("namespaces");
    assert!(namespaces
        .namespaces()
        .iter()
        .all(|namespace| namespace.id() != Some(namespace_id)));
    let targets = scaling
        .describe_scalable_targets()
        .service_namespace(ServiceNamespace::Ecs)
        .resource_ids(&resource)
        .send()
        .await
        .expect("scalable targets");
    assert!(targets.scalable_targets().is_empty());
}

#[test]
fn a_missing_output_is_an_invalid_event_naming_the_key() {
    let suffix = unique_suffix();
    let outputs = json!({"network": {"vpcId": "vpc-1"}});
    let result = invoke(
        "service",
        &json!({"action": "create", "spec": spec(suffix.as_str()), "outputs": outputs}),
        &accepted_env(),
    );
    assert!(!result.success);
    assert_eq!(result.body["errorType"], "InvalidEvent");
    assert_eq!(
        result.body["errorMessage"],
        "outputs.network: are malformed: missing field `vpcCidr`; the network component provides them"
    );
}

/// The edge function on the same network, READY: its target groups and listener rules.
fn edge(spec: &Value, outputs: &Map<String, Value>) -> Value {
    for action in ["create", "create", "create", "create"] {
        let result = invoke(
            "edge",
            &json!({"action": action, "spec": spec, "outputs": {"network": outputs}}),
            &emulator().env(),
        );
        assert!(result.success, "edge {action}: {}", result.body);
        if result.body["status"] == "READY" {
            return result.body["outputs"].clone();
        }
    }
    panic!("the edge is not READY");
}

/// UpdateService with a desired count, as Application Auto Scaling does.
async fn scale_as_the_autoscaler_would(ecs: &aws_sdk_ecs::Client, suffix: &str, count: i32) {
    ecs.update_service()
        .cluster(format!("ecs-cluster-{suffix}"))
        .service(format!("ecs-service-{suffix}"))
        .desired_count(count)
        .send()
        .await
        .expect("the service scales");
}

pub(super) async fn desired_count(ecs: &aws_sdk_ecs::Client, suffix: &str) -> i32 {
    let services = ecs
        .describe_services()
        .cluster(format!("ecs-cluster-{suffix}"))
        .services(format!("ecs-service-{suffix}"))
        .send()
        .await
        .expect("services");
    services.services()[0].desired_count()
}

/// The service's one load balancer entry and, when moto reports it, its deployment strategy.
async fn deployment(
    ecs: &aws_sdk_ecs::Client,
    suffix: &str,
) -> (aws_sdk_ecs::types::LoadBalancer, Option<String>) {
    let services = ecs
        .describe_services()
        .cluster(format!("ecs-cluster-{suffix}"))
        .services(format!("ecs-service-{suffix}"))
        .send()
        .await
        .expect("services");
    let service = &services.services()[0];
    let strategy = service
        .deployment_configuration()
        .and_then(|configuration| configuration.strategy())
        .map(|strategy| strategy.as_str().to_owned());
    (service.load_balancers()[0].clone(), strategy)
}

#[tokio::test]
async fn a_rolling_service_switches_to_blue_green_behind_the_edge_and_back() {
    let suffix = unique_suffix();
    let suffix = suffix.as_str();
    let mut base = spec(suffix);
    base["deletionProtection"] = json!(false);
    base["forceDestroy"] = json!(true);
    let mut outputs = network(suffix);
    let edge_outputs = edge(&base, &outputs);
    for key in ["targetGroupArns", "listenerRuleArns"] {
        outputs.insert(key.into(), edge_outputs[key].clone());
    }
    add_data_outputs(suffix, &mut outputs).await;
    let outputs = Value::Object(outputs);
    let blue = outputs["targetGroupArns"]["blue"].as_str().expect("blue");
    let green = outputs["targetGroupArns"]["green"].as_str().expect("green");
    let production = outputs["listenerRuleArns"]["production"]
        .as_str()
        .expect("the production rule");
    let test = outputs["listenerRuleArns"]["test"]
        .as_str()
        .expect("the test rule");
    let ecs = aws_sdk_ecs::Client::new(&emulator().sdk_config().await);

    // Rolling first: blue only, no advanced configuration, no infrastructure role.
    let rolling = call_spec("create", &base, &outputs);
    assert_eq!(rolling["status"], "READY", "{rolling}");
    assert_eq!(rolling["outputs"]["deploymentStrategy"], "rolling");
    let (balancer, _) = deployment(&ecs, suffix).await;
    assert_eq!(balancer.target_group_arn(), Some(blue));
    assert!(balancer.advanced_configuration().is_none());
    scale_as_the_autoscaler_would(&ecs, suffix, 4).await;

    // The spec switches to blue/green (and to Graviton with a valid 1 vCPU / 3 GB pair): the
    // existing service is updated, not replaced.
    let mut blue_green = base.clone();
    blue_green["deploymentStrategy"] = json!("blueGreen");
    blue_green["cpuArchitecture"] = json!("arm64");
    blue_green["taskCpu"] = json!(1024);
    blue_green["taskMemory"] = json!(3072);
    let switched = call_spec("create", &blue_green, &outputs);
    assert_eq!(switched["status"], "IN_PROGRESS", "{switched}");
    let settled = call_spec("create", &blue_green, &outputs);
    assert_eq!(settled["status"], "READY", "{settled}");
    assert_eq!(settled["outputs"]["deploymentStrategy"], "blueGreen");
    let (balancer, strategy) = deployment(&ecs, suffix).await;
    assert_eq!(balancer.target_group_arn(), Some(blue));
    let advanced = balancer
        .advanced_configuration()
        .expect("the blue/green settings");
    assert_eq!(advanced.alternate_target_group_arn(), Some(green));
    // The switch kept the count the autoscaler chose.
    assert_eq!(desired_count(&ecs, suffix).await, 4);
    assert_eq!(advanced.production_listener_rule(), Some(production));
    assert_eq!(advanced.test_listener_rule(), Some(test));
    let infra = format!("role-ecs-infra-{suffix}");
    assert!(
        advanced
            .role_arn()
            .expect("the infrastructure role")
            .ends_with(&format!(":role/{infra}")),
        "{advanced:?}"
    );
    // moto keeps what UpdateService sets (but ignores CreateService's deploymentConfiguration).
    assert_eq!(strategy.as_deref(), Some("BLUE_GREEN"));
    let task = ecs
        .describe_task_definition()
        .task_definition(
            settled["outputs"]["taskDefinitionArn"]
                .as_str()
                .expect("an ARN"),
        )
        .send()
        .await
        .expect("the task definition");
    let task = task.task_definition().expect("a task definition");
    assert_eq!((task.cpu(), task.memory()), (Some("1024"), Some("3072")));
    assert_eq!(
        task.runtime_platform()
            .and_then(|platform| platform.cpu_architecture())
            .map(|architecture| architecture.as_str()),
        Some("ARM64")
    );

    // Every role, the infrastructure role included, least privilege; ECS itself assumes it.
    assert_eq!(
        assert_every_policy_least_privilege(suffix).await,
        [
            (
                format!("role-ecs-execution-{suffix}"),
                "ecs-tasks.amazonaws.com".to_owned()
            ),
            (infra.clone(), "ecs.amazonaws.com".to_owned()),
            (
                format!("role-ecs-task-{suffix}"),
                "ecs-tasks.amazonaws.com".to_owned()
            ),
        ]
    );

    // Idempotent: a repeated create changes nothing.
    assert_eq!(call_spec("create", &blue_green, &outputs), settled);

    // And back to rolling.
    let back = call_spec("create", &base, &outputs);
    assert_eq!(back["status"], "IN_PROGRESS", "{back}");
    assert_eq!(call_spec("status", &base, &outputs)["status"], "READY");
    let (balancer, strategy) = deployment(&ecs, suffix).await;
    assert!(balancer.advanced_configuration().is_none());
    assert_eq!(strategy.as_deref(), Some("ROLLING"));

    // Teardown: the service (its infrastructure role included), then the edge and its rules.
    let mut deleted = false;
    for _ in 0..5 {
        if call_spec("delete", &base, &json!({}))["status"] == "DELETED" {
            deleted = true;
            break;
        }
    }
    assert!(deleted, "the service was not DELETED after 5 calls");
    let iam = aws_sdk_iam::Client::new(&emulator().sdk_config().await);
    assert!(iam.get_role().role_name(&infra).send().await.is_err());
    assert!(assert_every_policy_least_privilege(suffix).await.is_empty());
    let mut edge_deleted = false;
    for _ in 0..5 {
        let result = invoke(
            "edge",
            &json!({"action": "delete", "spec": base, "outputs": {}}),
            &emulator().env(),
        );
        assert!(result.success, "edge delete: {}", result.body);
        if result.body["status"] == "DELETED" {
            edge_deleted = true;
            break;
        }
    }
    assert!(edge_deleted, "the edge was not DELETED after 5 calls");
    let elb = aws_sdk_elasticloadbalancingv2::Client::new(&emulator().sdk_config().await);
    for rule in [production, test] {
        assert!(elb.describe_rules().rule_arns(rule).send().await.is_err());
    }
}

#[test]
fn a_cpu_and_memory_pair_fargate_does_not_offer_is_refused_before_any_call() {
    let suffix = unique_suffix();
    // 0.25 vCPU takes 512, 1024 or 2048 MiB; 1 vCPU takes 2048–8192 MiB (ECS developer guide,
    // "Amazon ECS task definition parameters for Fargate", task size).
    for (cpu, memory) in [(256, 4096), (1024, 1024), (4096, 4096)] {
        let mut spec = spec(suffix.as_str());
        spec["taskCpu"] = json!(cpu);
        spec["taskMemory"] = json!(memory);
        let result = run_spec("create", &spec, &json!({}), &accepted_env());
        assert!(!result.success, "{cpu}/{memory}");
        assert_eq!(result.body["errorType"], "InvalidSpec", "{}", result.body);
        let message = result.body["errorMessage"].as_str().expect("a message");
        assert!(message.contains("taskMemory"), "{message}");
        assert!(message.contains(&memory.to_string()), "{message}");
    }
    // Nothing was made: no cluster by that name.
    let listed = invoke(
        "service",
        &json!({"action": "delete", "spec": spec(suffix.as_str()), "outputs": {}}),
        &accepted_env(),
    );
    assert_eq!(listed.body["status"], "DELETED", "{}", listed.body);
}
