//! A capacity range changed in the spec of an existing cluster: applied once RDS can take it,
//! kept when it cannot.

use super::*;
use crate::api::{EngineVersion, Scaling};

#[tokio::test]
async fn a_changed_capacity_range_reaches_the_existing_cluster_once_it_is_available() {
    let cloud = FakeCloud::default();
    ready(&cloud, json!({})).await;
    let pausing = json!({"dbMinCapacity": 0, "dbAutoPauseSeconds": 600});
    let response = run(&cloud, Action::Create, pausing.clone()).await.unwrap();
    // Not READY on the call that changed it: RDS applies it first.
    assert_eq!(response.status, Status::InProgress);
    assert!(changes(&cloud).contains(&"ModifyDBCluster"));
    let scaling = cloud.rds.world().clusters["aurora-pr-42"].1.scaling.clone();
    let wanted = Scaling {
        min_capacity: 0.0,
        max_capacity: 4.0,
        seconds_until_auto_pause: Some(600),
    };
    assert_eq!(scaling, Some(wanted));
    // The range as wanted: never changed again. (The rotation function's new login timeout for a
    // pausing database is an update of its own, which READY waits for.)
    for _ in 0..3 {
        run(&cloud, Action::Create, pausing.clone()).await.unwrap();
    }
    let response = run(&cloud, Action::Create, pausing).await.unwrap();
    assert_eq!(response.status, Status::Ready);
    assert!(!changes(&cloud).contains(&"ModifyDBCluster"));
}

#[tokio::test]
async fn a_range_the_clusters_engine_version_cannot_hold_is_left_as_it_is() {
    let cloud = FakeCloud::default();
    ready(&cloud, json!({})).await;
    // The cluster's 16.9 without auto-pause: a minimum of 0 would be refused.
    let no_pause = EngineVersion {
        serverless_v2_range: Some((0.5, 256.0)),
        ..crate::fake::engine_version("16.9")
    };
    cloud.rds.world().engine_versions = Some(vec![no_pause]);
    run(&cloud, Action::Create, json!({"dbMinCapacity": 0}))
        .await
        .unwrap();
    assert!(!changes(&cloud).contains(&"ModifyDBCluster"));
    let scaling = cloud.rds.world().clusters["aurora-pr-42"].1.scaling.clone();
    assert_eq!(scaling.map(|range| range.min_capacity), Some(0.5));
}

#[tokio::test]
async fn a_cluster_that_reports_no_serverless_range_and_a_refused_change_are_handled() {
    let cloud = FakeCloud::default();
    ready(&cloud, json!({})).await;
    cloud.recorder.lock().fail("ModifyDBCluster", "Throttling");
    let error = run(&cloud, Action::Create, json!({"dbMinCapacity": 1}))
        .await
        .unwrap_err();
    assert_eq!(error.error_name(), ErrorName::Retryable);
    // Not Serverless v2 as far as RDS says: nothing to compare, nothing changed.
    cloud
        .rds
        .world()
        .clusters
        .get_mut("aurora-pr-42")
        .unwrap()
        .1
        .scaling = None;
    let response = run(&cloud, Action::Create, json!({"dbMinCapacity": 1}))
        .await
        .unwrap();
    assert_eq!(response.status, Status::Ready);
    assert!(!changes(&cloud).contains(&"ModifyDBCluster"));
}

#[tokio::test]
async fn a_busy_cluster_is_waited_for_a_refused_range_kept_and_the_maximum_never_changed() {
    let cloud = FakeCloud::default();
    ready(&cloud, json!({})).await;
    let range = |cloud: &FakeCloud| cloud.rds.world().clusters["aurora-pr-42"].1.scaling.clone();
    let before = range(&cloud);
    // A new maximum only reaches a new environment: max_connections follows it only at a reboot.
    run(&cloud, Action::Create, json!({"dbMaxCapacity": 8}))
        .await
        .unwrap();
    assert!(!changes(&cloud).contains(&"ModifyDBCluster"));
    assert_eq!(range(&cloud), before);
    // Still applying an earlier change: not READY, no error, tried again by a later call.
    cloud
        .recorder
        .lock()
        .fail("ModifyDBCluster", "InvalidDBClusterStateFault");
    let response = run(&cloud, Action::Create, json!({"dbMinCapacity": 1}))
        .await
        .unwrap();
    assert_eq!(response.status, Status::InProgress);
    assert_eq!(range(&cloud), before);
    // Refused for the cluster's platform: kept as it is, the environment READY.
    cloud
        .recorder
        .lock()
        .fail("ModifyDBCluster", "InvalidParameterCombination");
    let response = run(&cloud, Action::Create, json!({"dbMinCapacity": 1}))
        .await
        .unwrap();
    assert_eq!(response.status, Status::Ready);
    assert_eq!(range(&cloud), before);
    // Then applied once RDS takes it.
    let response = run(&cloud, Action::Create, json!({"dbMinCapacity": 1}))
        .await
        .unwrap();
    assert_eq!(response.status, Status::InProgress);
    assert_eq!(range(&cloud).map(|range| range.min_capacity), Some(1.0));
}
