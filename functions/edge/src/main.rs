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
mod rules;
mod settings;
mod status;
mod target_groups;
mod teardown;
mod tolerate;
mod wake;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    env_core::telemetry::init();
    // Read once per process; `create` checks them before any AWS call.
    let settings = <settings::Settings as env_core::settings::FunctionSettings>::from_env();
    let cloud = aws::AwsCloud::new(&env_core::aws::load().await);
    env_core::invoke::run(|request| handler::handle(&cloud, &settings, request)).await
}
