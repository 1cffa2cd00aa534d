//! Sleep and wake (issue 22): service_sleep. The service function against moto, through its
//! binary, after the real network function: an awake service put to sleep wants no task, keeps its
//! revision and narrows its autoscaling to 0..0 without a cache endpoint; woken with the cache's
//! new endpoint, it rolls a new revision out with `minTasks` tasks and autoscales again, and the
//! teardown from either shape leaves nothing.

use super::service::{accepted_env, call_spec, desired_count, inputs, run_spec, spec};
use aws_sdk_applicationautoscaling::types::ServiceNamespace;
use integration_tests::emulator::emulator;
use integration_tests::unique_suffix;
use serde_json::{json, Value};

/// `create` until READY (the emulator's readiness: moto runs no task), at most 4 calls.
fn converge(spec: &Value, outputs: &Value) -> Value {
    for _ in 0..4 {
        let created = call_spec("create", spec, outputs);
        if created["status"] == "READY" {
            return created;
        }
    }
    panic!("the service is not READY after 4 calls");
}

/// The scalable target's (min, max), if there is one.
async fn scaling_bounds(suffix: &str) -> Option<(i32, i32)> {
    let config = emulator().sdk_config().await;
    let scaling = aws_sdk_applicationautoscaling::Client::new(&config);
    let targets = scaling
        .describe_scalable_targets()
        .service_namespace(ServiceNamespace::Ecs)
        .resource_ids(format!("service/ecs-cluster-{suffix}/ecs-service-{suffix}"))
        .send()
        .await
        .expect("scalable targets");
    let target = targets.scalable_targets().first()?;
    Some((target.min_capacity(), target.max_capacity()))
}

/// The revision the service runs, and every active revision of its family.
async fn revisions(ecs: &aws_sdk_ecs::Client, suffix: &str) -> (String, Vec<String>) {
    let services = ecs
        .describe_services()
        .cluster(format!("ecs-cluster-{suffix}"))
        .services(format!("ecs-service-{suffix}"))
        .send()
        .await
        .expect("services");
    let running = services.services()[0]
        .task_definition()
        .expect("a revision");
    let family = ecs
        .list_task_definitions()
        .family_prefix(format!("task-catalog-api-{suffix}"))
        .send()
        .await
        .expect("revisions");
    (running.to_owned(), family.task_definition_arns().to_vec())
}

/// The REDIS_CONFIGURATION_ENDPOINT the revision gives the API.
async fn cache_endpoint_of(ecs: &aws_sdk_ecs::Client, revision: &str) -> String {
    let described = ecs
        .describe_task_definition()
        .task_definition(revision)
        .send()
        .await
        .expect("the revision");
    let container = &described
        .task_definition()
        .expect("a revision")
        .container_definitions()[0];
    let pair = container
        .environment()
        .iter()
        .find(|pair| pair.name() == Some("REDIS_CONFIGURATION_ENDPOINT"))
        .expect("the endpoint variable");
    pair.value().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn a_service_sleeps_with_no_task_and_wakes_on_a_new_revision_with_min_tasks() {
    let suffix = unique_suffix();
    let suffix = suffix.as_str();
    let awake_inputs = inputs(suffix).await;
    let ecs = aws_sdk_ecs::Client::new(&emulator().sdk_config().await);
    let awake = spec(suffix);
    let created = converge(&awake, &awake_inputs);
    let first_revision = created["outputs"]["taskDefinitionArn"].clone();
    assert_eq!(desired_count(&ecs, suffix).await, 2);

    // Asleep: the cache hands on no endpoint; the service needs none.
    let mut asleep = awake.clone();
    asleep["asleep"] = json!(true);
    let mut asleep_inputs = awake_inputs.clone();
    asleep_inputs["cacheConfigurationEndpoint"] = json!("");
    let first = call_spec("create", &asleep, &asleep_inputs);
    assert_eq!(first["status"], "IN_PROGRESS", "{first}");
    let slept = converge(&asleep, &asleep_inputs);
    assert_eq!(desired_count(&ecs, suffix).await, 0);
    assert_eq!(scaling_bounds(suffix).await, Some((0, 0)));
    let (running, family) = revisions(&ecs, suffix).await;
    assert_eq!(json!(running), first_revision, "the revision it ran");
    assert_eq!(family.len(), 1, "no revision registered asleep");
    assert_eq!(slept["outputs"]["taskDefinitionArn"], first_revision);
    // Judged as in AWS (`steady`): no task wanted, none running, READY whatever the rollout.
    let steady = run_spec("status", &asleep, &asleep_inputs, &emulator().env());
    assert!(steady.success, "{} {}", steady.body, steady.stderr);
    assert_eq!(steady.body, slept);
    assert_eq!(call_spec("create", &asleep, &asleep_inputs), slept);

    // Awake again, with the cache's new endpoint: a new revision, started with minTasks.
    let endpoint = format!("redis-{suffix}.woken.clustercfg.usw2.cache.amazonaws.com:6379");
    let mut woken_inputs = awake_inputs.clone();
    woken_inputs["cacheConfigurationEndpoint"] = json!(endpoint);
    let waking = call_spec("create", &awake, &woken_inputs);
    assert_eq!(waking["status"], "IN_PROGRESS", "{waking}");
    let (running, family) = revisions(&ecs, suffix).await;
    assert_ne!(json!(running), first_revision);
    assert_eq!(family.len(), 2);
    assert_eq!(waking["outputs"]["taskDefinitionArn"], json!(running));
    assert_eq!(cache_endpoint_of(&ecs, &running).await, endpoint);
    assert_eq!(desired_count(&ecs, suffix).await, 2);
    assert_eq!(scaling_bounds(suffix).await, Some((2, 10)));
    let woken = converge(&awake, &woken_inputs);
    assert_eq!(call_spec("status", &awake, &woken_inputs), woken);

    // Asleep once more, then the teardown from that shape: nothing is left.
    converge(&asleep, &asleep_inputs);
    let mut deleted = false;
    for _ in 0..5 {
        if call_spec("delete", &asleep, &json!({}))["status"] == "DELETED" {
            deleted = true;
            break;
        }
    }
    assert!(deleted, "not DELETED after 5 calls");
    assert_eq!(scaling_bounds(suffix).await, None);
    let family = ecs
        .list_task_definitions()
        .family_prefix(format!("task-catalog-api-{suffix}"))
        .send()
        .await
        .expect("revisions");
    assert!(family.task_definition_arns().is_empty());
}

#[test]
fn only_a_sleeping_spec_goes_without_the_cache_endpoint() {
    let suffix = unique_suffix();
    let outputs = json!({"cacheConfigurationEndpoint": ""});
    let result = run_spec("create", &spec(suffix.as_str()), &outputs, &accepted_env());
    assert_eq!(result.exit_code, Some(1));
    assert_eq!(result.body["errorType"], "InvalidEvent");
    let message = result.body["errorMessage"].as_str().expect("a message");
    assert!(
        message.contains("outputs.cache: cacheConfigurationEndpoint is empty"),
        "{message}"
    );
}
