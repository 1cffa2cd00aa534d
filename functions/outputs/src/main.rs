mod api;
mod aws;
mod document;
#[cfg(test)]
mod fake;
mod handler;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    env_core::telemetry::init();
    let cloud = aws::AwsCloud::new(&env_core::aws::load().await);
    env_core::invoke::run(|request| handler::handle(&cloud, request)).await
}
