// The SDK's futures nest deeper than the compiler's default query depth once the handler's
// futures wrap them (as in the guard, cache, database, outputs and rotation binaries).
#![recursion_limit = "256"]

mod decide;
mod error;
mod event;
mod handler;
mod memo;
mod page;
mod settings;

use env_core::settings::FunctionSettings;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    env_core::telemetry::init();
    let cloud = sfn::Sfn::new(&env_core::aws::load().await);
    // Read once per process; every invocation checks them before any AWS call.
    let waker = handler::Waker::new(cloud, settings::Settings::from_env());
    env_core::invoke::run(|event: serde_json::Value| waker.handle(event, std::time::Instant::now()))
        .await
}
