//! [`Cloud`] over the AWS SDK: the shared Elastic Load Balancing v2 capability, and one SDK call (or
//! one page loop) per method for ACM, Route 53 and S3, translated to and from the plain types of
//! [`crate::api`]. No decisions are taken here; they are the handler's, where the unit tests reach
//! them. The integration tests drive every method against moto.
//!
//! The trait's methods hand each call to the submodule of the resource it concerns: [`acm`] the
//! certificates, [`route53`] their validation records, [`bucket`] the access-log bucket.
//!
//! The `expect`s are on builders whose required fields are all set on the line above; they cannot
//! fail at run time.

mod acm;
mod bucket;
mod route53;

use crate::api::{
    BucketSettings, CallResult, Certificate, CertificateSummary, Cloud, ValidationRecord,
};
use aws_config::SdkConfig;
use elb::Elb;
use env_core::tags::Tag;

const BUILT: &str = "every required field is set";

#[derive(Debug, Clone)]
pub struct AwsCloud {
    acm: aws_sdk_acm::Client,
    elb: Elb,
    route53: aws_sdk_route53::Client,
    s3: aws_sdk_s3::Client,
}

impl AwsCloud {
    pub fn new(config: &SdkConfig) -> Self {
        Self {
            acm: aws_sdk_acm::Client::new(config),
            elb: Elb::new(config),
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

impl Cloud for AwsCloud {
    env_core::capabilities! {
        Elb = Elb => elb(elb),
    }

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
