// The handler awaits thirteen reads at once, each through a capability's async trait method:
// laying out that future nests deeper than the compiler's default limit of 128.
#![recursion_limit = "256"]

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
