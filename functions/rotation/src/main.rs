// The rotation future nests deeply (protocol, SDK and tokio-postgres futures); its layout needs more
// than the default query depth of 128.
#![recursion_limit = "256"]

#[tokio::main]
async fn main() -> std::process::ExitCode {
    env_core::telemetry::init();
    let function = rotation::Function::from_env().await;
    let function = &function;
    env_core::invoke::run(move |event| function.handle(event)).await
}
