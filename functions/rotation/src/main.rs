// The rotation future nests deeply (protocol, SDK and tokio-postgres futures); its layout needs more
// than the default query depth of 128.
#![recursion_limit = "256"]

use env_core::settings::FunctionSettings;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    env_core::telemetry::init();
    // Read once per process; every invocation fails on wrong ones before any AWS call.
    let settings = rotation::config::Settings::from_env();
    let function = rotation::Function::load(settings).await;
    let function = &function;
    env_core::invoke::run(move |event| function.handle(event)).await
}
