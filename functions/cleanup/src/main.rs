mod api;
mod aws;
mod error;
#[cfg(test)]
mod fake;
mod handler;
mod inventory;
mod report;
mod settings;
mod teardown;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    env_core::telemetry::init();
    let cloud = aws::AwsCloud::new(&env_core::aws::load().await);
    // Read once per process; the handler checks it before any AWS call.
    let state_machine_arn = std::env::var(settings::TEARDOWN_STATE_MACHINE_ARN).ok();
    env_core::invoke::run(|_scheduled: serde_json::Value| {
        handler::handle(
            &cloud,
            state_machine_arn.as_deref(),
            std::time::SystemTime::now(),
        )
    })
    .await
}
