mod cloud;
mod handler;
mod plan;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    env_core::telemetry::init();
    let cloud = cloud::SdkCloud::new(&env_core::aws::load().await);
    env_core::invoke::run(|request| handler::handle(request, &cloud)).await
}
