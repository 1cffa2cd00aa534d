//! The options every command takes.

use clap::Args;

/// Options every command takes.
#[derive(Debug, Clone, Args)]
pub struct Global {
    /// Print results as JSON instead of text.
    #[arg(long, global = true)]
    pub json: bool,

    /// The AWS region (the backend supports us-west-2 only).
    #[arg(long, global = true, default_value = env_core::aws::DEFAULT_REGION)]
    pub region: String,

    /// The AWS profile to use (default: the SDK's credential chain).
    #[arg(long, global = true)]
    pub profile: Option<String>,

    /// Send every AWS call to this endpoint instead (an emulator such as moto).
    #[arg(long, global = true)]
    pub endpoint_url: Option<String>,

    /// Send CloudWatch calls to this endpoint (default: AWS_ENDPOINT_URL_CLOUDWATCH, else
    /// --endpoint-url); moto answers CloudWatch only through the emulator's CBOR proxy.
    #[arg(long, global = true)]
    pub cloudwatch_endpoint_url: Option<String>,
}

impl Global {
    /// Where CloudWatch calls go when not to AWS: an endpoint set in code (`--endpoint-url`)
    /// overrides the SDK's per-service variables, so `AWS_ENDPOINT_URL_CLOUDWATCH` is read here.
    pub fn cloudwatch_endpoint(&self) -> Option<String> {
        self.cloudwatch_endpoint_url
            .clone()
            .or_else(|| std::env::var("AWS_ENDPOINT_URL_CLOUDWATCH").ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_its_own_option_cloudwatch_follows_the_environment() {
        let global = Global {
            json: false,
            region: "us-west-2".into(),
            profile: None,
            endpoint_url: Some("http://127.0.0.1:1".into()),
            cloudwatch_endpoint_url: None,
        };
        // Unset, it is None: the client keeps the SDK configuration's endpoint (--endpoint-url).
        assert_eq!(
            global.cloudwatch_endpoint(),
            std::env::var("AWS_ENDPOINT_URL_CLOUDWATCH").ok()
        );
    }
}
