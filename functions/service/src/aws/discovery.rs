//! Cloud Map: the private DNS namespace and the service's discovery service.

use super::SET;
use crate::api::{found, CallResult, Named};
use aws_sdk_servicediscovery::types as sd;
use aws_sdk_servicediscovery::Client;
use env_core::error::{aws_error, Required};
use env_core::tags::Tag;

fn discovery_tags(tags: &[Tag]) -> Vec<sd::Tag> {
    tags.iter()
        .map(|tag| {
            sd::Tag::builder()
                .key(tag.key)
                .value(&tag.value)
                .build()
                .expect(SET)
        })
        .collect()
}

fn discovery_namespace(namespace: &sd::NamespaceSummary) -> CallResult<Named> {
    Ok(Named {
        id: namespace.id().required("NamespaceSummary.Id")?.to_owned(),
        arn: namespace.arn().required("NamespaceSummary.Arn")?.to_owned(),
        name: namespace
            .name()
            .required("NamespaceSummary.Name")?
            .to_owned(),
    })
}

fn discovery_service(service: &sd::Service) -> CallResult<Named> {
    Ok(Named {
        id: service.id().required("Service.Id")?.to_owned(),
        arn: service.arn().required("Service.Arn")?.to_owned(),
        name: service.name().required("Service.Name")?.to_owned(),
    })
}

pub(super) async fn namespace(client: &Client, name: &str) -> CallResult<Option<Named>> {
    let pages = client
        .list_namespaces()
        .into_paginator()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .map_err(aws_error("ListNamespaces"))?;
    pages
        .iter()
        .flat_map(|page| page.namespaces())
        .find(|namespace| namespace.name() == Some(name))
        .map(discovery_namespace)
        .transpose()
}

pub(super) async fn create_namespace(
    client: &Client,
    name: &str,
    vpc_id: &str,
    token: &str,
    tags: &[Tag],
) -> CallResult<()> {
    client
        .create_private_dns_namespace()
        .name(name)
        .vpc(vpc_id)
        .creator_request_id(token)
        .description("Service discovery of the catalog API environment")
        .set_tags(Some(discovery_tags(tags)))
        .send()
        .await
        .map_err(aws_error("CreatePrivateDnsNamespace"))?;
    Ok(())
}

pub(super) async fn discovery_services(
    client: &Client,
    namespace_id: &str,
) -> CallResult<Vec<Named>> {
    let filter = sd::ServiceFilter::builder()
        .name(sd::ServiceFilterName::NamespaceId)
        .values(namespace_id)
        .condition(sd::FilterCondition::Eq)
        .build()
        .expect(SET);
    let pages = client
        .list_services()
        .filters(filter)
        .into_paginator()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .map_err(aws_error("ListServices"))?;
    // Some emulators ignore the filter (moto): the namespace is read from each service.
    let mut services = Vec::new();
    for summary in pages.iter().flat_map(|page| page.services()) {
        let described = client
            .get_service()
            .id(summary.id().required("ServiceSummary.Id")?)
            .send()
            .await
            .map_err(aws_error("GetService"));
        // Another environment's teardown may delete its service between the listing and this
        // read (moto lists every namespace's services): gone is simply not ours.
        let output = found(described, &["ServiceNotFound"])?;
        let service = output
            .as_ref()
            .map(|output| output.service().required("GetServiceResponse.Service"))
            .transpose()?;
        if let Some(service) =
            service.filter(|service| service.namespace_id() == Some(namespace_id))
        {
            services.push(discovery_service(service)?);
        }
    }
    Ok(services)
}

pub(super) async fn create_discovery_service(
    client: &Client,
    name: &str,
    namespace_id: &str,
    token: &str,
    tags: &[Tag],
) -> CallResult<Named> {
    // A records for awsvpc tasks, short TTL so replaced tasks drop out quickly; the custom
    // health check lets ECS report task health (ECS developer guide, "Service discovery";
    // its failure threshold is always 1).
    let record = sd::DnsRecord::builder()
        .r#type(sd::RecordType::A)
        .ttl(10)
        .build()
        .expect(SET);
    let dns = sd::DnsConfig::builder()
        .routing_policy(sd::RoutingPolicy::Multivalue)
        .dns_records(record)
        .build()
        .expect(SET);
    let output = client
        .create_service()
        .name(name)
        .namespace_id(namespace_id)
        .creator_request_id(token)
        .dns_config(dns)
        .health_check_custom_config(sd::HealthCheckCustomConfig::builder().build())
        .set_tags(Some(discovery_tags(tags)))
        .send()
        .await
        .map_err(aws_error("CreateService"))?;
    discovery_service(output.service().required("CreateServiceResponse.Service")?)
}

pub(super) async fn delete_discovery_service(client: &Client, id: &str) -> CallResult<()> {
    client
        .delete_service()
        .id(id)
        .send()
        .await
        .map_err(aws_error("DeleteService"))?;
    Ok(())
}

pub(super) async fn delete_namespace(client: &Client, id: &str) -> CallResult<()> {
    client
        .delete_namespace()
        .id(id)
        .send()
        .await
        .map_err(aws_error("DeleteNamespace"))?;
    Ok(())
}
