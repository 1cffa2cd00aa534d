//! The Cloud Map calls of the components that own or read an environment's service discovery (the
//! service function makes and deletes the namespace and its discovery service; the outputs function
//! reads which services the namespace has): one capability, [`CloudMapCalls`], written once over
//! the SDK ([`CloudMap`]) and once in memory for the unit tests (`fake::FakeCloudMap`, feature
//! `test-util`). Each function's `Cloud` hands out its implementation instead of declaring the
//! calls again. The moto tests drive every SDK method through those functions' binaries.

mod aws;

pub use aws::CloudMap;

use env_core::tags::Tag;
use env_core::AwsCallError;

pub type CallResult<T> = Result<T, AwsCallError>;

/// A namespace or a discovery service, as Cloud Map names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Named {
    pub id: String,
    pub arn: String,
    pub name: String,
}

/// Everything the environment's functions ask of Cloud Map.
// The lint warns that callers cannot require `Send` futures from a public async trait; only the
// functions' binaries implement and call it, and their entry point does not need `Send`.
#[allow(async_fn_in_trait)]
pub trait CloudMapCalls {
    /// The namespace of that name, if any; one being created (asynchronously) may not be listed
    /// yet.
    async fn namespace(&self, name: &str) -> CallResult<Option<Named>>;
    /// A private DNS namespace in the VPC; `token` makes a retried creation the same one.
    async fn create_namespace(
        &self,
        name: &str,
        vpc_id: &str,
        token: &str,
        tags: &[Tag],
    ) -> CallResult<()>;
    /// The namespace's services, each one's namespace read back (emulators that ignore the
    /// listing's filter); one deleted between the listing and the read is not there.
    async fn discovery_services(&self, namespace_id: &str) -> CallResult<Vec<Named>>;
    async fn create_discovery_service(
        &self,
        name: &str,
        namespace_id: &str,
        token: &str,
        tags: &[Tag],
    ) -> CallResult<Named>;
    async fn delete_discovery_service(&self, id: &str) -> CallResult<()>;
    async fn delete_namespace(&self, id: &str) -> CallResult<()>;
}

#[cfg(any(test, feature = "test-util"))]
pub mod fake;
