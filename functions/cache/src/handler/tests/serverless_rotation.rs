//! The token's rotation across a change of `cacheMode`: the cluster turns it on, a serverless
//! cache turns it off (the rotation function changes a replication group's token, which a
//! serverless cache has none of) before its user takes the token, and the cluster again turns it
//! back on. An `AWSPENDING` label a racing rotation step leaves after the turn-off is dropped by
//! the serverless `create` and before the cluster's RotateSecret. A serverless cache made from
//! nothing never touches rotation.

use super::serverless::{serverless, serverless_asleep, serverless_created};
use super::status::status_reading_only;
use super::*;

/// A cluster `create` finished with its rotation on, the first rotation left unfinished (its
/// function failed): an `AWSPENDING` version stays beside `AWSCURRENT`.
async fn cluster_rotating_with_a_pending_version(fake: &Fake) {
    fake.secrets.store().rotations_fail = true;
    created(fake, &spec(json!({}))).await;
    let stored = stored_secret(fake);
    assert!(stored.rotation.enabled && stored.pending_left);
}

/// `create` of `spec` until READY, ElastiCache moving on between calls.
async fn until_ready(fake: &Fake, spec: &EnvironmentSpec) -> Response {
    for _ in 0..6 {
        let answer = run(fake, Action::Create, spec).await.unwrap();
        if answer.status == Status::Ready {
            return answer;
        }
        fake.elasticache.world().settle();
    }
    panic!("not READY after 6 calls");
}

#[tokio::test]
async fn a_cluster_switched_to_serverless_turns_rotation_off_and_back_to_a_cluster_on_again() {
    let fake = Fake::default();
    cluster_rotating_with_a_pending_version(&fake).await;
    let lambda = stored_secret(&fake).rotation.lambda_arn.unwrap();
    let token = secret_json(&fake)["authToken"].clone();

    let before = fake.recorder.lock().changes.len();
    let first = run(&fake, Action::Create, &serverless()).await.unwrap();
    assert_eq!(first.status, Status::InProgress);
    // Rotation off first, then the unfinished rotation's label (a rotation step still running
    // could write it up to the cancel); nothing took the token yet.
    let changes = fake.recorder.lock().changes[before..].to_vec();
    assert_eq!(
        changes[..2],
        ["CancelRotateSecret", "UpdateSecretVersionStage"],
        "{changes:?}"
    );
    assert!(!changes.contains(&"CreateUser"), "{changes:?}");
    let stored = stored_secret(&fake);
    assert_eq!(
        stored.rotation,
        Rotation {
            enabled: false,
            days: Some(30),
            lambda_arn: Some(lambda.clone()),
            rotated: false,
        }
    );
    assert!(!stored.pending_left);

    let ready = until_ready(&fake, &serverless()).await;
    assert_eq!(ready.outputs["mode"], "serverless");
    assert_eq!(
        status_reading_only(&fake, &serverless()).await.unwrap(),
        ready
    );
    // Turned off once: the calls after it see it off.
    assert_eq!(fake.recorder.lock().count("CancelRotateSecret"), 1);
    assert_eq!(fake.recorder.lock().count("RotateSecret"), 1);
    assert_eq!(secret_json(&fake)["authToken"], token);

    // Back to a cluster: rotation on again with the same function, every 30 days.
    fake.secrets.store().rotations_fail = false;
    let cluster = spec(json!({}));
    let again = until_ready(&fake, &cluster).await;
    assert_eq!(again.outputs["mode"], "cluster");
    let rotation = stored_secret(&fake).rotation;
    assert_eq!(rotation.by_function(), Some((lambda.as_str(), Some(30))));
    assert_eq!(fake.recorder.lock().count("RotateSecret"), 2);
    assert_eq!(fake.recorder.lock().count("CancelRotateSecret"), 1);
}

#[tokio::test]
async fn a_serverless_cache_is_not_ready_while_its_token_still_rotates() {
    let fake = Fake::default();
    let ready = serverless_created(&fake).await;
    // Turned on by hand (or by a cluster converge racing this one).
    edit_secret(&fake, |secret| {
        secret.rotation = rotating_with("arn:aws:lambda:us-west-2:123456789012:function:x", 30);
    });
    let rotating = status_reading_only(&fake, &serverless()).await.unwrap();
    assert_eq!(rotating.status, Status::InProgress);
    assert_eq!(rotating.outputs, ready.outputs);
    let stopped = run(&fake, Action::Create, &serverless()).await.unwrap();
    assert_eq!(stopped.status, Status::InProgress);
    assert!(!stored_secret(&fake).rotation.enabled);
    assert_eq!(
        run(&fake, Action::Create, &serverless()).await.unwrap(),
        ready
    );
    // The user kept the token it had: rotation was off before anything changed it.
    assert_eq!(fake.recorder.lock().count("CreateUser"), 1);
}

#[tokio::test]
async fn asleep_a_serverless_cache_turns_rotation_off_too() {
    let fake = Fake::default();
    cluster_rotating_with_a_pending_version(&fake).await;
    let stopping = run(&fake, Action::Create, &serverless_asleep())
        .await
        .unwrap();
    assert_eq!(stopping.status, Status::InProgress);
    assert!(!stored_secret(&fake).rotation.enabled);
    until_ready(&fake, &serverless_asleep()).await;
    let status = status_reading_only(&fake, &serverless_asleep())
        .await
        .unwrap();
    assert_eq!(status.status, Status::Ready);
    // A label a racing rotation step left after the turn-off, or rotation on again by hand: asleep
    // is not READY until `create` clears it.
    let left: [fn(&mut StoredSecret); 2] = [
        |secret| secret.pending_left = true,
        |secret| {
            secret.rotation = rotating_with("arn:aws:lambda:us-west-2:123456789012:function:x", 30)
        },
    ];
    for leave in left {
        edit_secret(&fake, leave);
        let rotating = status_reading_only(&fake, &serverless_asleep())
            .await
            .unwrap();
        assert_eq!(rotating.status, Status::InProgress);
        until_ready(&fake, &serverless_asleep()).await;
        let stored = stored_secret(&fake);
        assert!(!stored.rotation.enabled && !stored.pending_left);
        let status = status_reading_only(&fake, &serverless_asleep())
            .await
            .unwrap();
        assert_eq!(status.status, Status::Ready);
    }
}

#[tokio::test]
async fn a_pending_label_a_racing_rotation_leaves_after_the_turn_off_is_dropped_both_ways() {
    let fake = Fake::default();
    cluster_rotating_with_a_pending_version(&fake).await;
    let ready = until_ready(&fake, &serverless()).await;
    // A createSecret step that checked rotation before the cancel writes its AWSPENDING version
    // after the turn-off.
    edit_secret(&fake, |secret| secret.pending_left = true);
    let left = status_reading_only(&fake, &serverless()).await.unwrap();
    assert_eq!(left.status, Status::InProgress);
    assert_eq!(left.outputs, ready.outputs);
    let before = fake.recorder.lock().changes.len();
    let dropped = run(&fake, Action::Create, &serverless()).await.unwrap();
    assert_eq!(dropped.status, Status::InProgress);
    // Rotation is off already: only the label goes.
    assert_eq!(
        fake.recorder.lock().changes[before..],
        ["UpdateSecretVersionStage"]
    );
    assert_eq!(
        run(&fake, Action::Create, &serverless()).await.unwrap(),
        ready
    );
    assert_eq!(
        status_reading_only(&fake, &serverless()).await.unwrap(),
        ready
    );

    // Left again, then back to a cluster: the label goes before RotateSecret, which Secrets
    // Manager (and the fake) refuses while it is there.
    edit_secret(&fake, |secret| secret.pending_left = true);
    fake.secrets.store().rotations_fail = false;
    let cluster = spec(json!({}));
    let again = until_ready(&fake, &cluster).await;
    assert_eq!(again.outputs["mode"], "cluster");
    let stored = stored_secret(&fake);
    assert!(stored.rotation.enabled && !stored.pending_left);
    assert_eq!(fake.recorder.lock().count("RotateSecret"), 2);
    assert_eq!(fake.recorder.lock().count("UpdateSecretVersionStage"), 3);
}

#[tokio::test]
async fn a_failed_label_removal_fails_the_cluster_create_before_rotate_secret() {
    let fake = Fake::default();
    cluster_rotating_with_a_pending_version(&fake).await;
    until_ready(&fake, &serverless()).await;
    edit_secret(&fake, |secret| secret.pending_left = true);
    fake.secrets.store().rotations_fail = false;
    let cluster = spec(json!({}));
    fake.recorder
        .lock()
        .fail("UpdateSecretVersionStage", "AccessDeniedException");
    let failed = loop {
        match run(&fake, Action::Create, &cluster).await {
            Ok(answer) => assert_eq!(answer.status, Status::InProgress),
            Err(error) => break error,
        }
        fake.elasticache.world().settle();
    };
    assert!(
        failed.to_string().contains("AccessDeniedException"),
        "{failed}"
    );
    assert_eq!(fake.recorder.lock().count("RotateSecret"), 1);
    until_ready(&fake, &cluster).await;
    assert_eq!(fake.recorder.lock().count("RotateSecret"), 2);
}

#[tokio::test]
async fn a_refused_cancel_fails_the_create_before_the_user_takes_the_token() {
    for (operation, code) in [
        ("UpdateSecretVersionStage", "AccessDeniedException"),
        ("CancelRotateSecret", "AccessDeniedException"),
        ("CancelRotateSecret", "ThrottlingException"),
    ] {
        let fake = Fake::default();
        cluster_rotating_with_a_pending_version(&fake).await;
        fake.recorder.lock().fail(operation, code);
        let error = run(&fake, Action::Create, &serverless()).await.unwrap_err();
        assert!(error.to_string().contains(code), "{operation}: {error}");
        assert!(fake.recorder.lock().faults_answered(), "{operation}");
        assert_eq!(fake.recorder.lock().count("CreateUser"), 0, "{operation}");
        // Asked again, it finishes what failed.
        run(&fake, Action::Create, &serverless()).await.unwrap();
        let stored = stored_secret(&fake);
        assert!(
            !stored.rotation.enabled && !stored.pending_left,
            "{operation}"
        );
    }
}
