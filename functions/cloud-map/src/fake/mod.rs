//! [`CloudMapCalls`] in memory, for the unit tests of every caller: it keeps what was created,
//! answers the finders from it, and fails a named operation with a given AWS error code when a test
//! asks, the way AWS answers. Every call lands in the function's shared [`SharedRecorder`], where a
//! test injects its faults and reads the calls. The discovery service's calls are recorded as
//! `CreateDiscoveryService` and `DeleteDiscoveryService`, apart from ECS's CreateService and
//! DeleteService in the same recorder.

use crate::{CallResult, CloudMapCalls, Named};
use env_core::recorder::{RecordedWorld, SharedRecorder};
use env_core::tags::Tag;

/// The account the fake's ARNs are in.
pub const ACCOUNT: &str = "123456789012";

/// What the fake Cloud Map holds; a test puts namespaces and services here directly.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct CloudMapWorld {
    /// (namespace, VPC id).
    pub namespaces: Vec<(Named, String)>,
    /// (namespace id, service).
    pub discovery: Vec<(String, Named)>,
    /// A new namespace appears only on the next lookup but one (AWS creates it asynchronously).
    pub slow_namespace: bool,
    pending_namespace: Option<(Named, String)>,
    next_id: u32,
}

impl CloudMapWorld {
    fn id(&mut self, prefix: &str) -> String {
        self.next_id += 1;
        format!("{prefix}-{:04}", self.next_id)
    }
}

#[derive(Debug)]
pub struct FakeCloudMap {
    /// What was made, and the function's recorder its calls land in.
    recorded: RecordedWorld<CloudMapWorld>,
}

impl FakeCloudMap {
    /// An account with nothing made in it, whose calls land in `recorder`.
    pub fn new(recorder: SharedRecorder) -> Self {
        let mut recorded = RecordedWorld::new(CloudMapWorld::default());
        recorded.recorder = recorder;
        Self { recorded }
    }
}

env_core::recorded_world!(FakeCloudMap, CloudMapWorld, recorded);

impl CloudMapCalls for FakeCloudMap {
    async fn namespace(&self, name: &str) -> CallResult<Option<Named>> {
        let mut world = self.read("ListNamespaces")?;
        let found = world
            .namespaces
            .iter()
            .find(|(namespace, _)| namespace.name == name)
            .map(|(namespace, _)| namespace.clone());
        // A slow creation shows up one lookup later.
        if let Some(pending) = world.pending_namespace.take() {
            world.namespaces.push(pending);
        }
        Ok(found)
    }

    async fn create_namespace(
        &self,
        name: &str,
        vpc_id: &str,
        _token: &str,
        _tags: &[Tag],
    ) -> CallResult<()> {
        let mut world = self.write("CreatePrivateDnsNamespace")?;
        let id = world.id("ns");
        let namespace = Named {
            arn: format!("arn:aws:servicediscovery:us-west-2:{ACCOUNT}:namespace/{id}"),
            id,
            name: name.to_owned(),
        };
        if world.slow_namespace {
            world.pending_namespace = Some((namespace, vpc_id.to_owned()));
        } else {
            world.namespaces.push((namespace, vpc_id.to_owned()));
        }
        Ok(())
    }

    async fn discovery_services(&self, namespace_id: &str) -> CallResult<Vec<Named>> {
        let world = self.read("ListServices")?;
        Ok(world
            .discovery
            .iter()
            .filter(|(namespace, _)| namespace == namespace_id)
            .map(|(_, service)| service.clone())
            .collect())
    }

    async fn create_discovery_service(
        &self,
        name: &str,
        namespace_id: &str,
        _token: &str,
        _tags: &[Tag],
    ) -> CallResult<Named> {
        let mut world = self.write("CreateDiscoveryService")?;
        let id = world.id("srv");
        let service = Named {
            arn: format!("arn:aws:servicediscovery:us-west-2:{ACCOUNT}:service/{id}"),
            id,
            name: name.to_owned(),
        };
        world
            .discovery
            .push((namespace_id.to_owned(), service.clone()));
        Ok(service)
    }

    async fn delete_discovery_service(&self, id: &str) -> CallResult<()> {
        let mut world = self.write("DeleteDiscoveryService")?;
        world.discovery.retain(|(_, service)| service.id != id);
        Ok(())
    }

    async fn delete_namespace(&self, id: &str) -> CallResult<()> {
        let mut world = self.write("DeleteNamespace")?;
        world.namespaces.retain(|(namespace, _)| namespace.id != id);
        Ok(())
    }
}

#[cfg(test)]
mod tests;
