//! A sleeping environment's service against the fake (issue 22): put to sleep it wants no task,
//! its autoscaling is 0..0 and it keeps the revision it runs, needing no cache endpoint; woken, a
//! new endpoint makes a new revision that one UpdateService rolls out with `minTasks` tasks before
//! the scalable target widens, as a warm-pool claim does.

use super::{change_service, inputs, request, spec};
use crate::fake::Fake;
use crate::handler::handle;
use crate::settings::tests::settings;
use env_core::{ErrorName, NamedError, Response, Status};
use serde_json::{json, Value};

const RESOURCE: &str = "service/ecs-cluster-pr-42/ecs-service-pr-42";
const NEW_ENDPOINT: &str = "redis-pr-42.y.clustercfg.usw2.cache.amazonaws.com:6379";

fn asleep_spec() -> Value {
    let mut spec = spec();
    spec["asleep"] = json!(true);
    spec
}

/// What the earlier components hand on while the environment sleeps: no cache endpoint.
fn asleep_inputs() -> Value {
    let mut inputs = inputs();
    inputs["cache"]["cacheConfigurationEndpoint"] = json!("");
    inputs["cache"]["cacheNodeIds"] = json!([]);
    inputs
}

/// What the cache hands on once woken: the replication group made again.
fn woken_inputs(endpoint: &str) -> Value {
    let mut inputs = inputs();
    inputs["cache"]["cacheConfigurationEndpoint"] = json!(endpoint);
    inputs
}

/// `action` judged as in AWS (`steady`).
async fn call(fake: &Fake, action: &str, spec: Value, inputs: Value) -> Response {
    let request = request(action, spec, inputs);
    handle(fake, &settings(Some("steady")), request)
        .await
        .unwrap()
}

/// The service's (desired, running) counts and revision.
fn service(fake: &Fake) -> (i32, i32, String) {
    let world = fake.ecs.world();
    let service = &world.services["ecs-service-pr-42"].1;
    let counts = (service.desired_count, service.running_count);
    (counts.0, counts.1, service.task_definition.clone())
}

/// The REDIS_CONFIGURATION_ENDPOINT of the revision with this ARN.
fn endpoint_of(fake: &Fake, arn: &str) -> String {
    let world = fake.ecs.world();
    let (_, task, _, _) = world
        .task_definitions
        .iter()
        .find(|(of, _, _, _)| of == arn)
        .unwrap();
    let (_, endpoint) = task
        .environment
        .iter()
        .find(|(name, _)| name == "REDIS_CONFIGURATION_ENDPOINT")
        .unwrap();
    endpoint.clone()
}

/// The service and autoscaling changes made since `before` changes were recorded, in order.
fn changes_since(fake: &Fake, before: usize) -> Vec<&'static str> {
    fake.recorder.lock().changes[before..]
        .iter()
        .copied()
        .filter(|change| {
            change.contains("Service") || change.contains("Scal") || change.contains("TaskDef")
        })
        .collect()
}

/// An awake environment with both tasks running and its rollout done; its revision.
async fn awake(fake: &Fake) -> String {
    call(fake, "create", spec(), inputs()).await;
    change_service(fake, |service| {
        service.running_count = 2;
        service.rollout = Some("COMPLETED".into());
    });
    let ready = call(fake, "create", spec(), inputs()).await;
    assert_eq!(ready.status, Status::Ready);
    service(fake).2
}

/// The awake environment put to sleep and its tasks stopped, READY asleep; its revision.
async fn asleep(fake: &Fake) -> String {
    let revision = awake(fake).await;
    call(fake, "create", asleep_spec(), asleep_inputs()).await;
    change_service(fake, |service| service.running_count = 0);
    let ready = call(fake, "create", asleep_spec(), asleep_inputs()).await;
    assert_eq!(ready.status, Status::Ready);
    revision
}

#[tokio::test]
async fn asleep_the_service_wants_no_task_keeps_its_revision_and_narrows_its_autoscaling() {
    let fake = Fake::default();
    let revision = awake(&fake).await;
    let before = fake.recorder.lock().changes.len();
    // The spec's image changed meanwhile: asleep, that registers nothing either.
    let mut sleeping = asleep_spec();
    sleeping["containerImage"] = json!("public.ecr.aws/acme/catalog-api:2");
    let first = call(&fake, "create", sleeping.clone(), asleep_inputs()).await;
    assert_eq!(first.status, Status::InProgress);
    // The count alone (no new deployment), then the scalable target narrowed to 0..0.
    assert_eq!(
        changes_since(&fake, before),
        ["ScaleService", "RegisterScalableTarget", "PutScalingPolicy"]
    );
    assert_eq!(service(&fake), (0, 2, revision.clone()));
    assert_eq!(fake.world().targets[RESOURCE], (0, 0));
    assert_eq!(first.outputs["taskDefinitionArn"], json!(revision));
    // Not READY while a task still runs, whatever its rollout says; nothing changes meanwhile.
    let before = fake.recorder.lock().changes.len();
    for action in ["create", "status"] {
        let response = call(&fake, action, sleeping.clone(), asleep_inputs()).await;
        assert_eq!(response.status, Status::InProgress, "{action}");
    }
    assert_eq!(
        changes_since(&fake, before),
        ["RegisterScalableTarget", "PutScalingPolicy"]
    );
    change_service(&fake, |service| {
        service.running_count = 0;
        service.rollout = Some("IN_PROGRESS".into());
    });
    let created = call(&fake, "create", sleeping.clone(), asleep_inputs()).await;
    let status = call(&fake, "status", sleeping, asleep_inputs()).await;
    assert_eq!(created.status, Status::Ready);
    assert_eq!(status, created, "status answers what create answers");
    let count = |operation: &str| fake.recorder.lock().count(operation);
    assert_eq!(count("RegisterTaskDefinition"), 1);
    assert_eq!(count("UpdateServiceTaskDefinition"), 0);
    assert_eq!(count("ScaleService"), 1);
}

#[tokio::test]
async fn waking_registers_the_new_endpoint_and_starts_min_tasks_in_one_update_before_widening() {
    let fake = Fake::default();
    let slept_on = asleep(&fake).await;
    let before = fake.recorder.lock().changes.len();
    let woken = call(&fake, "create", spec(), woken_inputs(NEW_ENDPOINT)).await;
    assert_eq!(woken.status, Status::InProgress);
    assert_eq!(
        changes_since(&fake, before),
        [
            "RegisterTaskDefinition",
            "UpdateServiceTaskDefinition",
            "RegisterScalableTarget",
            "PutScalingPolicy"
        ]
    );
    let (desired, running, revision) = service(&fake);
    assert_eq!((desired, running), (2, 0));
    assert_ne!(revision, slept_on);
    assert_eq!(woken.outputs["taskDefinitionArn"], json!(revision));
    assert_eq!(endpoint_of(&fake, &revision), NEW_ENDPOINT);
    assert_eq!(fake.world().targets[RESOURCE], (2, 10));
    // READY once both tasks run and the rollout is done, and nothing is updated again.
    let status = call(&fake, "status", spec(), woken_inputs(NEW_ENDPOINT)).await;
    assert_eq!(status.status, Status::InProgress);
    change_service(&fake, |service| {
        service.running_count = 2;
        service.rollout = Some("COMPLETED".into());
    });
    let created = call(&fake, "create", spec(), woken_inputs(NEW_ENDPOINT)).await;
    assert_eq!(created.status, Status::Ready);
    let status = call(&fake, "status", spec(), woken_inputs(NEW_ENDPOINT)).await;
    assert_eq!(status, created);
    assert_eq!(fake.recorder.lock().count("UpdateServiceTaskDefinition"), 1);
    assert_eq!(fake.recorder.lock().count("RegisterTaskDefinition"), 2);
}

#[tokio::test]
async fn waking_to_the_same_endpoint_only_sets_the_count_before_widening() {
    let fake = Fake::default();
    let slept_on = asleep(&fake).await;
    let before = fake.recorder.lock().changes.len();
    // ElastiCache may give the group made again the endpoint it had: the old revision fits.
    let woken = call(&fake, "create", spec(), inputs()).await;
    assert_eq!(woken.status, Status::InProgress);
    assert_eq!(
        changes_since(&fake, before),
        ["ScaleService", "RegisterScalableTarget", "PutScalingPolicy"]
    );
    assert_eq!(service(&fake), (2, 0, slept_on));
    assert_eq!(fake.world().targets[RESOURCE], (2, 10));
}

#[tokio::test]
async fn an_environment_made_asleep_gets_one_revision_and_no_task() {
    let fake = Fake::default();
    let made = call(&fake, "create", asleep_spec(), asleep_inputs()).await;
    // No task wanted or running: READY at once although the rollout reads IN_PROGRESS.
    assert_eq!(made.status, Status::Ready);
    let (desired, running, revision) = service(&fake);
    assert_eq!((desired, running), (0, 0));
    assert_eq!(endpoint_of(&fake, &revision), "");
    assert_eq!(fake.world().targets[RESOURCE], (0, 0));
    let again = call(&fake, "create", asleep_spec(), asleep_inputs()).await;
    assert_eq!(again, made);
    let status = call(&fake, "status", asleep_spec(), asleep_inputs()).await;
    assert_eq!(status, made);
    assert_eq!(fake.recorder.lock().count("RegisterTaskDefinition"), 1);
}

#[tokio::test]
async fn asleep_without_an_active_service_the_familys_latest_revision_is_kept() {
    let fake = Fake::default();
    let revision = awake(&fake).await;
    // The service went (a teardown's drain): the latest revision stands for it.
    change_service(&fake, |service| service.status = "DRAINING".into());
    let status = call(&fake, "status", asleep_spec(), asleep_inputs()).await;
    assert_eq!(status.status, Status::InProgress);
    assert_eq!(status.outputs["taskDefinitionArn"], json!(revision));
    change_service(&fake, |service| service.status = "INACTIVE".into());
    call(&fake, "create", asleep_spec(), asleep_inputs()).await;
    assert_eq!(service(&fake), (0, 0, revision));
    assert_eq!(fake.recorder.lock().count("RegisterTaskDefinition"), 1);
}

#[tokio::test]
async fn only_a_sleeping_spec_may_go_without_the_cache_endpoint() {
    for action in ["create", "status"] {
        let fake = Fake::default();
        let awake = request(action, spec(), asleep_inputs());
        let error = handle(&fake, &settings(None), awake).await.unwrap_err();
        assert_eq!(error.error_name(), ErrorName::InvalidEvent, "{action}");
        assert_eq!(
            error.to_string(),
            "outputs.cache: cacheConfigurationEndpoint is empty; the cache component provides them"
        );
        assert!(fake.recorder.lock().calls.is_empty(), "{action}");
        let sleeping = request(action, asleep_spec(), asleep_inputs());
        assert!(handle(&fake, &settings(None), sleeping).await.is_ok());
    }
}
