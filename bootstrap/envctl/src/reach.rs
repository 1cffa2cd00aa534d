//! One line for the two failures a person fixes themselves, instead of the SDK's error chain:
//! no credentials were found, or AWS (or the emulator) could not be reached.

use aws_credential_types::provider::error::CredentialsError;
use aws_smithy_runtime_api::client::result::ConnectorError;

/// The explanation of `error`, if it is one of those two, after what the CLI was doing and the AWS
/// operation that failed (`reading the network: DescribeVpcs: …`); `endpoint` is the
/// `--endpoint-url`.
pub fn explain(error: &anyhow::Error, endpoint: Option<&str>) -> Option<String> {
    let reason = reason(error, endpoint)?;
    let mut doing = Vec::new();
    for cause in error.chain() {
        if let Some(call) = cause.downcast_ref::<env_core::AwsCallError>() {
            doing.push(call.operation().to_owned());
            break;
        }
        doing.push(cause.to_string());
    }
    // Without an AWS call in the chain, its other links are the SDK's own words: leave them out.
    if !error
        .chain()
        .any(|cause| cause.is::<env_core::AwsCallError>())
    {
        doing.clear();
    }
    doing.push(reason);
    Some(doing.join(": "))
}

fn reason(error: &anyhow::Error, endpoint: Option<&str>) -> Option<String> {
    for cause in error.chain() {
        if cause.downcast_ref::<CredentialsError>().is_some() {
            return Some(
                "no AWS credentials were found (the SDK tried the environment, the shared config \
                 and credentials files, SSO and the instance role): pass --profile NAME (after \
                 `aws sso login --profile NAME` for an SSO profile), or set AWS_PROFILE, or \
                 AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
                    .to_owned(),
            );
        }
        if let Some(connector) = cause.downcast_ref::<ConnectorError>() {
            if connector.is_io() || connector.is_timeout() {
                let target = endpoint.map_or_else(
                    || "AWS could not be reached".to_owned(),
                    |url| format!("{url} could not be reached"),
                );
                return Some(format!(
                    "{target} ({}): check the network, --endpoint-url and --region",
                    if connector.is_timeout() {
                        "timed out"
                    } else {
                        "connection failed"
                    }
                ));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wrapped(cause: impl std::error::Error + Send + Sync + 'static) -> anyhow::Error {
        anyhow::Error::new(cause).context("reading the network")
    }

    /// A failed AWS call as the functions' shared error type keeps it.
    fn call(cause: ConnectorError) -> anyhow::Error {
        use aws_smithy_runtime_api::client::result::SdkError;
        let failure: SdkError<
            aws_smithy_types::error::ErrorMetadata,
            aws_smithy_runtime_api::http::Response,
        > = SdkError::dispatch_failure(cause);
        anyhow::Error::new(env_core::AwsCallError::new("DescribeVpcs", failure))
            .context("reading the network")
    }

    #[test]
    fn the_line_names_what_was_being_done_and_the_call_that_failed() {
        let error = call(ConnectorError::io("connection refused".into()));
        assert_eq!(
            explain(&error, Some("http://127.0.0.1:9")).unwrap(),
            "reading the network: DescribeVpcs: http://127.0.0.1:9 could not be reached (connection failed): check the network, --endpoint-url and --region"
        );
    }

    #[test]
    fn missing_credentials_say_where_the_sdk_looked_and_how_to_give_some() {
        let error = wrapped(CredentialsError::not_loaded("no providers in chain"));
        let line = explain(&error, None).unwrap();
        assert!(line.starts_with("no AWS credentials were found"), "{line}");
        assert!(line.contains("AWS_ACCESS_KEY_ID"), "{line}");
    }

    #[test]
    fn an_unreachable_endpoint_or_a_timeout_is_named() {
        let refused = wrapped(ConnectorError::io("connection refused".into()));
        assert_eq!(
            explain(&refused, None).unwrap(),
            "AWS could not be reached (connection failed): check the network, --endpoint-url and --region"
        );
        let slow = wrapped(ConnectorError::timeout("no answer".into()));
        assert_eq!(
            explain(&slow, Some("http://127.0.0.1:9")).unwrap(),
            "http://127.0.0.1:9 could not be reached (timed out): check the network, --endpoint-url and --region"
        );
    }

    #[test]
    fn any_other_failure_keeps_its_own_chain() {
        let other = wrapped(ConnectorError::other("a TLS alert".into(), None));
        assert_eq!(explain(&other, None), None);
        assert_eq!(explain(&anyhow::anyhow!("AccessDenied"), None), None);
    }
}
