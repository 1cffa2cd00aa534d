//! The plain types the Lambda calls answer and take: a function as GetFunction describes it, and
//! everything its creation and updates are given.

use env_core::tags::Tag;
use std::collections::BTreeMap;
use std::time::SystemTime;

/// A function as GetFunction describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Function {
    pub arn: String,
    /// `Pending` while Lambda sets up the VPC network interfaces, then `Active` (Lambda developer
    /// guide, "Lambda function states").
    pub state: String,
    /// `LastUpdateStatus` is `InProgress`: Lambda refuses another change until it ends (Lambda
    /// developer guide, "Lambda function states").
    pub updating: bool,
    /// `LastUpdateStatusReason` when `LastUpdateStatus` is `Failed`: Lambda kept the previous code
    /// and configuration.
    pub update_failure: Option<String>,
    /// `LastModified`, to the second: when the last change began.
    pub last_modified: Option<SystemTime>,
    pub subnet_ids: Vec<String>,
    pub security_group_ids: Vec<String>,
    /// The package's SHA-256, base64 (`CodeSha256`).
    pub code_sha256: String,
    pub architecture: String,
    pub timeout_seconds: i32,
    pub environment: BTreeMap<String, String>,
}

impl Function {
    /// `Active`: Lambda runs it now (a caller such as Secrets Manager invokes it as soon as it is
    /// told of it; Lambda developer guide, "Lambda function states").
    pub fn active(&self) -> bool {
        self.state == "Active"
    }
}

/// Everything CreateFunction is given for a function of the backend's own (a custom runtime's
/// `bootstrap` executable in a package in S3, in the environment's VPC).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionSettings {
    pub name: String,
    pub description: &'static str,
    pub role_arn: String,
    pub code_bucket: String,
    pub code_key: String,
    /// What Lambda reports as the package's `CodeSha256` (the caller's settings).
    pub code_sha256: String,
    /// `x86_64` or `arm64`, as the package was built.
    pub architecture: String,
    pub subnet_ids: Vec<String>,
    pub security_group_ids: Vec<String>,
    pub environment: Vec<(&'static str, String)>,
    pub timeout_seconds: i32,
    pub tags: Vec<Tag>,
}

impl FunctionSettings {
    /// The environment variables as Lambda keeps them: by name.
    pub fn variables(&self) -> BTreeMap<String, String> {
        self.environment
            .iter()
            .map(|(name, value)| (name.to_string(), value.clone()))
            .collect()
    }
}
