//! [`CloudMapCalls`] over the SDK client: the private DNS namespace and its discovery services,
//! each call's errors named after its operation.

use super::convert::{discovery_namespace, discovery_service, discovery_tags, in_namespace};
use super::{CloudMap, SET};
use crate::{CallResult, CloudMapCalls, Named};
use aws_sdk_servicediscovery::types as sd;
use env_core::error::{aws_error, Required};
use env_core::tags::Tag;

impl CloudMapCalls for CloudMap {
    async fn namespace(&self, name: &str) -> CallResult<Option<Named>> {
        let pages = self
            .client
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

    async fn create_namespace(
        &self,
        name: &str,
        vpc_id: &str,
        token: &str,
        tags: &[Tag],
    ) -> CallResult<()> {
        self.client
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

    async fn discovery_services(&self, namespace_id: &str) -> CallResult<Vec<Named>> {
        let filter = sd::ServiceFilter::builder()
            .name(sd::ServiceFilterName::NamespaceId)
            .values(namespace_id)
            .condition(sd::FilterCondition::Eq)
            .build()
            .expect(SET);
        let pages = self
            .client
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
            let described = self
                .client
                .get_service()
                .id(summary.id().required("ServiceSummary.Id")?)
                .send()
                .await
                .map_err(aws_error("GetService"));
            let kept = in_namespace(described, namespace_id)?;
            services.extend(kept);
        }
        Ok(services)
    }

    async fn create_discovery_service(
        &self,
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
        let output = self
            .client
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

    async fn delete_discovery_service(&self, id: &str) -> CallResult<()> {
        self.client
            .delete_service()
            .id(id)
            .send()
            .await
            .map_err(aws_error("DeleteService"))?;
        Ok(())
    }

    async fn delete_namespace(&self, id: &str) -> CallResult<()> {
        self.client
            .delete_namespace()
            .id(id)
            .send()
            .await
            .map_err(aws_error("DeleteNamespace"))?;
        Ok(())
    }
}
