//! Structured logs: JSON lines on stderr (CloudWatch in Lambda; never stdout, which carries the
//! response in local invoke). `RUST_LOG` sets the level, `info` by default.

use tracing_subscriber::EnvFilter;

pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    // A second call (tests, a binary that initialises twice) keeps the first subscriber.
    let _ = tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_current_span(false)
        .try_init();
}

#[cfg(test)]
mod tests {
    #[test]
    fn initialising_twice_is_harmless() {
        super::init();
        super::init();
        tracing::info!(check = "telemetry", "logged once the subscriber is set");
    }
}
