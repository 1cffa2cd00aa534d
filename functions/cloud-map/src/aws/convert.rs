//! The SDK's Cloud Map shapes as [`Named`], the tags as Cloud Map's, and the read-back of a listed
//! service kept only when it is still there and in the namespace.

use super::SET;
use crate::{CallResult, Named};
use aws_sdk_servicediscovery::operation::get_service::GetServiceOutput;
use aws_sdk_servicediscovery::types as sd;
use env_core::error::{found, Required};
use env_core::tags::Tag;

pub(super) fn discovery_tags(tags: &[Tag]) -> Vec<sd::Tag> {
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

pub(super) fn discovery_namespace(namespace: &sd::NamespaceSummary) -> CallResult<Named> {
    Ok(Named {
        id: namespace.id().required("NamespaceSummary.Id")?.to_owned(),
        arn: namespace.arn().required("NamespaceSummary.Arn")?.to_owned(),
        name: namespace
            .name()
            .required("NamespaceSummary.Name")?
            .to_owned(),
    })
}

pub(super) fn discovery_service(service: &sd::Service) -> CallResult<Named> {
    Ok(Named {
        id: service.id().required("Service.Id")?.to_owned(),
        arn: service.arn().required("Service.Arn")?.to_owned(),
        name: service.name().required("Service.Name")?.to_owned(),
    })
}

/// The listed service as GetService read it back: none when it is in another namespace.
pub(super) fn in_namespace(
    described: CallResult<GetServiceOutput>,
    namespace_id: &str,
) -> CallResult<Option<Named>> {
    // Another environment's teardown may delete its service between the listing and this
    // read (moto lists every namespace's services): gone is simply not ours.
    let output = found(described, &["ServiceNotFound"])?;
    let service = output
        .as_ref()
        .map(|output| output.service().required("GetServiceResponse.Service"))
        .transpose()?;
    service
        .filter(|service| service.namespace_id() == Some(namespace_id))
        .map(discovery_service)
        .transpose()
}

#[cfg(test)]
mod tests;
