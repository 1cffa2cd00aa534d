//! AWS SDK configuration shared by every function and the CLI.
//!
//! `aws-config` defaults, so `AWS_ENDPOINT_URL` (or a per-service `AWS_ENDPOINT_URL_<SERVICE>`) points
//! every client at an emulator with no code change. Retries and timeouts are set deliberately: a few
//! quick attempts inside the Lambda, and the state machine's `Retry` on `Retryable` for longer outages,
//! so no invocation sits out its whole timeout waiting on one throttled call.

use aws_config::meta::region::RegionProviderChain;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use std::time::Duration;

/// Attempts per call, the first included: one more than the SDK's standard 3, because throttling is
/// common when three components create resources at once.
pub const MAX_ATTEMPTS: u32 = 4;
/// Each attempt must answer within this, or it is retried.
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(20);
/// A whole call, retries included, stays well under a component function's 60 s Lambda timeout.
pub const OPERATION_TIMEOUT: Duration = Duration::from_secs(45);
/// The region used when nothing in the environment names one: the only one environments are built
/// in (the spec's `region`).
pub const DEFAULT_REGION: &str = crate::spec::Region::UsWest2.as_str();

pub fn retry_config() -> RetryConfig {
    RetryConfig::standard()
        .with_max_attempts(MAX_ATTEMPTS)
        .with_initial_backoff(Duration::from_millis(200))
        .with_max_backoff(Duration::from_secs(5))
}

pub fn timeout_config() -> TimeoutConfig {
    TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(3))
        .operation_attempt_timeout(ATTEMPT_TIMEOUT)
        .operation_timeout(OPERATION_TIMEOUT)
        .build()
}

/// Loads the shared configuration: environment, profile and instance credentials, as the SDK does.
pub async fn load() -> SdkConfig {
    let region = RegionProviderChain::default_provider().or_else(Region::new(DEFAULT_REGION));
    aws_config::defaults(BehaviorVersion::latest())
        .region(region)
        .retry_config(retry_config())
        .timeout_config(timeout_config())
        .load()
        .await
}

/// The token of a listing's next page, if there is one. The last page of some listings answers an
/// empty token (Resource Groups Tagging API, GetResources, `PaginationToken`), and moto answers an
/// empty one where AWS leaves it out (Secrets Manager, ListSecretVersionIds): both mean the end.
pub fn next_page(token: Option<&str>) -> Option<String> {
    token.filter(|token| !token.is_empty()).map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_listing_goes_on_only_with_a_non_empty_next_token() {
        assert_eq!(next_page(Some("page-2")).as_deref(), Some("page-2"));
        assert_eq!(next_page(Some("")), None);
        assert_eq!(next_page(None), None);
    }

    #[tokio::test]
    async fn loaded_configuration_keeps_our_retry_and_timeout_settings() {
        let config = load().await;
        let retry = config.retry_config().unwrap();
        assert_eq!(retry.max_attempts(), 4);
        assert_eq!(retry.initial_backoff(), Duration::from_millis(200));
        let timeouts = config.timeout_config().unwrap();
        assert_eq!(timeouts.operation_timeout(), Some(Duration::from_secs(45)));
        assert_eq!(
            timeouts.operation_attempt_timeout(),
            Some(Duration::from_secs(20))
        );
        assert_eq!(timeouts.connect_timeout(), Some(Duration::from_secs(3)));
        assert!(config.region().is_some());
    }
}
