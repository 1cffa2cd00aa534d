//! Error names: the contract between the functions and the state machines' `Retry` and `Catch`.

use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_runtime_api::http::Response as HttpResponse;
use aws_smithy_types::error::display::DisplayErrorContext;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use std::error::Error;
use std::fmt;

/// The stable names a function fails with. The ASL files retry `Retryable` and catch the rest;
/// renaming one breaks the workflows, so each has a test that pins its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorName {
    /// Throttling, timeouts, eventual consistency: the same call may succeed later.
    Retryable,
    /// The environment spec breaks a rule; nothing was called.
    InvalidSpec,
    /// The event is not one this function understands (unknown action, malformed JSON).
    InvalidEvent,
    /// A protected resource stands in the way and the spec does not say `forceDestroy`.
    DeletionProtected,
    /// A resource reached a failed state; waiting will not help.
    ComponentFailed,
    /// AWS refused the call for a reason retrying will not change (access denied, bad parameter).
    AwsRejected,
    /// The function's own configuration (an environment variable, a missing dependency) is wrong.
    Misconfigured,
    /// A teardown of the environment is running: a provision or claim is refused; run it again
    /// once the teardown has ended.
    TeardownRunning,
}

impl ErrorName {
    pub const ALL: [ErrorName; 8] = [
        ErrorName::Retryable,
        ErrorName::InvalidSpec,
        ErrorName::InvalidEvent,
        ErrorName::DeletionProtected,
        ErrorName::ComponentFailed,
        ErrorName::AwsRejected,
        ErrorName::Misconfigured,
        ErrorName::TeardownRunning,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorName::Retryable => "Retryable",
            ErrorName::InvalidSpec => "InvalidSpec",
            ErrorName::InvalidEvent => "InvalidEvent",
            ErrorName::DeletionProtected => "DeletionProtected",
            ErrorName::ComponentFailed => "ComponentFailed",
            ErrorName::AwsRejected => "AwsRejected",
            ErrorName::Misconfigured => "Misconfigured",
            ErrorName::TeardownRunning => "TeardownRunning",
        }
    }
}

impl fmt::Display for ErrorName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error that knows which stable name it is reported under.
pub trait NamedError: Error + Send + Sync + 'static {
    fn error_name(&self) -> ErrorName;
}

/// The error and all its sources, outermost first, joined by ": ".
pub fn error_chain(error: &(dyn Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        // Wrappers often repeat their source's text; say each thing once.
        if !text.ends_with(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// Error codes the AWS SDKs' standard retry strategy treats as throttling or transient
/// (smithy-rs `aws-smithy-runtime`, retry classifiers `THROTTLING_ERRORS` and `TRANSIENT_ERRORS`),
/// but one: `LimitExceededException`, which the services this backend calls answer for a quota
/// reached, not a rate (KMS, Secrets Manager, CloudWatch Logs, ACM, ECS, Application Auto Scaling
/// API references: "a quota was exceeded"; KMS answers a request rate with ThrottlingException).
/// Waiting does not raise a quota: it is `AwsRejected` at once, naming the call and the quota's
/// message, instead of retried for minutes first.
const RETRYABLE_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "RequestThrottled",
    "SlowDown",
    "PriorRequestNotComplete",
    "EC2ThrottledException",
    "RequestTimeout",
    "RequestTimeoutException",
    "InternalError",
    "InternalFailure",
    "ServiceUnavailable",
];

/// A failed AWS call, with the operation, the AWS error code and message kept (never flattened).
#[derive(Debug, thiserror::Error)]
#[error("{operation} failed: {detail}")]
pub struct AwsCallError {
    operation: &'static str,
    code: Option<String>,
    detail: String,
    retryable: bool,
    /// The call was never made: the function's own settings lack what it needs.
    misconfigured: bool,
    #[source]
    source: Box<dyn Error + Send + Sync>,
}

/// A setting a call needs and the function was not given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the environment variable {variable} is not set; it is {meaning}")]
pub struct MissingSetting {
    pub variable: &'static str,
    pub meaning: &'static str,
}

impl AwsCallError {
    pub fn new<E>(operation: &'static str, error: SdkError<E, HttpResponse>) -> Self
    where
        E: ProvideErrorMetadata + Error + Send + Sync + 'static,
    {
        let code = error.code().map(str::to_owned);
        let (detail, retryable) = match &error {
            SdkError::ServiceError(service) => {
                let status = service.raw().status().as_u16();
                let detail = match (error.code(), error.message()) {
                    (Some(code), Some(message)) => format!("{code}: {message}"),
                    (Some(code), None) => code.to_owned(),
                    _ => format!("HTTP {status}: {}", DisplayErrorContext(&error)),
                };
                let retryable = status >= 500
                    || code
                        .as_deref()
                        .is_some_and(|c| RETRYABLE_CODES.contains(&c));
                (detail, retryable)
            }
            SdkError::TimeoutError(_)
            | SdkError::DispatchFailure(_)
            | SdkError::ResponseError(_) => (DisplayErrorContext(&error).to_string(), true),
            _ => (DisplayErrorContext(&error).to_string(), false),
        };
        Self {
            operation,
            code,
            detail,
            retryable,
            misconfigured: false,
            source: Box::new(error),
        }
    }

    /// `operation` was not called because `setting` is missing: `Misconfigured`, never retried.
    pub fn misconfigured(operation: &'static str, setting: MissingSetting) -> Self {
        Self {
            operation,
            code: None,
            detail: setting.to_string(),
            retryable: false,
            misconfigured: true,
            source: Box::new(setting),
        }
    }

    /// An answer that lacks `field` (`Shape.Member`), a member AWS sends with every such answer
    /// (an id, an ARN, a name): an error naming it, never an empty string standing in for an id
    /// that a later call would then ask AWS about. Not retried: the same answer would come back.
    pub fn incomplete(field: &'static str) -> Self {
        let detail = format!("it has no {field}");
        Self {
            operation: "reading an AWS answer",
            code: None,
            detail: detail.clone(),
            retryable: false,
            misconfigured: false,
            source: detail.into(),
        }
    }

    pub fn operation(&self) -> &'static str {
        self.operation
    }

    /// The AWS error code, such as `DBClusterNotFoundFault`.
    pub fn code(&self) -> Option<&str> {
        self.code.as_deref()
    }

    pub fn is_code(&self, code: &str) -> bool {
        self.code() == Some(code)
    }

    pub fn is_retryable(&self) -> bool {
        self.retryable
    }

    /// This refusal made `Retryable` when it is AWS's eventual consistency speaking: `code` with a
    /// message containing `phrase`, as a service answers for a role or key made moments ago that it
    /// cannot use yet (IAM user guide, "Changes that I make are not always immediately visible";
    /// KMS developer guide, "Eventual consistency"). The state machines' bounded `Retry` then waits
    /// it out; the same code for any other reason stays `AwsRejected`.
    pub fn retryable_when(mut self, code: &str, phrase: &str) -> Self {
        // Case aside: AWS words the same refusal "KMS key" and "KMS Key".
        let detail = self.detail.to_lowercase();
        if self.is_code(code) && detail.contains(&phrase.to_lowercase()) {
            self.retryable = true;
        }
        self
    }
}

impl NamedError for AwsCallError {
    fn error_name(&self) -> ErrorName {
        if self.misconfigured {
            ErrorName::Misconfigured
        } else if self.retryable {
            ErrorName::Retryable
        } else {
            ErrorName::AwsRejected
        }
    }
}

/// `value`, a member every answer of its kind carries, or [`AwsCallError::incomplete`] naming it.
pub fn required<'a, T: ?Sized>(
    value: Option<&'a T>,
    field: &'static str,
) -> Result<&'a T, AwsCallError> {
    match value {
        Some(value) => Ok(value),
        None => Err(AwsCallError::incomplete(field)),
    }
}

/// [`required`] as a method, so the check reads where the member is read:
/// `vpc.vpc_id().required("Vpc.VpcId")?`.
pub trait Required<'a, T: ?Sized> {
    fn required(self, field: &'static str) -> Result<&'a T, AwsCallError>;
}

impl<'a, T: ?Sized> Required<'a, T> for Option<&'a T> {
    fn required(self, field: &'static str) -> Result<&'a T, AwsCallError> {
        required(self, field)
    }
}

/// A lookup whose "not found" answer is an expected outcome: `Ok(None)` for any of the given AWS
/// error codes (they differ per service: `NoSuchEntity`, `DBClusterNotFoundFault`, …).
pub fn found<T>(
    result: Result<T, AwsCallError>,
    not_found_codes: &[&str],
) -> Result<Option<T>, AwsCallError> {
    match result {
        Ok(value) => Ok(Some(value)),
        Err(error) if not_found_codes.iter().any(|code| error.is_code(code)) => Ok(None),
        Err(error) => Err(error),
    }
}

/// The error AWS answers for `operation` with this error code (HTTP 400), classified as a real
/// one would be: what the functions' in-memory fakes fail with.
pub fn aws_failure(operation: &'static str, code: &str) -> AwsCallError {
    aws_failure_with_message(operation, code, "answered by a stand-in for the service")
}

/// [`aws_failure`] with AWS's message, for callers that tell failures apart by it.
pub fn aws_failure_with_message(
    operation: &'static str,
    code: &str,
    message: &str,
) -> AwsCallError {
    let metadata = aws_smithy_types::error::ErrorMetadata::builder()
        .code(code)
        .message(message)
        .build();
    let response = HttpResponse::new(
        aws_smithy_runtime_api::http::StatusCode::try_from(400).expect("400 is a status code"),
        aws_smithy_types::body::SdkBody::empty(),
    );
    AwsCallError::new(operation, SdkError::service_error(metadata, response))
}

/// Helper for `.map_err(aws_error("DescribeVpcs"))`.
pub fn aws_error<E>(
    operation: &'static str,
) -> impl FnOnce(SdkError<E, HttpResponse>) -> AwsCallError
where
    E: ProvideErrorMetadata + Error + Send + Sync + 'static,
{
    move |error| AwsCallError::new(operation, error)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use aws_smithy_runtime_api::client::result::ConnectorError;
    use aws_smithy_types::body::SdkBody;
    use aws_smithy_types::error::ErrorMetadata;

    pub(crate) fn service_error(
        status: u16,
        code: Option<&str>,
        message: Option<&str>,
    ) -> SdkError<ErrorMetadata, HttpResponse> {
        let mut metadata = ErrorMetadata::builder();
        if let Some(code) = code {
            metadata = metadata.code(code);
        }
        if let Some(message) = message {
            metadata = metadata.message(message);
        }
        let response = HttpResponse::new(status.try_into().unwrap(), SdkBody::empty());
        SdkError::service_error(metadata.build(), response)
    }

    #[test]
    fn a_missing_member_is_an_error_naming_it_never_an_empty_string() {
        assert_eq!(required(Some("vpc-1"), "Vpc.VpcId").unwrap(), "vpc-1");
        assert_eq!(Some("vpc-1").required("Vpc.VpcId").unwrap(), "vpc-1");
        let error = required::<str>(None, "Vpc.VpcId").unwrap_err();
        assert_eq!(
            error.to_string(),
            "reading an AWS answer failed: it has no Vpc.VpcId"
        );
        assert_eq!(error.code(), None);
        assert_eq!(error.error_name(), ErrorName::AwsRejected);
    }

    #[test]
    fn error_names_are_a_stable_contract() {
        let names: Vec<&str> = ErrorName::ALL.iter().map(|name| name.as_str()).collect();
        assert_eq!(
            names,
            [
                "Retryable",
                "InvalidSpec",
                "InvalidEvent",
                "DeletionProtected",
                "ComponentFailed",
                "AwsRejected",
                "Misconfigured",
                "TeardownRunning"
            ]
        );
        assert_eq!(ErrorName::Retryable.to_string(), "Retryable");
    }

    #[test]
    fn a_refusal_of_something_new_is_retryable_only_with_its_code_and_words() {
        let new_key = || {
            aws_failure_with_message(
                "CreateLogGroup",
                "InvalidParameterException",
                "The specified KMS key does not exist or is not allowed to be used with Arn 'x'",
            )
        };
        let waited = new_key().retryable_when("InvalidParameterException", "KMS key");
        assert_eq!(waited.error_name(), ErrorName::Retryable);
        let other_words = aws_failure("CreateLogGroup", "InvalidParameterException")
            .retryable_when("InvalidParameterException", "KMS key");
        assert_eq!(other_words.error_name(), ErrorName::AwsRejected);
        let other_code = new_key().retryable_when("AccessDeniedException", "KMS key");
        assert_eq!(other_code.error_name(), ErrorName::AwsRejected);
        let other_case = aws_failure_with_message(
            "CreateLogGroup",
            "InvalidParameterException",
            "The specified KMS Key Id could not be found.",
        )
        .retryable_when("InvalidParameterException", "KMS key");
        assert_eq!(other_case.error_name(), ErrorName::Retryable);
    }

    #[test]
    fn a_call_missing_a_setting_is_misconfigured_and_names_the_variable() {
        let error = AwsCallError::misconfigured(
            "CreateRole",
            MissingSetting {
                variable: "ROLE_PERMISSIONS_BOUNDARY",
                meaning: "the ARN of the roles' permissions boundary",
            },
        );
        assert_eq!(error.error_name(), ErrorName::Misconfigured);
        assert!(!error.is_retryable());
        assert_eq!(error.code(), None);
        assert_eq!(
            error.to_string(),
            "CreateRole failed: the environment variable ROLE_PERMISSIONS_BOUNDARY is not set; it is the ARN of the roles' permissions boundary"
        );
    }

    #[test]
    fn throttling_is_retryable_and_keeps_the_aws_code() {
        let error = AwsCallError::new(
            "DescribeVpcs",
            service_error(
                400,
                Some("RequestLimitExceeded"),
                Some("Request limit exceeded."),
            ),
        );
        assert_eq!(error.error_name(), ErrorName::Retryable);
        assert!(error.is_retryable());
        assert!(error.is_code("RequestLimitExceeded"));
        assert_eq!(error.operation(), "DescribeVpcs");
        assert_eq!(
            error.to_string(),
            "DescribeVpcs failed: RequestLimitExceeded: Request limit exceeded."
        );
    }

    #[test]
    fn a_quota_reached_is_rejected_at_once_naming_it() {
        let error = AwsCallError::new(
            "CreateKey",
            service_error(
                400,
                Some("LimitExceededException"),
                Some("Too many keys in this account"),
            ),
        );
        assert_eq!(error.error_name(), ErrorName::AwsRejected);
        assert_eq!(
            error.to_string(),
            "CreateKey failed: LimitExceededException: Too many keys in this account"
        );
    }

    #[test]
    fn server_errors_are_retryable_even_without_a_code() {
        let error = AwsCallError::new("CreateVpc", service_error(503, None, None));
        assert_eq!(error.error_name(), ErrorName::Retryable);
        assert_eq!(error.code(), None);
        assert!(
            error.to_string().starts_with("CreateVpc failed: HTTP 503"),
            "{error}"
        );
    }

    #[test]
    fn access_denied_is_rejected_not_retried() {
        let error = AwsCallError::new(
            "CreateVpc",
            service_error(403, Some("UnauthorizedOperation"), None),
        );
        assert_eq!(error.error_name(), ErrorName::AwsRejected);
        assert_eq!(error.to_string(), "CreateVpc failed: UnauthorizedOperation");
    }

    #[test]
    fn timeouts_and_connection_failures_are_retryable() {
        let timeout: SdkError<ErrorMetadata, HttpResponse> =
            SdkError::timeout_error("operation timed out");
        assert!(AwsCallError::new("GetSecretValue", timeout).is_retryable());
        let dispatch: SdkError<ErrorMetadata, HttpResponse> =
            SdkError::dispatch_failure(ConnectorError::io("connection refused".into()));
        let error = aws_error("GetSecretValue")(dispatch);
        assert_eq!(error.error_name(), ErrorName::Retryable);
        let chain = error_chain(&error);
        assert!(chain.contains("connection refused"), "{chain}");
    }

    #[test]
    fn found_turns_the_given_not_found_codes_into_none() {
        let missing = || Err::<u8, _>(aws_failure("GetRole", "NoSuchEntity"));
        assert_eq!(found(missing(), &["NoSuchEntity"]).unwrap(), None);
        assert_eq!(found(Ok(7), &["NoSuchEntity"]).unwrap(), Some(7));
        let denied = found(missing(), &["NotFound", "Other"]).unwrap_err();
        assert!(denied.is_code("NoSuchEntity"));
    }

    #[test]
    fn a_stand_in_failure_is_classified_like_the_real_answer() {
        assert_eq!(
            aws_failure("CreateVpc", "Throttling").error_name(),
            ErrorName::Retryable
        );
        let denied = aws_failure("CreateVpc", "AccessDenied");
        assert_eq!(denied.error_name(), ErrorName::AwsRejected);
        assert_eq!(
            denied.to_string(),
            "CreateVpc failed: AccessDenied: answered by a stand-in for the service"
        );
    }

    #[test]
    fn a_request_that_could_not_be_built_is_not_retried() {
        let construction: SdkError<ErrorMetadata, HttpResponse> =
            SdkError::construction_failure("missing VpcId");
        assert_eq!(
            AwsCallError::new("DeleteVpc", construction).error_name(),
            ErrorName::AwsRejected
        );
    }

    #[derive(Debug, thiserror::Error)]
    #[error("outer")]
    struct Outer(#[source] Inner);
    #[derive(Debug, thiserror::Error)]
    #[error("inner")]
    struct Inner;
    #[derive(Debug, thiserror::Error)]
    #[error("wrapped: inner")]
    struct Repeating(#[source] Inner);

    #[test]
    fn error_chain_names_each_cause_once() {
        assert_eq!(error_chain(&Outer(Inner)), "outer: inner");
        assert_eq!(error_chain(&Repeating(Inner)), "wrapped: inner");
    }
}
