//! [`ElbCalls`] over the AWS SDK: one SDK call per method, translated to and from the plain types
//! of the crate. No decisions are taken here; they are the callers', where their unit tests reach
//! them. The integration tests drive every method against moto through the edge function.
//!
//! The trait's methods hand each call to the submodule of the resource it concerns:
//! [`load_balancer`], [`target_groups`] and [`listeners`] (with their rules).

mod listeners;
mod load_balancer;
mod target_groups;

use crate::{
    CallResult, ElbCalls, Listener, ListenerAction, LoadBalancer, LoadBalancerSettings, Rule,
    RuleSettings, Target, TargetGroupSettings,
};
use aws_config::SdkConfig;
use aws_sdk_elasticloadbalancingv2::types as elb;
use env_core::tags::Tag;

#[derive(Debug, Clone)]
pub struct Elb {
    client: aws_sdk_elasticloadbalancingv2::Client,
}

impl Elb {
    pub fn new(config: &SdkConfig) -> Self {
        Self {
            client: aws_sdk_elasticloadbalancingv2::Client::new(config),
        }
    }
}

/// The tags of a load balancer, target group, listener or rule.
fn elb_tags(tags: &[Tag]) -> Vec<elb::Tag> {
    tags.iter()
        .map(|tag| elb::Tag::builder().key(tag.key).value(&tag.value).build())
        .collect()
}

impl ElbCalls for Elb {
    async fn load_balancer(&self, name: &str) -> CallResult<Option<LoadBalancer>> {
        load_balancer::load_balancer(&self.client, name).await
    }

    async fn create_load_balancer(
        &self,
        settings: &LoadBalancerSettings,
        tags: &[Tag],
    ) -> CallResult<LoadBalancer> {
        load_balancer::create_load_balancer(&self.client, settings, tags).await
    }

    async fn load_balancer_attributes(&self, arn: &str) -> CallResult<Vec<(String, String)>> {
        load_balancer::load_balancer_attributes(&self.client, arn).await
    }

    async fn set_load_balancer_attributes(
        &self,
        arn: &str,
        attributes: &[(&str, String)],
    ) -> CallResult<()> {
        load_balancer::set_load_balancer_attributes(&self.client, arn, attributes).await
    }

    async fn delete_load_balancer(&self, arn: &str) -> CallResult<()> {
        load_balancer::delete_load_balancer(&self.client, arn).await
    }

    async fn target_group(&self, name: &str) -> CallResult<Option<String>> {
        target_groups::target_group(&self.client, name).await
    }

    async fn create_target_group(
        &self,
        settings: &TargetGroupSettings,
        tags: &[Tag],
    ) -> CallResult<String> {
        target_groups::create_target_group(&self.client, settings, tags).await
    }

    async fn modify_target_group(
        &self,
        arn: &str,
        settings: &TargetGroupSettings,
    ) -> CallResult<()> {
        target_groups::modify_target_group(&self.client, arn, settings).await
    }

    async fn set_deregistration_delay(&self, arn: &str, seconds: i32) -> CallResult<()> {
        target_groups::set_deregistration_delay(&self.client, arn, seconds).await
    }

    async fn delete_target_group(&self, arn: &str) -> CallResult<()> {
        target_groups::delete_target_group(&self.client, arn).await
    }

    async fn create_lambda_target_group(&self, name: &str, tags: &[Tag]) -> CallResult<String> {
        target_groups::create_lambda_target_group(&self.client, name, tags).await
    }

    async fn register_lambda(&self, target_group_arn: &str, function_arn: &str) -> CallResult<()> {
        target_groups::register_lambda(&self.client, target_group_arn, function_arn).await
    }

    async fn targets(&self, target_group_arn: &str) -> CallResult<Vec<Target>> {
        target_groups::targets(&self.client, target_group_arn).await
    }

    async fn listeners(&self, load_balancer_arn: &str) -> CallResult<Vec<Listener>> {
        listeners::listeners(&self.client, load_balancer_arn).await
    }

    async fn create_listener(
        &self,
        load_balancer_arn: &str,
        port: i32,
        action: &ListenerAction,
        tags: &[Tag],
    ) -> CallResult<String> {
        listeners::create_listener(&self.client, load_balancer_arn, port, action, tags).await
    }

    async fn modify_listener(&self, arn: &str, action: &ListenerAction) -> CallResult<()> {
        listeners::modify_listener(&self.client, arn, action).await
    }

    async fn delete_listener(&self, arn: &str) -> CallResult<()> {
        listeners::delete_listener(&self.client, arn).await
    }

    async fn rules(&self, listener_arn: &str) -> CallResult<Vec<Rule>> {
        listeners::rules(&self.client, listener_arn).await
    }

    async fn create_rule(
        &self,
        listener_arn: &str,
        settings: &RuleSettings,
        tags: &[Tag],
    ) -> CallResult<String> {
        listeners::create_rule(&self.client, listener_arn, settings, tags).await
    }

    async fn create_forward_rule(
        &self,
        listener_arn: &str,
        priority: i32,
        target_group_arn: &str,
        tags: &[Tag],
    ) -> CallResult<String> {
        listeners::create_forward_rule(&self.client, listener_arn, priority, target_group_arn, tags)
            .await
    }

    async fn set_rule_priorities(&self, priorities: &[(String, i32)]) -> CallResult<()> {
        listeners::set_rule_priorities(&self.client, priorities).await
    }

    async fn delete_rule(&self, arn: &str) -> CallResult<()> {
        listeners::delete_rule(&self.client, arn).await
    }
}
