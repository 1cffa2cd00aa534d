//! The Lambda calls of the components that own or read the environment's rotation function (the
//! database function makes, updates and deletes it, the cache function reads it before it turns
//! rotation on): one capability, [`LambdaCalls`], written once over the SDK ([`Lambda`]) and once
//! in memory for the unit tests (`fake::FakeLambda`, feature `test-util`). Each function's `Cloud`
//! hands out its implementation instead of declaring the calls again. The moto tests drive every
//! SDK method through those functions' binaries.

mod aws;
mod types;

pub use aws::Lambda;
pub use types::*;

use env_core::AwsCallError;

pub type CallResult<T> = Result<T, AwsCallError>;

/// Everything the environment's functions ask of Lambda.
// The lint warns that callers cannot require `Send` futures from a public async trait; only the
// functions' binaries implement and call it, and their entry point does not need `Send`.
#[allow(async_fn_in_trait)]
pub trait LambdaCalls {
    /// GetFunction; `None` when there is no such function.
    async fn function(&self, name: &str) -> CallResult<Option<Function>>;
    async fn create_function(&self, settings: &FunctionSettings) -> CallResult<()>;
    /// UpdateFunctionCode: the package and architecture of `settings`.
    async fn update_function_code(&self, settings: &FunctionSettings) -> CallResult<()>;
    /// UpdateFunctionConfiguration: the timeout and the whole environment of `settings`.
    async fn update_function_configuration(&self, settings: &FunctionSettings) -> CallResult<()>;
    /// AddPermission: lets `principal` of `source_account` invoke the function.
    async fn allow_invoke(
        &self,
        function: &str,
        statement_id: &str,
        principal: &str,
        source_account: &str,
    ) -> CallResult<()>;
    async fn delete_function(&self, name: &str) -> CallResult<()>;
}

#[cfg(any(test, feature = "test-util"))]
pub mod fake;
