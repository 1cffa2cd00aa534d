//! The shared core of the environment functions.
//!
//! Every Lambda of the backend deserialises the same [`spec::EnvironmentSpec`], builds its AWS names
//! through [`naming`], tags what it creates with [`tags`], answers the [`contract`] the state machines
//! expect, and reports failures under the stable [`error::ErrorName`]s the state machines retry or catch.
//! Each reads its own [`settings`] once, at start.

pub mod arn;
pub mod aws;
pub mod capability;
pub mod context;
pub mod contract;
pub mod error;
pub mod execution_name;
pub mod iam;
pub mod invoke;
pub mod naming;
pub mod outputs;
pub mod policy;
pub mod pool;
#[cfg(any(test, feature = "test-util"))]
pub mod recorder;
pub mod redacted;
pub mod secret_policy;
pub mod settings;
pub mod spec;
pub mod tags;
pub mod telemetry;

pub use contract::{Action, Outputs, Request, Response, Status};
pub use error::{AwsCallError, ErrorName, NamedError};
pub use spec::EnvironmentSpec;

/// How long every CloudWatch log group of an environment keeps its logs: the customer's request,
/// "CloudWatch logs must retain for exactly 14 days" (docs/requirements.md).
pub const LOG_RETENTION_DAYS: i32 = 14;
