mod api;
mod aws;
mod cluster;
mod converge;
mod deployment;
mod discovery;
#[cfg(test)]
mod fake;
mod handler;
mod inputs;
mod logs;
mod outputs;
mod policy;
mod roles;
mod scaling;
mod status;
mod task;
mod teardown;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    env_core::telemetry::init();
    let boundary = std::env::var(env_core::iam::ROLE_BOUNDARY_VAR).ok();
    let cloud = aws::AwsCloud::new(&env_core::aws::load().await, boundary);
    let setting = std::env::var(handler::READINESS_SETTING).ok();
    env_core::invoke::run(|request| handler::handle(&cloud, setting.as_deref(), request)).await
}
