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

#[tokio::main]
async fn main() -> std::process::ExitCode {
    env_core::telemetry::init();
    let boundary = std::env::var(env_core::iam::ROLE_BOUNDARY_VAR).ok();
    let cloud = aws::AwsCloud::new(&env_core::aws::load().await, boundary);
    let settings = settings::Settings::from_lookup(|name| std::env::var(name).ok());
    env_core::invoke::run(|request| handler::handle(&cloud, &settings, request)).await
}
