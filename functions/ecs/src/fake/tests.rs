//! The in-memory ECS answers as ECS does.

use super::*;

fn task(family: &str) -> TaskSpec {
    TaskSpec {
        family: family.into(),
        execution_role_arn: "arn:role/execution".into(),
        task_role_arn: "arn:role/task".into(),
        cpu: "256".into(),
        memory: "512".into(),
        cpu_architecture: "X86_64".into(),
        container_name: "api".into(),
        image: "api:1".into(),
        port: 8080,
        user: "1000:1000".into(),
        log_group: "/ecs/api".into(),
        region: "us-west-2".into(),
        environment: Vec::new(),
        secrets: Vec::new(),
        health_check: Vec::new(),
        tmp_volume: "tmp".into(),
    }
}

fn service(cluster: &str) -> ServiceSpec {
    ServiceSpec {
        cluster: cluster.into(),
        name: "ecs-service-pr-42".into(),
        task_definition: "arn:td:1".into(),
        desired_count: 2,
        subnets: Vec::new(),
        security_group: "sg-1".into(),
        target_group_arn: "arn:blue".into(),
        container_name: "api".into(),
        container_port: 8080,
        registry_arn: "arn:registry".into(),
        grace_period_seconds: 60,
        rollback_on_failure: true,
        deployment_percents: (100, 200),
        blue_green: None,
    }
}

#[tokio::test]
async fn a_cluster_is_made_found_and_left_inactive_once_deleted() {
    let recorder = SharedRecorder::default();
    let fake = FakeEcs::new(recorder.clone());
    assert_eq!(fake.cluster("ecs-cluster-pr-42").await.unwrap(), None);
    let made = fake.create_cluster("ecs-cluster-pr-42", &[]).await.unwrap();
    assert_eq!(made.status, "ACTIVE");
    assert!(
        made.arn.ends_with(":cluster/ecs-cluster-pr-42"),
        "{}",
        made.arn
    );
    fake.delete_cluster("ecs-cluster-pr-42").await.unwrap();
    let found = fake.cluster("ecs-cluster-pr-42").await.unwrap().unwrap();
    assert_eq!(found.status, "INACTIVE");
    let error = fake.delete_cluster("other").await.unwrap_err();
    assert!(error.is_code("ClusterNotFoundException"));
    assert_eq!(
        recorder.lock().calls,
        [
            "DescribeClusters",
            "CreateCluster",
            "DeleteCluster",
            "DescribeClusters",
            "DeleteCluster"
        ]
    );
}

#[tokio::test]
async fn revisions_are_registered_with_their_fingerprint_deregistered_and_deleted() {
    let fake = FakeEcs::new(SharedRecorder::default());
    assert_eq!(fake.latest_task_definition("api").await.unwrap(), None);
    let print = Tag {
        key: FINGERPRINT_TAG,
        value: "f1".into(),
    };
    let first = fake
        .register_task_definition(&task("api"), &[])
        .await
        .unwrap();
    let second = fake
        .register_task_definition(&task("api"), &[print])
        .await
        .unwrap();
    fake.register_task_definition(&task("api0"), &[])
        .await
        .unwrap();
    assert_eq!(
        second.fingerprint, None,
        "RegisterTaskDefinition answers none"
    );
    let latest = fake.latest_task_definition("api").await.unwrap().unwrap();
    assert_eq!(
        (latest.arn, latest.fingerprint),
        (second.arn.clone(), Some("f1".into()))
    );
    assert_eq!(
        fake.task_definitions("api").await.unwrap(),
        [first.arn.clone(), second.arn.clone()]
    );
    fake.deregister_task_definition(&first.arn).await.unwrap();
    assert_eq!(fake.world().active_task_definitions().len(), 2);
    assert_eq!(
        fake.inactive_task_definitions("api").await.unwrap(),
        std::slice::from_ref(&first.arn)
    );
    // Only INACTIVE revisions go.
    let refused = fake
        .delete_task_definitions(&[first.arn.clone(), second.arn.clone()])
        .await
        .unwrap();
    assert!(refused.is_empty());
    assert!(fake
        .inactive_task_definitions("api")
        .await
        .unwrap()
        .is_empty());
    assert_eq!(fake.task_definitions("api").await.unwrap(), [second.arn]);
}

#[tokio::test]
async fn a_service_is_found_only_in_its_known_cluster() {
    let fake = FakeEcs::new(SharedRecorder::default());
    let cluster = "ecs-cluster-pr-42";
    let name = "ecs-service-pr-42";
    let made = fake.create_service(&service(cluster), &[]).await.unwrap();
    assert_eq!(made.strategy.as_deref(), Some("ROLLING"));
    // ECS's ClusterNotFoundException, answered as none.
    assert_eq!(fake.service(cluster, name).await.unwrap(), None);
    fake.world().clusters.insert(
        cluster.into(),
        Cluster {
            arn: "arn:cluster".into(),
            status: "ACTIVE".into(),
        },
    );
    fake.world().clusters.insert(
        "other".into(),
        Cluster {
            arn: "arn:other".into(),
            status: "ACTIVE".into(),
        },
    );
    assert_eq!(fake.service(cluster, name).await.unwrap(), Some(made));
    assert_eq!(fake.service("other", name).await.unwrap(), None);
    assert_eq!(fake.service(cluster, "missing").await.unwrap(), None);
}

#[tokio::test]
async fn a_service_is_updated_scaled_switched_to_blue_green_and_drained() {
    let recorder = SharedRecorder::default();
    let fake = FakeEcs::new(recorder.clone());
    let mut spec = service("c");
    let name = spec.name.clone();
    fake.create_service(&spec, &[]).await.unwrap();
    fake.world().services.get_mut(&name).unwrap().1.rollout = Some("COMPLETED".into());
    fake.update_task_definition("c", &name, "arn:td:2", None)
        .await
        .unwrap();
    // The revision alone keeps the count the service was created with.
    assert_eq!(fake.world().services[&name].1.desired_count, 2);
    fake.scale_service("c", &name, 5).await.unwrap();
    spec.blue_green = Some(crate::BlueGreen {
        alternate_target_group_arn: "arn:green".into(),
        production_listener_rule: "arn:production".into(),
        test_listener_rule: "arn:test".into(),
        role_arn: "arn:role".into(),
        bake_time_minutes: 5,
    });
    fake.update_deployment(&spec).await.unwrap();
    {
        let world = fake.world();
        let (wanted, service) = &world.services[&name];
        assert!(wanted.blue_green.is_some());
        assert_eq!(service.task_definition, "arn:td:2");
        assert_eq!(service.rollout.as_deref(), Some("IN_PROGRESS"));
        assert_eq!(service.desired_count, 5);
        assert_eq!(
            service.deployments.len(),
            2,
            "the new revision's deployment"
        );
        assert_eq!(service.strategy.as_deref(), Some("BLUE_GREEN"));
        assert_eq!(service.alternate_target_group.as_deref(), Some("arn:green"));
    }
    fake.world().slow_service_deletion = true;
    fake.delete_service("c", &name).await.unwrap();
    assert_eq!(fake.world().services[&name].1.status, "DRAINING");
    fake.world().slow_service_deletion = false;
    fake.delete_service("c", &name).await.unwrap();
    assert_eq!(fake.world().services[&name].1.status, "INACTIVE");
    assert_eq!(recorder.lock().count("ScaleService"), 1);
    assert_eq!(recorder.lock().count("UpdateServiceDeployment"), 1);
}

#[tokio::test]
async fn one_update_rolls_a_service_of_no_tasks_onto_a_revision_and_a_count() {
    let recorder = SharedRecorder::default();
    let fake = FakeEcs::new(recorder.clone());
    // A warm-pool environment's service: created with no task.
    let spec = ServiceSpec {
        desired_count: 0,
        ..service("c")
    };
    fake.create_service(&spec, &[]).await.unwrap();
    fake.world().services.get_mut(&spec.name).unwrap().1.rollout = Some("COMPLETED".into());
    fake.update_task_definition("c", &spec.name, "arn:td:2", Some(3))
        .await
        .unwrap();
    let world = fake.world();
    let (_, service) = &world.services[&spec.name];
    assert_eq!(service.desired_count, 3);
    assert_eq!(service.task_definition, "arn:td:2");
    assert_eq!(service.rollout.as_deref(), Some("IN_PROGRESS"));
    assert_eq!(service.deployments.len(), 2);
    assert_eq!(
        recorder.lock().changes,
        ["CreateService", "UpdateServiceTaskDefinition"]
    );
}

#[tokio::test]
async fn a_forced_deployment_is_a_newer_one_on_the_clock_with_the_same_revision() {
    let recorder = SharedRecorder::default();
    let fake = FakeEcs::new(recorder.clone());
    fake.world().now_nanos = 1_700_000_000_000_000_000;
    let spec = service("c");
    let made = fake.create_service(&spec, &[]).await.unwrap();
    let first = Deployment {
        created_nanos: Some(1_700_000_000_000_000_000),
    };
    assert_eq!(made.deployments, [first]);
    fake.world().services.get_mut(&spec.name).unwrap().1.rollout = Some("COMPLETED".into());
    fake.force_new_deployment("c", &spec.name).await.unwrap();
    let world = fake.world();
    let (_, service) = &world.services[&spec.name];
    let forced = Deployment {
        created_nanos: Some(1_700_000_001_000_000_000),
    };
    assert_eq!(service.deployments, [first, forced]);
    assert_eq!(service.rollout.as_deref(), Some("IN_PROGRESS"));
    assert_eq!(service.task_definition, "arn:td:1");
    assert_eq!(
        recorder.lock().changes,
        ["CreateService", "ForceNewDeployment"]
    );
}

#[tokio::test]
async fn a_service_being_deleted_takes_no_new_deployment() {
    let fake = FakeEcs::new(SharedRecorder::default());
    let spec = service("c");
    fake.create_service(&spec, &[]).await.unwrap();
    fake.world().slow_service_deletion = true;
    fake.delete_service("c", &spec.name).await.unwrap();
    let forced = fake.force_new_deployment("c", &spec.name).await;
    assert!(forced.unwrap_err().is_code("ServiceNotActiveException"));
    let updated = fake
        .update_task_definition("c", &spec.name, "arn:td:2", Some(2))
        .await;
    assert!(updated.unwrap_err().is_code("ServiceNotActiveException"));
    let (_, service) = &fake.world().services[&spec.name];
    assert_eq!(service.deployments.len(), 1, "only the first deployment");
}

#[tokio::test]
async fn changing_an_unknown_service_is_ecss_service_not_found() {
    let fake = FakeEcs::new(SharedRecorder::default());
    let spec = service("c");
    let errors = [
        fake.update_task_definition("c", "gone", "arn:td:2", None)
            .await,
        fake.update_deployment(&spec).await,
        fake.scale_service("c", "gone", 1).await,
        fake.force_new_deployment("c", "gone").await,
        fake.delete_service("c", "gone").await,
    ];
    for error in errors {
        assert!(error.unwrap_err().is_code("ServiceNotFoundException"));
    }
}

#[tokio::test]
async fn an_injected_fault_answers_the_call_and_changes_nothing() {
    let recorder = SharedRecorder::default();
    let fake = FakeEcs::new(recorder.clone());
    recorder
        .lock()
        .fail("CreateCluster", "AccessDeniedException");
    recorder
        .lock()
        .fail("DescribeServices", "ThrottlingException");
    let error = fake.create_cluster("c", &[]).await.unwrap_err();
    assert!(error.is_code("AccessDeniedException"));
    let error = fake.service("c", "s").await.unwrap_err();
    assert!(error.is_code("ThrottlingException"));
    assert_eq!(*fake.world(), EcsWorld::default());
    assert!(recorder.lock().changes.is_empty());
    assert!(recorder.lock().faults_answered());
}
