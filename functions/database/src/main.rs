mod api;
mod aws;
mod capacity;
mod engine;
#[cfg(test)]
mod fake;
mod handler;
mod log_groups_first;
mod rotation_function;
mod rotation_policy;
mod secrets;
mod settings;
mod status;

use env_core::settings::FunctionSettings as _;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    env_core::telemetry::init();
    // Read once per process; the handler checks them before any AWS call that needs them.
    let settings = settings::Settings::from_env();
    let boundary = env_core::settings::role_boundary_of(&settings);
    let cloud = aws::AwsCloud::new(&env_core::aws::load().await, boundary);
    env_core::invoke::run(|request| handler::handle(&cloud, &settings, request)).await
}
