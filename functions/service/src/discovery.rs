//! Service discovery: the environment's private Cloud Map namespace and the API's service in it,
//! `api.catalog-<suffix>.local`.

use crate::api::{CallResult, Cloud, CloudMapCalls, Named};
use crate::inputs::Inputs;
use env_core::context::Context;
use env_core::naming::{NameKind, Names};

/// The Cloud Map service inside the environment's own namespace: `api.catalog-<suffix>.local`.
pub const DISCOVERY_SERVICE: &str = "api";

/// The API's discovery service, created with its namespace when missing; `None` while Cloud Map
/// is still creating the namespace.
pub async fn ensure<C: Cloud>(cx: &Context<'_, C, &Inputs>) -> CallResult<Option<Named>> {
    let cloud_map = cx.cloud.cloud_map();
    let namespace_name = cx.names.of(NameKind::DiscoveryNamespace);
    let namespace = match cloud_map.namespace(&namespace_name).await? {
        Some(namespace) => namespace,
        None => {
            let vpc = &cx.inputs.vpc_id;
            // The VPC in the token: a later environment of the same name gets its own namespace.
            let token = format!("{namespace_name}-{vpc}");
            cloud_map
                .create_namespace(&namespace_name, vpc, &token, &cx.tags)
                .await?;
            // Cloud Map creates namespaces asynchronously (API reference,
            // CreatePrivateDnsNamespace returns an operation): a later call goes on.
            match cloud_map.namespace(&namespace_name).await? {
                Some(namespace) => namespace,
                None => return Ok(None),
            }
        }
    };
    let existing = cloud_map.discovery_services(&namespace.id).await?;
    match existing
        .into_iter()
        .find(|service| service.name == DISCOVERY_SERVICE)
    {
        Some(service) => Ok(Some(service)),
        None => {
            let token = format!("{}-{DISCOVERY_SERVICE}", namespace.id);
            let created = cloud_map
                .create_discovery_service(DISCOVERY_SERVICE, &namespace.id, &token, &cx.tags)
                .await?;
            Ok(Some(created))
        }
    }
}

/// Whether the API's discovery service is in the namespace; `None` without the namespace (Cloud
/// Map lists one only once it has created it).
pub async fn found<C: Cloud>(cloud: &C, names: Names<'_>) -> CallResult<Option<bool>> {
    let cloud_map = cloud.cloud_map();
    let namespace_name = names.of(NameKind::DiscoveryNamespace);
    let Some(namespace) = cloud_map.namespace(&namespace_name).await? else {
        return Ok(None);
    };
    let services = cloud_map.discovery_services(&namespace.id).await?;
    Ok(Some(
        services
            .iter()
            .any(|service| service.name == DISCOVERY_SERVICE),
    ))
}

/// Deletes the namespace's services, then the namespace; whether the namespace was there.
pub async fn delete<C: Cloud>(cloud: &C, names: Names<'_>) -> CallResult<bool> {
    let cloud_map = cloud.cloud_map();
    let Some(namespace) = cloud_map
        .namespace(&names.of(NameKind::DiscoveryNamespace))
        .await?
    else {
        return Ok(false);
    };
    let mut services_left = false;
    for service in cloud_map.discovery_services(&namespace.id).await? {
        // ECS deregisters a stopped task's instance on its own time; until it has, Cloud Map
        // refuses with ResourceInUse ("Service contains registered instances"), and the
        // namespace with its services (DeleteNamespace: "If the namespace still contains one
        // or more services, the request fails"). The next call deletes them.
        match cloud_map.delete_discovery_service(&service.id).await {
            Err(error) if error.is_code("ResourceInUse") => services_left = true,
            deleted => deleted?,
        }
    }
    if !services_left {
        // DeleteNamespace runs asynchronously (it answers an operation id): a later call
        // that still finds the namespace meets DuplicateRequest ("The operation is already in
        // progress"), or ResourceInUse while Cloud Map still counts a service (Cloud Map API
        // reference, DeleteNamespace). Both wait for the next call.
        match cloud_map.delete_namespace(&namespace.id).await {
            Err(error) if error.is_code("DuplicateRequest") || error.is_code("ResourceInUse") => {}
            deleted => deleted?,
        }
    }
    Ok(true)
}
