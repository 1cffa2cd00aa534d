//! The service function against moto, through its binary, after the real network function: the
//! cluster, task definition, service, Cloud Map registration and autoscaling the request names,
//! least-privilege roles, an idempotent re-create and a teardown that leaves nothing.
//!
//! The database, cache and edge functions' outputs are stood in for by what they would hand on:
//! a target group in the network's VPC and two secrets, made directly in moto.

use integration_tests::emulator::emulator;
use integration_tests::functions::{invoke, Invocation};
use integration_tests::unique_suffix;
use serde_json::{json, Map, Value};

fn spec(suffix: &str) -> Value {
    json!({
        "environmentSuffix": suffix,
        "natGateways": "single",
        "containerImage": "public.ecr.aws/acme/catalog-api:1",
        "selfSignedCertificate": true
    })
}

/// moto never runs tasks (EMULATOR.md): READY is judged on the service being accepted.
fn accepted_env() -> Vec<(&'static str, String)> {
    let mut env = emulator().env();
    env.push(("SERVICE_READY_WHEN", "accepted".to_owned()));
    env
}

fn run(action: &str, suffix: &str, outputs: &Value, env: &[(&str, String)]) -> Invocation {
    invoke(
        "service",
        &json!({"action": action, "spec": spec(suffix), "outputs": outputs}),
        env,
    )
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
    for action in ["create", "status", "status", "status"] {
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
async fn inputs(suffix: &str) -> Value {
    let mut outputs = network(suffix);
    let config = emulator().sdk_config().await;
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
    outputs.insert(
        "targetGroupArns".into(),
        json!({"blue": blue, "green": "unused"}),
    );
    outputs.insert("dbAppSecretArn".into(), json!(db));
    outputs.insert(
        "dbWriterEndpoint".into(),
        json!(format!(
            "aurora-{suffix}.cluster-x.us-west-2.rds.amazonaws.com"
        )),
    );
    outputs.insert("cacheAuthSecretArn".into(), json!(cache));
    outputs.insert(
        "cacheConfigurationEndpoint".into(),
        json!(format!(
            "redis-{suffix}.clustercfg.usw2.cache.amazonaws.com:6379"
        )),
    );
    Value::Object(outputs)
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

/// No `*` action; a `*` resource only for `ecr:GetAuthorizationToken` (no resource-level
/// permission exists for it); never `iam:PassRole`.
fn assert_least_privilege(document: &Value) {
    let statements = document["Statement"].as_array().expect("statements");
    assert!(!statements.is_empty());
    for statement in statements {
        let actions = as_list(&statement["Action"]);
        for action in &actions {
            assert!(!action.contains('*'), "wildcard action {action}");
            assert_ne!(action, "iam:PassRole");
        }
        if as_list(&statement["Resource"]).contains(&"*".to_owned()) {
            assert_eq!(
                actions,
                ["ecr:GetAuthorizationToken"],
                "unexplained * resource"
            );
        }
    }
}

#[tokio::test]
async fn service_is_private_autoscaled_discoverable_and_torn_down_completely() {
    let suffix = unique_suffix();
    let suffix = suffix.as_str();
    let outputs = inputs(suffix).await;
    let config = emulator().sdk_config().await;

    // Without the emulator setting, READY waits for running tasks, which moto never starts.
    let steady = run("create", suffix, &outputs, &emulator().env());
    assert!(steady.success, "{} {}", steady.body, steady.stderr);
    assert_eq!(steady.body["status"], "IN_PROGRESS");

    let created = call("create", suffix, &outputs);
    assert_eq!(created["status"], "READY", "{created}");
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
    for pair in container.environment() {
        let value = pair.value().unwrap_or_default();
        assert!(
            !value.contains(DB_PASSWORD) && !value.contains(AUTH_TOKEN),
            "{pair:?}"
        );
        assert!(!value.contains("secretsmanager"), "{pair:?}");
    }
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

    // The two roles' documents.
    let iam = aws_sdk_iam::Client::new(&config);
    for (role, policy) in [
        (format!("role-ecs-execution-{suffix}"), "ecs-execution"),
        (format!("role-ecs-task-{suffix}"), "catalog-api"),
    ] {
        let document = iam
            .get_role_policy()
            .role_name(&role)
            .policy_name(policy)
            .send()
            .await
            .expect("the inline policy");
        assert_least_privilege(&policy_document(document.policy_document()));
    }

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
        &json!({"action": "create", "spec": changed, "outputs": outputs}),
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
    let result = run(
        "create",
        suffix.as_str(),
        &json!({"vpcId": "vpc-1"}),
        &accepted_env(),
    );
    assert!(!result.success);
    assert_eq!(result.body["errorType"], "InvalidEvent");
    assert!(
        result.body["errorMessage"]
            .as_str()
            .expect("a message")
            .contains("`privateSubnetIds`"),
        "{}",
        result.body
    );
}
