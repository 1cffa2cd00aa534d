//! [`ElastiCacheCalls`](crate::ElastiCacheCalls) over the AWS SDK: one SDK call per method (in
//! `calls`), translated to and from the plain types of the crate (in `convert`). No decisions are
//! taken here; they are the callers', where their unit tests reach them.

mod calls;
mod convert;
mod serverless;
mod serverless_convert;

use aws_config::SdkConfig;

#[derive(Debug, Clone)]
pub struct ElastiCache {
    client: aws_sdk_elasticache::Client,
}

impl ElastiCache {
    pub fn new(config: &SdkConfig) -> Self {
        Self {
            client: aws_sdk_elasticache::Client::new(config),
        }
    }
}
