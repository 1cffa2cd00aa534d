mod handler;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    env_core::telemetry::init();
    env_core::invoke::run(handler::handle).await
}
