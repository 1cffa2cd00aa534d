//! A full four-step rotation against the machine's PostgreSQL and the emulator, for each strategy:
//! single user (the user's own password changes) and alternating users (the master creates or
//! updates `<user>_clone` and the secret switches to it). createSecret runs in this process, as the
//! rotation tests run it (moto cannot leave a token pending the way RotateSecret does); setSecret,
//! testSecret and finishSecret run through the release binary, each a new process, so the time
//! includes three process starts that a warm Lambda would not pay.

use integration_tests::rotation::{fixture, token};
use std::time::Instant;

/// Milliseconds per full rotation, one fresh user and secret per run (set-up not timed).
pub async fn rotations(alternating: bool, runs: usize) -> Vec<f64> {
    let mut samples = Vec::with_capacity(runs);
    for run in 0..runs {
        let fixture = fixture(alternating).await;
        let token = token(u32::try_from(run).unwrap_or(u32::MAX) + 1);
        let started = Instant::now();
        fixture.rotate(&token).await;
        samples.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    samples
}
