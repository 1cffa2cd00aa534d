//! [`Ec2Calls`](crate::Ec2Calls) over the AWS SDK: one SDK call per method (in `calls`),
//! translated to and from the plain types of the crate (in `convert`). No decisions are taken here;
//! they are the callers', where their unit tests reach them.

mod calls;
mod convert;

use aws_config::SdkConfig;
use aws_sdk_ec2::types as ec2;
use env_core::tags::{self, Tag};

#[derive(Debug, Clone)]
pub struct Ec2 {
    /// The S3 gateway endpoint's service in the region this function's clients call, the one the
    /// VPC is in: `com.amazonaws.<region>.s3`.
    s3_service: String,
    client: aws_sdk_ec2::Client,
}

impl Ec2 {
    pub fn new(config: &SdkConfig) -> Self {
        // `env_core::aws::load` always names a region (the environment's or the default).
        let region = config
            .region()
            .map_or(env_core::aws::DEFAULT_REGION, |r| r.as_ref());
        Self {
            s3_service: format!("com.amazonaws.{region}.s3"),
            client: aws_sdk_ec2::Client::new(config),
        }
    }
}

fn filter(name: &str, value: &str) -> ec2::Filter {
    ec2::Filter::builder().name(name).values(value).build()
}

fn environment_filter(environment: &str) -> ec2::Filter {
    filter(&format!("tag:{}", tags::ENVIRONMENT), environment)
}

fn tag_specification(kind: ec2::ResourceType, tags: &[Tag]) -> ec2::TagSpecification {
    ec2::TagSpecification::builder()
        .resource_type(kind)
        .set_tags(Some(
            tags.iter()
                .map(|tag| ec2::Tag::builder().key(tag.key).value(&tag.value).build())
                .collect(),
        ))
        .build()
}
