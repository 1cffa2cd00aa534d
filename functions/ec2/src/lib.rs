//! The EC2 calls of the components that own or read an environment's network (the network
//! function makes and deletes it, the outputs function reads its VPC and subnets): one capability,
//! [`Ec2Calls`], written once over the SDK ([`Ec2`]) and once in memory for the unit tests
//! (`fake::FakeEc2`, feature `test-util`). Each function's `Cloud` hands out its implementation
//! instead of declaring the calls again. Every finder returns the environment tag it read, and the
//! callers keep only what carries their environment's tag: some emulators (moto) ignore tag filters
//! on some describe calls, and AWS lists a resource for a while after it was deleted. The moto
//! tests drive every SDK method through those functions' binaries.

mod aws;
mod types;

pub use aws::Ec2;
pub use types::*;

use env_core::tags::Tag;
use env_core::AwsCallError;

pub type CallResult<T> = Result<T, AwsCallError>;

/// Everything the environment's functions ask of EC2.
// The lint warns that callers cannot require `Send` futures from a public async trait; only the
// functions' binaries implement and call it, and their entry point does not need `Send`.
#[allow(async_fn_in_trait)]
pub trait Ec2Calls {
    // Finders. `environment` is the suffix, matched against the environment tag; the caller keeps
    // only what carries it.
    async fn availability_zones(&self) -> CallResult<Vec<String>>;
    async fn vpcs(&self, environment: &str) -> CallResult<Vec<Vpc>>;
    async fn subnets(&self, vpc_id: &str) -> CallResult<Vec<Subnet>>;
    async fn internet_gateways(&self, environment: &str) -> CallResult<Vec<InternetGateway>>;
    async fn addresses(&self, environment: &str) -> CallResult<Vec<Labels>>;
    async fn nat_gateways(&self, environment: &str) -> CallResult<Vec<NatGateway>>;
    async fn route_tables(&self, vpc_id: &str) -> CallResult<Vec<RouteTable>>;
    async fn security_groups(&self, vpc_id: &str) -> CallResult<Vec<SecurityGroup>>;
    async fn network_interfaces(&self, vpc_id: &str) -> CallResult<Vec<NetworkInterface>>;
    async fn flow_logs(&self, vpc_id: &str) -> CallResult<Vec<Labels>>;
    async fn s3_endpoints(&self, vpc_id: &str) -> CallResult<Vec<Labels>>;

    // Creation.
    async fn create_vpc(&self, cidr: &str, tags: &[Tag]) -> CallResult<Vpc>;
    async fn enable_dns(&self, vpc_id: &str) -> CallResult<()>;
    async fn create_subnet(
        &self,
        vpc_id: &str,
        cidr: &str,
        zone: &str,
        tags: &[Tag],
    ) -> CallResult<Subnet>;
    async fn create_internet_gateway(&self, tags: &[Tag]) -> CallResult<InternetGateway>;
    async fn attach_internet_gateway(&self, gateway_id: &str, vpc_id: &str) -> CallResult<()>;
    async fn allocate_address(&self, tags: &[Tag]) -> CallResult<Labels>;
    async fn create_nat_gateway(
        &self,
        subnet_id: &str,
        allocation_id: &str,
        token: &str,
        tags: &[Tag],
    ) -> CallResult<NatGateway>;
    async fn create_route_table(&self, vpc_id: &str, tags: &[Tag]) -> CallResult<RouteTable>;
    async fn create_default_route(&self, table_id: &str, target: &RouteTarget) -> CallResult<()>;
    async fn associate_route_table(&self, table_id: &str, subnet_id: &str) -> CallResult<()>;
    async fn create_security_group(
        &self,
        vpc_id: &str,
        name: &str,
        description: &str,
        tags: &[Tag],
    ) -> CallResult<SecurityGroup>;
    async fn authorize(&self, group_id: &str, rules: &[Rule]) -> CallResult<()>;
    async fn revoke(&self, group_id: &str, rules: &[Rule]) -> CallResult<()>;
    /// Why AWS refused to create the flow log, if it did: CreateFlowLogs reports that in its
    /// answer (`Unsuccessful`), not as an error.
    async fn create_flow_log(
        &self,
        vpc_id: &str,
        log_group: &str,
        role_arn: &str,
        tags: &[Tag],
    ) -> CallResult<Vec<String>>;
    async fn create_s3_endpoint(
        &self,
        vpc_id: &str,
        route_table_ids: &[String],
        tags: &[Tag],
    ) -> CallResult<()>;

    // Deletion.
    async fn delete_nat_gateway(&self, id: &str) -> CallResult<()>;
    /// Removes the table's IPv4 default route (`0.0.0.0/0`), whatever its target.
    async fn delete_default_route(&self, table_id: &str) -> CallResult<()>;
    async fn release_address(&self, allocation_id: &str) -> CallResult<()>;
    async fn detach_internet_gateway(&self, gateway_id: &str, vpc_id: &str) -> CallResult<()>;
    async fn delete_internet_gateway(&self, id: &str) -> CallResult<()>;
    async fn delete_security_group(&self, id: &str) -> CallResult<()>;
    async fn delete_network_interface(&self, id: &str) -> CallResult<()>;
    async fn delete_subnet(&self, id: &str) -> CallResult<()>;
    async fn disassociate_route_table(&self, association_id: &str) -> CallResult<()>;
    async fn delete_route_table(&self, id: &str) -> CallResult<()>;
    async fn delete_flow_log(&self, id: &str) -> CallResult<()>;
    async fn delete_endpoint(&self, id: &str) -> CallResult<()>;
    async fn delete_vpc(&self, id: &str) -> CallResult<()>;
}

#[cfg(any(test, feature = "test-util"))]
pub mod fake;
