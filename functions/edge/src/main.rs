mod access_logs;
mod acm;
mod api;
mod aws;
mod certificate;
mod converge;
#[cfg(test)]
mod fake;
mod handler;
mod inputs;
mod listeners;
mod load_balancer;
mod outputs;
mod status;
mod target_groups;
mod teardown;
mod tolerate;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    env_core::telemetry::init();
    let cloud = aws::AwsCloud::new(&env_core::aws::load().await);
    env_core::invoke::run(|request| handler::handle(&cloud, request)).await
}
