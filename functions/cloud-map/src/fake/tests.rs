//! The in-memory Cloud Map answers as Cloud Map does.

use super::*;

#[tokio::test]
async fn a_namespace_and_its_services_are_made_listed_and_deleted() {
    let recorder = SharedRecorder::default();
    let fake = FakeCloudMap::new(recorder.clone());
    let name = "pr-42.catalog.internal";
    assert_eq!(fake.namespace(name).await.unwrap(), None);
    fake.create_namespace(name, "vpc-1", "token", &[])
        .await
        .unwrap();
    let namespace = fake.namespace(name).await.unwrap().unwrap();
    assert_eq!(fake.world().namespaces[0].1, "vpc-1");
    let service = fake
        .create_discovery_service("api", &namespace.id, "token", &[])
        .await
        .unwrap();
    assert!(service.arn.ends_with(&format!("service/{}", service.id)));
    fake.world().discovery.push((
        "ns-other".into(),
        Named {
            id: "srv-other".into(),
            arn: "arn:srv-other".into(),
            name: "api".into(),
        },
    ));
    let listed = fake.discovery_services(&namespace.id).await.unwrap();
    assert_eq!(listed, std::slice::from_ref(&service));
    fake.delete_discovery_service(&service.id).await.unwrap();
    fake.delete_namespace(&namespace.id).await.unwrap();
    assert!(fake
        .discovery_services(&namespace.id)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(fake.namespace(name).await.unwrap(), None);
    assert_eq!(
        recorder.lock().changes,
        [
            "CreatePrivateDnsNamespace",
            "CreateDiscoveryService",
            "DeleteDiscoveryService",
            "DeleteNamespace"
        ]
    );
}

#[tokio::test]
async fn a_slow_namespace_is_listed_only_on_the_lookup_after_next() {
    let fake = FakeCloudMap::new(SharedRecorder::default());
    fake.world().slow_namespace = true;
    fake.create_namespace("ns", "vpc-1", "token", &[])
        .await
        .unwrap();
    assert_eq!(fake.namespace("ns").await.unwrap(), None);
    assert_eq!(fake.namespace("ns").await.unwrap().unwrap().name, "ns");
}

#[tokio::test]
async fn an_injected_fault_answers_the_call_and_changes_nothing() {
    let recorder = SharedRecorder::default();
    let fake = FakeCloudMap::new(recorder.clone());
    recorder
        .lock()
        .fail("CreatePrivateDnsNamespace", "ThrottlingException");
    recorder
        .lock()
        .fail("ListServices", "AccessDeniedException");
    let error = fake
        .create_namespace("ns", "vpc-1", "t", &[])
        .await
        .unwrap_err();
    assert!(error.is_code("ThrottlingException"));
    let error = fake.discovery_services("ns-1").await.unwrap_err();
    assert!(error.is_code("AccessDeniedException"));
    assert_eq!(*fake.world(), CloudMapWorld::default());
    assert!(recorder.lock().changes.is_empty());
}
