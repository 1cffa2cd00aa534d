mod api;
mod aws;
mod error;
#[cfg(test)]
mod fake;
mod handler;
mod history;
mod inventory;
mod pool;
mod pool_settings;
mod report;
mod settings;
mod sleep;
mod teardown;

use env_core::settings::FunctionSettings;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    env_core::telemetry::init();
    let cloud = aws::AwsCloud::new(&env_core::aws::load().await);
    // Read once per process; the handler checks them before any AWS call.
    let settings = settings::Settings::from_env();
    env_core::invoke::run(|_scheduled: serde_json::Value| {
        handler::handle(&cloud, &settings, std::time::SystemTime::now())
    })
    .await
}
