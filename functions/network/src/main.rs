mod api;
mod aws;
mod cidr;
#[cfg(test)]
mod fake;
mod handler;
mod rules;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    env_core::telemetry::init();
    let boundary = std::env::var(env_core::iam::ROLE_BOUNDARY_VAR).ok();
    let cloud = aws::AwsCloud::new(&env_core::aws::load().await, boundary);
    env_core::invoke::run(|request| handler::handle(&cloud, request)).await
}
