//! A warm-pool environment's service against the fake: made with no task and autoscaling 0..0
//! while the spec is standby, READY at no task, kept at 0 when converged again, and woken by one
//! UpdateService when a claim's spec (not standby) reaches it.

use super::{change_service, inputs, request, spec};
use crate::fake::Fake;
use crate::handler::handle;
use crate::settings::tests::settings;
use env_core::Status;
use serde_json::{json, Value};

const RESOURCE: &str = "service/ecs-cluster-pr-42/ecs-service-pr-42";

fn standby_spec() -> Value {
    let mut spec = spec();
    spec["standby"] = json!(true);
    spec
}

/// `action` with `spec`, judged as in AWS (`steady`) or as in the emulator (`accepted`).
async fn call(fake: &Fake, action: &str, spec: Value, readiness: &str) -> Status {
    let request = request(action, spec, inputs());
    let response = handle(fake, &settings(Some(readiness)), request).await;
    response.unwrap().status
}

/// The service's (desired, running) counts and revision.
fn service(fake: &Fake) -> (i32, i32, String) {
    let world = fake.ecs.world();
    let service = &world.services["ecs-service-pr-42"].1;
    let counts = (service.desired_count, service.running_count);
    (counts.0, counts.1, service.task_definition.clone())
}

/// A standby environment as the fill leaves it: made, READY at once with no task wanted or
/// running although its rollout still reads IN_PROGRESS (AWS documents no rollout outcome for a
/// deployment of zero tasks), then its rollout completed as ECS reports it later.
async fn standby(fake: &Fake) {
    assert_eq!(
        call(fake, "create", standby_spec(), "steady").await,
        Status::Ready
    );
    let world = fake.ecs.world();
    let rollout = world.services["ecs-service-pr-42"].1.rollout.clone();
    drop(world);
    assert_eq!(rollout.as_deref(), Some("IN_PROGRESS"));
    change_service(fake, |service| service.rollout = Some("COMPLETED".into()));
}

#[tokio::test]
async fn a_standby_service_is_made_with_no_task_and_autoscaling_of_zero_to_zero() {
    let fake = Fake::default();
    standby(&fake).await;
    let (wanted, made) = fake.ecs.world().services["ecs-service-pr-42"].clone();
    assert_eq!(wanted.desired_count, 0);
    assert_eq!(made.desired_count, 0);
    assert_eq!(fake.world().targets[RESOURCE], (0, 0));
    let policy = (RESOURCE.to_owned(), "cpu-target-tracking".to_owned());
    assert_eq!(fake.world().policies[&policy], (70.0, (60, 300)));
    // No task running and none wanted, the rollout done: READY, to `create` and to `status`.
    assert_eq!(
        call(&fake, "create", standby_spec(), "steady").await,
        Status::Ready
    );
    assert_eq!(
        call(&fake, "status", standby_spec(), "steady").await,
        Status::Ready
    );
}

#[tokio::test]
async fn a_standby_environment_converged_again_stays_at_no_task() {
    let fake = Fake::default();
    standby(&fake).await;
    let changes = fake.recorder.lock().changes.len();
    for _ in 0..3 {
        assert_eq!(
            call(&fake, "create", standby_spec(), "steady").await,
            Status::Ready
        );
    }
    let changed = fake.recorder.lock().changes[changes..].to_vec();
    let updates: Vec<&str> = changed
        .into_iter()
        .filter(|change| change.contains("Service") || change.contains("Deployment"))
        .collect();
    assert!(updates.is_empty(), "{updates:?}");
    assert_eq!(service(&fake).0, 0);
    assert_eq!(fake.world().targets[RESOURCE], (0, 0));
}

#[tokio::test]
async fn a_standby_service_that_wants_tasks_is_not_ready_until_it_wants_none() {
    let fake = Fake::default();
    standby(&fake).await;
    // Steady at one task: not as a standby environment is left (`create` brings it back to 0).
    change_service(&fake, |service| {
        service.desired_count = 1;
        service.running_count = 1;
    });
    for action in ["create", "status"] {
        let status = call(&fake, action, standby_spec(), "steady").await;
        assert_eq!(status, Status::InProgress, "{action}");
    }
    change_service(&fake, |service| {
        service.desired_count = 0;
        service.running_count = 0;
    });
    assert_eq!(
        call(&fake, "status", standby_spec(), "steady").await,
        Status::Ready
    );
}

#[tokio::test]
async fn a_claim_wakes_the_service_with_one_update_of_revision_and_count() {
    let fake = Fake::default();
    standby(&fake).await;
    let (_, _, pool_revision) = service(&fake);
    // The pull request's spec: not standby, its own image.
    let mut claim = spec();
    claim["containerImage"] = json!("public.ecr.aws/acme/catalog-api:2");
    let before = fake.recorder.lock().changes.len();
    assert_eq!(
        call(&fake, "create", claim.clone(), "steady").await,
        Status::InProgress
    );
    let (desired, running, revision) = service(&fake);
    assert_eq!((desired, running), (2, 0));
    assert_ne!(revision, pool_revision);
    let changes = fake.recorder.lock().changes[before..].to_vec();
    // One UpdateService, before the target's bounds widen to minTasks..maxTasks.
    let updates: Vec<&str> = changes
        .iter()
        .copied()
        .filter(|change| change.contains("Service") || change.contains("Deployment"))
        .collect();
    assert_eq!(updates, ["UpdateServiceTaskDefinition"]);
    let at = |operation: &str| changes.iter().position(|change| *change == operation);
    assert!(
        at("UpdateServiceTaskDefinition") < at("RegisterScalableTarget"),
        "{changes:?}"
    );
    assert_eq!(fake.world().targets[RESOURCE], (2, 10));
    // Not READY until both tasks run and the rollout is done; nothing is updated again meanwhile.
    assert_eq!(
        call(&fake, "status", claim.clone(), "steady").await,
        Status::InProgress
    );
    change_service(&fake, |service| {
        service.running_count = 2;
        service.rollout = Some("COMPLETED".into());
    });
    assert_eq!(
        call(&fake, "create", claim.clone(), "steady").await,
        Status::Ready
    );
    assert_eq!(call(&fake, "status", claim, "steady").await, Status::Ready);
    assert_eq!(fake.recorder.lock().count("UpdateServiceTaskDefinition"), 1);
}

#[tokio::test]
async fn a_claim_with_the_pool_image_still_sets_the_count_in_one_update() {
    let fake = Fake::default();
    standby(&fake).await;
    let (_, _, pool_revision) = service(&fake);
    // The emulator's readiness: the update itself keeps this call IN_PROGRESS.
    assert_eq!(
        call(&fake, "create", spec(), "accepted").await,
        Status::InProgress
    );
    let (desired, _, revision) = service(&fake);
    assert_eq!(desired, 2);
    assert_eq!(
        revision, pool_revision,
        "no new revision for the same image"
    );
    // The same revision: UpdateService with the count alone, which starts no new deployment.
    let count = |operation: &str| fake.recorder.lock().count(operation);
    assert_eq!(count("RegisterTaskDefinition"), 1);
    assert_eq!(count("UpdateServiceTaskDefinition"), 0);
    assert_eq!(count("ScaleService"), 1);
    assert_eq!(
        call(&fake, "create", spec(), "accepted").await,
        Status::Ready
    );
    assert_eq!(count("ScaleService"), 1);
}

#[tokio::test]
async fn status_of_a_claimed_spec_on_a_sleeping_service_is_in_progress_and_changes_nothing() {
    let fake = Fake::default();
    standby(&fake).await;
    let changes = fake.recorder.lock().changes.clone();
    // Even where the emulator would accept the service as it is: `create` would wake it.
    for readiness in ["steady", "accepted"] {
        let status = call(&fake, "status", spec(), readiness).await;
        assert_eq!(status, Status::InProgress, "{readiness}");
    }
    assert_eq!(fake.recorder.lock().changes, changes);
    assert_eq!(service(&fake).0, 0);
}
