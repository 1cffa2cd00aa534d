mod api;
mod aws;
mod cidr;
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
mod status;
mod subnets;
mod teardown;
mod vpc;
mod waiting;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    env_core::telemetry::init();
    let boundary = std::env::var(env_core::iam::ROLE_BOUNDARY_VAR).ok();
    let cloud = aws::AwsCloud::new(&env_core::aws::load().await, boundary);
    env_core::invoke::run(|request| handler::handle(&cloud, request)).await
}
