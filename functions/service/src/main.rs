mod api;
mod aws;
#[cfg(test)]
mod fake;
mod handler;
mod policy;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    env_core::telemetry::init();
    let cloud = aws::AwsCloud::new(&env_core::aws::load().await);
    let setting = std::env::var(handler::READINESS_SETTING).ok();
    env_core::invoke::run(|request| handler::handle(&cloud, setting.as_deref(), request)).await
}
