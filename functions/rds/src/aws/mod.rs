//! [`RdsCalls`](crate::RdsCalls) over the AWS SDK: one SDK call per method (in `calls`),
//! translated to and from the plain types of the crate (in `convert`). No decisions are taken here;
//! they are the callers', where their unit tests reach them.

mod calls;
mod convert;

use aws_config::SdkConfig;
use aws_sdk_rds::types as rds;
use env_core::tags::Tag;

#[derive(Debug, Clone)]
pub struct Rds {
    client: aws_sdk_rds::Client,
}

impl Rds {
    pub fn new(config: &SdkConfig) -> Self {
        Self {
            client: aws_sdk_rds::Client::new(config),
        }
    }
}

fn rds_tags(tags: &[Tag]) -> Option<Vec<rds::Tag>> {
    Some(
        tags.iter()
            .map(|tag| rds::Tag::builder().key(tag.key).value(&tag.value).build())
            .collect(),
    )
}
