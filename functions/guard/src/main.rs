// The SDK's futures nest deeper than the compiler's default query depth once the handler's
// futures wrap them (as in the cache, database, outputs and rotation binaries).
#![recursion_limit = "256"]

use env_core::settings::FunctionSettings;
use guard::{event::GuardEvent, handler::Guard, settings::Settings};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    env_core::telemetry::init();
    let calls = sfn::Sfn::new(&env_core::aws::load().await);
    // Read once per process; every invocation checks them before any AWS call.
    let guard = Guard::new(calls, Settings::from_env());
    env_core::invoke::run(|event: GuardEvent| guard.handle(event)).await
}
