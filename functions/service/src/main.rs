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
mod settings;
mod status;
mod task;
mod teardown;

use env_core::settings::FunctionSettings;
use settings::Settings;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    env_core::telemetry::init();
    // Read once per process; the handler checks them before any AWS call that needs them.
    let settings = Settings::from_env();
    let boundary = env_core::settings::role_boundary_of(&settings);
    let cloud = aws::AwsCloud::new(&env_core::aws::load().await, boundary);
    env_core::invoke::run(|request| handler::handle(&cloud, &settings, request)).await
}
