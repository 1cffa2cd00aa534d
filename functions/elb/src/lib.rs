//! The Elastic Load Balancing v2 calls of the components that own or read an environment's load
//! balancer (the edge function makes and deletes it with its target groups, listeners and rules;
//! the outputs function reads it): one capability, [`ElbCalls`], written once over the SDK
//! ([`Elb`]) and once in memory for the unit tests (`fake::FakeElb`, feature `test-util`). Each
//! function's `Cloud` hands out its implementation instead of declaring the calls again. The moto
//! tests drive every SDK method through the edge function's binary.

mod aws;
mod types;

pub use aws::Elb;
pub use types::*;

use env_core::tags::Tag;
use env_core::AwsCallError;

pub type CallResult<T> = Result<T, AwsCallError>;

/// Everything the environment's functions ask of Elastic Load Balancing v2.
// The lint warns that callers cannot require `Send` futures from a public async trait; only the
// functions' binaries implement and call it, and their entry point does not need `Send`.
#[allow(async_fn_in_trait)]
pub trait ElbCalls {
    // The load balancer. `load_balancer` answers `None` when ELB says `LoadBalancerNotFound`.
    async fn load_balancer(&self, name: &str) -> CallResult<Option<LoadBalancer>>;
    async fn create_load_balancer(
        &self,
        settings: &LoadBalancerSettings,
        tags: &[Tag],
    ) -> CallResult<LoadBalancer>;
    async fn load_balancer_attributes(&self, arn: &str) -> CallResult<Vec<(String, String)>>;
    async fn set_load_balancer_attributes(
        &self,
        arn: &str,
        attributes: &[(&str, String)],
    ) -> CallResult<()>;
    async fn delete_load_balancer(&self, arn: &str) -> CallResult<()>;

    // Target groups, found by name (`None` when ELB says `TargetGroupNotFound`), by their ARN after.
    async fn target_group(&self, name: &str) -> CallResult<Option<String>>;
    async fn create_target_group(
        &self,
        settings: &TargetGroupSettings,
        tags: &[Tag],
    ) -> CallResult<String>;
    async fn modify_target_group(
        &self,
        arn: &str,
        settings: &TargetGroupSettings,
    ) -> CallResult<()>;
    async fn set_deregistration_delay(&self, arn: &str, seconds: i32) -> CallResult<()>;
    async fn delete_target_group(&self, arn: &str) -> CallResult<()>;
    /// A target group of type `lambda`: no VPC, port or protocol, health checks off.
    async fn create_lambda_target_group(&self, name: &str, tags: &[Tag]) -> CallResult<String>;
    /// Registers the Lambda function `function_arn` in the target group.
    async fn register_lambda(&self, target_group_arn: &str, function_arn: &str) -> CallResult<()>;
    /// The group's registered targets with their health (DescribeTargetHealth).
    async fn targets(&self, target_group_arn: &str) -> CallResult<Vec<Target>>;

    // Listeners and their rules.
    async fn listeners(&self, load_balancer_arn: &str) -> CallResult<Vec<Listener>>;
    async fn create_listener(
        &self,
        load_balancer_arn: &str,
        port: i32,
        action: &ListenerAction,
        tags: &[Tag],
    ) -> CallResult<String>;
    async fn modify_listener(&self, arn: &str, action: &ListenerAction) -> CallResult<()>;
    async fn delete_listener(&self, arn: &str) -> CallResult<()>;
    /// The listener's rules, its default rule left out.
    async fn rules(&self, listener_arn: &str) -> CallResult<Vec<Rule>>;
    async fn create_rule(
        &self,
        listener_arn: &str,
        settings: &RuleSettings,
        tags: &[Tag],
    ) -> CallResult<String>;
    /// A rule sending every path (`/*`) to the one target group.
    async fn create_forward_rule(
        &self,
        listener_arn: &str,
        priority: i32,
        target_group_arn: &str,
        tags: &[Tag],
    ) -> CallResult<String>;
    /// Moves the rules (ARN, new priority) in one call, so that two rules may trade places.
    async fn set_rule_priorities(&self, priorities: &[(String, i32)]) -> CallResult<()>;
    async fn delete_rule(&self, arn: &str) -> CallResult<()>;
}

#[cfg(any(test, feature = "test-util"))]
pub mod fake;
