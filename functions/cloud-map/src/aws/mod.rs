//! [`CloudMapCalls`](crate::CloudMapCalls) over the AWS SDK: one SDK call per method (pagination
//! aside, and a read-back of each listed service), in `calls`, translated to and from the plain
//! types of the crate, in `convert`. No decisions are taken here; they are the callers', where
//! their unit tests reach them. The SDK builders that return `Result` fail only when a required
//! field is missing, and every one here sets its required fields, hence the `expect`s.

mod calls;
mod convert;

use aws_config::SdkConfig;

const SET: &str = "required fields are set";

#[derive(Debug, Clone)]
pub struct CloudMap {
    client: aws_sdk_servicediscovery::Client,
}

impl CloudMap {
    pub fn new(config: &SdkConfig) -> Self {
        Self {
            client: aws_sdk_servicediscovery::Client::new(config),
        }
    }
}
