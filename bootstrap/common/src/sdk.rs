//! The SDK configuration the global options describe, and the runtime a command's calls run on.

use crate::global::Global;

/// The SDK configuration the global options describe.
pub async fn sdk_config(global: &Global) -> aws_config::SdkConfig {
    let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new(global.region.clone()))
        .retry_config(env_core::aws::retry_config())
        .timeout_config(env_core::aws::timeout_config());
    if let Some(profile) = &global.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(endpoint) = &global.endpoint_url {
        loader = loader.endpoint_url(endpoint);
    }
    loader.load().await
}

/// A runtime for one command: the CLI does one thing at a time, so one thread.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sdk_configuration_follows_the_options() {
        let global = Global {
            json: false,
            region: "us-west-2".into(),
            profile: Some("nobody".into()),
            endpoint_url: Some("http://127.0.0.1:1".into()),
            cloudwatch_endpoint_url: Some("http://127.0.0.1:2".into()),
        };
        let config = runtime().unwrap().block_on(sdk_config(&global));
        assert_eq!(config.region().unwrap().as_ref(), "us-west-2");
        assert_eq!(config.endpoint_url(), Some("http://127.0.0.1:1"));
        // CloudWatch's own endpoint wins over the environment's (the audit's test runs it).
        assert_eq!(
            global.cloudwatch_endpoint().as_deref(),
            Some("http://127.0.0.1:2")
        );
    }
}
