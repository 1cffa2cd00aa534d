//! The SDK's Cloud Map answers read into [`Named`], and a listed service's read-back kept only
//! when it is there and in the namespace.

use super::*;
use env_core::error::aws_failure;

fn described(namespace_id: Option<&str>) -> sd::Service {
    sd::Service::builder()
        .id("srv-1")
        .arn("arn:aws:servicediscovery:us-west-2:123456789012:service/srv-1")
        .name("api")
        .set_namespace_id(namespace_id.map(str::to_owned))
        .build()
}

fn named() -> Named {
    Named {
        id: "srv-1".into(),
        arn: "arn:aws:servicediscovery:us-west-2:123456789012:service/srv-1".into(),
        name: "api".into(),
    }
}

#[test]
fn a_namespace_and_a_service_are_read_with_their_required_members() {
    let summary = sd::NamespaceSummary::builder()
        .id("ns-1")
        .arn("arn:namespace/ns-1")
        .name("pr-42.catalog.internal")
        .build();
    assert_eq!(
        discovery_namespace(&summary).unwrap(),
        Named {
            id: "ns-1".into(),
            arn: "arn:namespace/ns-1".into(),
            name: "pr-42.catalog.internal".into(),
        }
    );
    let without_name = sd::NamespaceSummary::builder().id("ns-1").arn("a").build();
    let error = discovery_namespace(&without_name).unwrap_err();
    assert!(
        error.to_string().contains("NamespaceSummary.Name"),
        "{error}"
    );
    assert!(discovery_namespace(&sd::NamespaceSummary::builder().build()).is_err());
    assert!(discovery_namespace(&sd::NamespaceSummary::builder().id("ns").build()).is_err());

    assert_eq!(discovery_service(&described(None)).unwrap(), named());
    let error = discovery_service(&sd::Service::builder().id("s").arn("a").build()).unwrap_err();
    assert!(error.to_string().contains("Service.Name"), "{error}");
    assert!(discovery_service(&sd::Service::builder().build()).is_err());
    assert!(discovery_service(&sd::Service::builder().id("s").build()).is_err());
}

#[test]
fn a_listed_service_is_kept_only_when_read_back_in_the_namespace() {
    let answer = |namespace| {
        Ok(GetServiceOutput::builder()
            .service(described(namespace))
            .build())
    };
    assert_eq!(
        in_namespace(answer(Some("ns-1")), "ns-1").unwrap(),
        Some(named())
    );
    // Moto lists every namespace's services.
    assert_eq!(in_namespace(answer(Some("ns-2")), "ns-1").unwrap(), None);
    assert_eq!(in_namespace(answer(None), "ns-1").unwrap(), None);
    // Deleted between the listing and the read.
    let gone = Err(aws_failure("GetService", "ServiceNotFound"));
    assert_eq!(in_namespace(gone, "ns-1").unwrap(), None);
    let denied = Err(aws_failure("GetService", "AccessDeniedException"));
    assert!(in_namespace(denied, "ns-1")
        .unwrap_err()
        .is_code("AccessDeniedException"));
    let empty = Ok(GetServiceOutput::builder().build());
    let error = in_namespace(empty, "ns-1").unwrap_err();
    assert!(
        error.to_string().contains("GetServiceResponse.Service"),
        "{error}"
    );
}

#[test]
fn tags_are_written_as_cloud_maps() {
    let written = discovery_tags(&[Tag {
        key: "Team",
        value: "catalog".into(),
    }]);
    assert_eq!((written[0].key(), written[0].value()), ("Team", "catalog"));
}
