mod api;
mod aws;
mod decide;
mod error;
mod event;
#[cfg(test)]
mod fake;
mod handler;
mod memo;
mod page;
mod settings;

use env_core::settings::FunctionSettings;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    env_core::telemetry::init();
    let cloud = aws::AwsCloud::new(&env_core::aws::load().await);
    // Read once per process; every invocation checks them before any AWS call.
    let waker = handler::Waker::new(cloud, settings::Settings::from_env());
    env_core::invoke::run(|event: serde_json::Value| waker.handle(event, std::time::Instant::now()))
        .await
}
