// The handler's future nests the SDK's futures inside the shared capabilities' (ElastiCache,
// Lambda, Secrets Manager …); its layout needs more than the default query depth of 128.
#![recursion_limit = "256"]

mod api;
mod asleep;
mod aws;
mod converge;
#[cfg(test)]
mod fake;
mod handler;
mod inputs;
mod placement;
mod replication_group;
mod secret;
mod serverless;
mod serverless_auth;
mod serverless_converge;
mod serverless_status;
mod shape;
mod slow_log;
mod status;
mod subnet_group;
mod teardown;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    env_core::telemetry::init();
    let cloud = aws::AwsCloud::new(&env_core::aws::load().await);
    env_core::invoke::run(|request| handler::handle(&cloud, request)).await
}
