//! Whose credentials the SDK configuration holds (STS GetCallerIdentity): the account `deploy`
//! builds the backend's ARNs in and the env commands find the deployed state machines in.

use env_core::error::{aws_error, Required};

/// Asks STS which account the configured credentials belong to.
#[derive(Debug, Clone)]
pub struct Caller {
    sts: aws_sdk_sts::Client,
}

impl Caller {
    pub fn new(config: &aws_config::SdkConfig) -> Self {
        Self {
            sts: aws_sdk_sts::Client::new(config),
        }
    }

    /// The caller's account id.
    pub async fn account(&self) -> anyhow::Result<String> {
        let identity = self
            .sts
            .get_caller_identity()
            .send()
            .await
            .map_err(aws_error("GetCallerIdentity"))?;
        let account = identity
            .account()
            .required("GetCallerIdentityResponse.Account")?;
        Ok(account.to_owned())
    }
}
