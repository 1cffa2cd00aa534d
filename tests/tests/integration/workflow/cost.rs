//! What a lifecycle costs in state transitions at the production poll intervals: the real ASL run
//! with every component answering from simulated time (tools/workflow/typical-times.json), so the
//! Wait seconds in the files, not the shortened local ones, decide how often each loop turns.

use integration_tests::workflow::{run_simulated, simulated_lifecycle, typical_times};
use serde_json::{json, Value};

fn input() -> Value {
    json!({ "spec": {
        "environmentSuffix": "pr-1",
        "containerImage": "nginx",
        "selfSignedCertificate": true
    }})
}

#[test]
fn a_lifecycle_at_production_poll_intervals_takes_at_most_400_transitions() {
    let (provision, teardown) = simulated_lifecycle("pr-1");
    let total = provision.transitions + teardown.transitions;
    println!(
        "lifecycle at production poll intervals (typical-times.json): provision {} transitions / {} \
         invocations, teardown {} / {}, total {total} transitions (${:.4} at $0.025 per 1,000)",
        provision.transitions,
        provision.invocations,
        teardown.transitions,
        teardown.invocations,
        total as f64 * 0.025 / 1000.0
    );
    // Issue 11's target: a full lifecycle within 400 transitions.
    assert!(total <= 400, "{total} transitions");
}

#[test]
fn a_component_that_never_becomes_ready_times_out_at_its_bound_and_is_rolled_back() {
    let mut times = typical_times();
    times["create"]["database"] = json!(24 * 3600);
    let path = std::env::temp_dir().join(format!("never-ready-{}.json", std::process::id()));
    std::fs::write(&path, times.to_string()).unwrap();
    let provision = run_simulated("provision", &input(), &path);
    std::fs::remove_file(&path).unwrap();
    assert!(!provision.succeeded, "{}", provision.log);
    assert_eq!(provision.error.as_deref(), Some("ComponentTimedOut"));
    let cause = provision.cause.unwrap_or_default();
    assert!(cause.contains("database"), "{cause}");
    assert!(
        provision.log.contains("provision: DatabaseNotReady\n")
            && provision.log.contains("teardown: TornDown\n"),
        "{}",
        provision.log
    );
}
