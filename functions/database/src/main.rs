// The handler's future nests the SDK's futures inside the shared capabilities' (RDS, Lambda,
// Secrets Manager …); its layout needs more than the default query depth of 128.
#![recursion_limit = "256"]

mod api;
mod aws;
mod capacity;
mod cluster;
mod converge;
mod credentials;
mod engine;
#[cfg(test)]
mod fake;
mod handler;
mod inputs;
mod instances;
mod log_groups_first;
mod master_secret;
mod parameter_group;
mod rotation_function;
mod rotation_policy;
mod secrets;
mod settings;
mod status;
mod subnet_group;
mod teardown;

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
