//! [`Cloud`] over the AWS SDK: one SDK call (or one page loop) per method, translated to and from
//! the plain types of [`crate::api`]. No decisions are taken here; they are the handler's, where the
//! unit tests reach them. The integration tests drive every method against moto.
//!
//! The trait's methods hand each call to the submodule of the resource it concerns: [`acm`] the
//! certificates, [`route53`] their validation records, [`load_balancer`], [`target_groups`] and
//! [`listeners`] (with their rules) Elastic Load Balancing v2, [`bucket`] the access-log bucket.
//!
//! The `expect`s are on builders whose required fields are all set on the line above; they cannot
//! fail at run time.

mod acm;
mod bucket;
mod listeners;
mod load_balancer;
mod route53;
mod target_groups;

use crate::api::{
    BucketSettings, CallResult, Certificate, CertificateSummary, Cloud, Listener, ListenerAction,
    LoadBalancer, LoadBalancerSettings, Rule, RuleSettings, TargetGroupSettings, ValidationRecord,
};
use aws_config::SdkConfig;
use aws_sdk_elasticloadbalancingv2::types as elb;
use env_core::tags::Tag;

const BUILT: &str = "every required field is set";

#[derive(Debug, Clone)]
pub struct AwsCloud {
    acm: aws_sdk_acm::Client,
    elb: aws_sdk_elasticloadbalancingv2::Client,
    route53: aws_sdk_route53::Client,
    s3: aws_sdk_s3::Client,
}

impl AwsCloud {
    pub fn new(config: &SdkConfig) -> Self {
        Self {
            acm: aws_sdk_acm::Client::new(config),
            elb: aws_sdk_elasticloadbalancingv2::Client::new(config),
            route53: aws_sdk_route53::Client::new(config),
            // Path-style addressing only against an endpoint override (the local emulator serves
            // every bucket on one host); AWS itself gets the virtual-hosted style it prefers.
            s3: aws_sdk_s3::Client::from_conf(
                aws_sdk_s3::config::Builder::from(config)
                    .force_path_style(config.endpoint_url().is_some())
                    .build(),
            ),
        }
    }
}

/// The tags of a load balancer, target group, listener or rule.
fn elb_tags(tags: &[Tag]) -> Vec<elb::Tag> {
    tags.iter()
        .map(|tag| elb::Tag::builder().key(tag.key).value(&tag.value).build())
        .collect()
}

impl Cloud for AwsCloud {
    async fn certificates(&self) -> CallResult<Vec<CertificateSummary>> {
        acm::certificates(&self.acm).await
    }

    async fn certificate(&self, arn: &str) -> CallResult<Option<Certificate>> {
        acm::certificate(&self.acm, arn).await
    }

    async fn import_certificate(
        &self,
        pem: &str,
        key_pem: &str,
        tags: &[Tag],
    ) -> CallResult<String> {
        acm::import_certificate(&self.acm, pem, key_pem, tags).await
    }

    async fn request_certificate(
        &self,
        domain: &str,
        token: &str,
        tags: &[Tag],
    ) -> CallResult<String> {
        acm::request_certificate(&self.acm, domain, token, tags).await
    }

    async fn delete_certificate(&self, arn: &str) -> CallResult<()> {
        acm::delete_certificate(&self.acm, arn).await
    }

    async fn change_record(
        &self,
        zone: &str,
        record: &ValidationRecord,
        upsert: bool,
    ) -> CallResult<()> {
        route53::change_record(&self.route53, zone, record, upsert).await
    }

    async fn load_balancer(&self, name: &str) -> CallResult<Option<LoadBalancer>> {
        load_balancer::load_balancer(&self.elb, name).await
    }

    async fn create_load_balancer(
        &self,
        settings: &LoadBalancerSettings,
        tags: &[Tag],
    ) -> CallResult<LoadBalancer> {
        load_balancer::create_load_balancer(&self.elb, settings, tags).await
    }

    async fn load_balancer_attributes(&self, arn: &str) -> CallResult<Vec<(String, String)>> {
        load_balancer::load_balancer_attributes(&self.elb, arn).await
    }

    async fn set_load_balancer_attributes(
        &self,
        arn: &str,
        attributes: &[(&str, String)],
    ) -> CallResult<()> {
        load_balancer::set_load_balancer_attributes(&self.elb, arn, attributes).await
    }

    async fn delete_load_balancer(&self, arn: &str) -> CallResult<()> {
        load_balancer::delete_load_balancer(&self.elb, arn).await
    }

    async fn target_group(&self, name: &str) -> CallResult<Option<String>> {
        target_groups::target_group(&self.elb, name).await
    }

    async fn create_target_group(
        &self,
        settings: &TargetGroupSettings,
        tags: &[Tag],
    ) -> CallResult<String> {
        target_groups::create_target_group(&self.elb, settings, tags).await
    }

    async fn modify_target_group(
        &self,
        arn: &str,
        settings: &TargetGroupSettings,
    ) -> CallResult<()> {
        target_groups::modify_target_group(&self.elb, arn, settings).await
    }

    async fn set_deregistration_delay(&self, arn: &str, seconds: i32) -> CallResult<()> {
        target_groups::set_deregistration_delay(&self.elb, arn, seconds).await
    }

    async fn delete_target_group(&self, arn: &str) -> CallResult<()> {
        target_groups::delete_target_group(&self.elb, arn).await
    }

    async fn listeners(&self, load_balancer_arn: &str) -> CallResult<Vec<Listener>> {
        listeners::listeners(&self.elb, load_balancer_arn).await
    }

    async fn create_listener(
        &self,
        load_balancer_arn: &str,
        port: i32,
        action: &ListenerAction,
        tags: &[Tag],
    ) -> CallResult<String> {
        listeners::create_listener(&self.elb, load_balancer_arn, port, action, tags).await
    }

    async fn modify_listener(&self, arn: &str, action: &ListenerAction) -> CallResult<()> {
        listeners::modify_listener(&self.elb, arn, action).await
    }

    async fn delete_listener(&self, arn: &str) -> CallResult<()> {
        listeners::delete_listener(&self.elb, arn).await
    }

    async fn rules(&self, listener_arn: &str) -> CallResult<Vec<Rule>> {
        listeners::rules(&self.elb, listener_arn).await
    }

    async fn create_rule(
        &self,
        listener_arn: &str,
        settings: &RuleSettings,
        tags: &[Tag],
    ) -> CallResult<String> {
        listeners::create_rule(&self.elb, listener_arn, settings, tags).await
    }

    async fn delete_rule(&self, arn: &str) -> CallResult<()> {
        listeners::delete_rule(&self.elb, arn).await
    }

    async fn bucket_names(&self) -> CallResult<Vec<String>> {
        bucket::bucket_names(&self.s3).await
    }

    async fn create_bucket(&self, name: &str, tags: &[Tag]) -> CallResult<()> {
        bucket::create_bucket(&self.s3, name, tags).await
    }

    async fn configure_bucket(&self, settings: &BucketSettings) -> CallResult<()> {
        bucket::configure_bucket(&self.s3, settings).await
    }

    async fn empty_bucket(&self, name: &str) -> CallResult<()> {
        bucket::empty_bucket(&self.s3, name).await
    }

    async fn delete_bucket(&self, name: &str) -> CallResult<()> {
        bucket::delete_bucket(&self.s3, name).await
    }
}
