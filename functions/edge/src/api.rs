//! The AWS calls the edge function makes, as one small trait over plain types.
//!
//! The handler holds the logic (what exists, what is missing, what to create or delete next) and
//! talks only to [`Cloud`]; [`crate::aws::AwsCloud`] implements it with the SDK clients (ACM,
//! Elastic Load Balancing v2, Route 53, S3) and the unit tests implement it with an in-memory fake.

use env_core::tags::Tag;
use env_core::AwsCallError;

pub type CallResult<T> = Result<T, AwsCallError>;

pub use env_core::error::found;

/// An ACM certificate as ListCertificates and ListTagsForCertificate show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateSummary {
    pub arn: String,
    pub name: Option<String>,
    pub environment: Option<String>,
}

/// One DNS record ACM asks for to prove control of a domain (always a CNAME).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationRecord {
    pub name: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certificate {
    pub arn: String,
    /// ACM's status: `PENDING_VALIDATION`, `ISSUED`, `INACTIVE`, `EXPIRED`, `VALIDATION_TIMED_OUT`,
    /// `REVOKED` or `FAILED` (ACM API reference, `CertificateDetail.Status`).
    pub status: String,
    pub validation_records: Vec<ValidationRecord>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadBalancer {
    pub arn: String,
    pub dns_name: String,
    /// `provisioning`, `active`, `active_impaired` or `failed`; `None` when the answer has no
    /// state (ELB API reference, `LoadBalancer.State` and `LoadBalancerState.Code` are optional), a
    /// load balancer then waited on as one not yet active.
    pub state: Option<String>,
}

/// What CreateLoadBalancer needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadBalancerSettings {
    pub name: String,
    pub subnets: Vec<String>,
    pub security_group: String,
}

/// A target group's settings, the same on create and on every later update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetGroupSettings {
    pub name: String,
    pub vpc_id: String,
    pub port: i32,
    pub health_check_path: String,
    pub healthy_threshold: i32,
    pub unhealthy_threshold: i32,
    pub interval_seconds: i32,
    pub timeout_seconds: i32,
    pub matcher: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listener {
    pub arn: String,
    pub port: i32,
}

/// What a listener does with every request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListenerAction {
    /// HTTPS with the certificate and TLS policy, forwarding to the target group.
    Forward {
        certificate_arn: String,
        ssl_policy: String,
        target_group_arn: String,
    },
    /// Plain HTTP that only redirects to HTTPS on 443 with a 301.
    RedirectToHttps,
}

/// A listener rule other than the listener's default one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub arn: String,
    pub priority: i32,
}

/// Which requests a listener rule takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleCondition {
    /// Every request (path pattern `/*`).
    AnyPath,
    /// Requests carrying this header with this value.
    Header { name: String, value: String },
}

/// A rule forwarding to both target groups, all the weight on blue: ECS blue/green moves the
/// weights to green and back (ECS developer guide, "Application Load Balancer resources for
/// blue/green deployments").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleSettings {
    pub priority: i32,
    pub condition: RuleCondition,
    pub blue_target_group: String,
    pub green_target_group: String,
}

/// What the access-log bucket must hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BucketSettings {
    pub name: String,
    pub policy: String,
    pub expiry_days: i32,
}

/// Everything the edge function asks of ACM, Route 53, Elastic Load Balancing v2 and S3.
// The lint warns that callers cannot require `Send` futures from a public async trait; only this
// binary implements and calls it, and the functions' entry point does not need `Send`.
#[allow(async_fn_in_trait)]
pub trait Cloud {
    // ACM.
    async fn certificates(&self) -> CallResult<Vec<CertificateSummary>>;
    async fn certificate(&self, arn: &str) -> CallResult<Option<Certificate>>;
    async fn import_certificate(
        &self,
        pem: &str,
        key_pem: &str,
        tags: &[Tag],
    ) -> CallResult<String>;
    async fn request_certificate(
        &self,
        domain: &str,
        token: &str,
        tags: &[Tag],
    ) -> CallResult<String>;
    async fn delete_certificate(&self, arn: &str) -> CallResult<()>;

    // Route 53: `upsert` true writes the CNAME, false deletes it.
    async fn change_record(
        &self,
        zone: &str,
        record: &ValidationRecord,
        upsert: bool,
    ) -> CallResult<()>;

    // Elastic Load Balancing v2.
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
    async fn delete_rule(&self, arn: &str) -> CallResult<()>;

    // S3.
    async fn bucket_names(&self) -> CallResult<Vec<String>>;
    /// Creates the bucket and tags it (once: the expiry tag must not move on every call).
    async fn create_bucket(&self, name: &str, tags: &[Tag]) -> CallResult<()>;
    /// Public access block, SSE-S3, the bucket policy and the lifecycle expiry.
    async fn configure_bucket(&self, settings: &BucketSettings) -> CallResult<()>;
    /// Deletes every object (and version) in the bucket.
    async fn empty_bucket(&self, name: &str) -> CallResult<()>;
    async fn delete_bucket(&self, name: &str) -> CallResult<()>;
}
