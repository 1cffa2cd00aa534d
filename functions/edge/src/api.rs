//! The AWS calls the edge function makes, as one small trait over plain types.
//!
//! The handler holds the logic (what exists, what is missing, what to create or delete next) and
//! talks only to [`Cloud`]; [`crate::aws::AwsCloud`] implements it with the SDK clients (ACM,
//! Route 53, S3) and the unit tests implement it with an in-memory fake. The Elastic Load
//! Balancing v2 calls are the shared capability [`ElbCalls`].

use env_core::tags::Tag;

/// The Elastic Load Balancing types the handler works with, from the shared capability.
pub use elb::{
    CallResult, ElbCalls, Listener, ListenerAction, LoadBalancer, LoadBalancerSettings, Rule,
    RuleCondition, RuleSettings, TargetGroupSettings,
};

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
    type Elb: ElbCalls;
    /// Elastic Load Balancing v2, for the load balancer, its target groups, listeners and rules.
    fn elb(&self) -> &Self::Elb;

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
