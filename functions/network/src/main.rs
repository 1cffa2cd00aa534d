mod api;
mod aws;
mod cidr;
mod claim;
mod converge;
#[cfg(test)]
mod fake;
mod flow_logs;
mod handler;
mod internet_gateway;
mod key;
mod labels;
mod nat;
mod routes;
mod rules;
mod security_groups;
mod settings;
mod status;
mod subnets;
mod teardown;
mod vpc;
mod waiting;

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
