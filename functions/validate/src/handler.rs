//! Validates the execution input once, up front, so no component starts on a spec that would fail
//! later. The spec is checked while the event is read (every problem at once, as `InvalidSpec`), so
//! the handler only ever sees a valid one; it returns it with every default written out, so what the
//! later steps receive is exactly what the environment will be built from.

use env_core::contract::EventRejected;
use env_core::spec::EnvironmentSpec;

pub async fn handle(spec: EnvironmentSpec) -> Result<EnvironmentSpec, EventRejected> {
    tracing::info!(environment = %spec.suffix(), "spec is valid");
    Ok(spec)
}

#[cfg(test)]
mod tests {
    use super::*;
    use env_core::contract::Event;
    use env_core::{ErrorName, NamedError};
    use serde_json::json;

    #[tokio::test]
    async fn returns_the_spec_with_defaults_written_out() {
        let event = json!({
            "environmentSuffix": "pr-42",
            "containerImage": "public.ecr.aws/acme/catalog-api:1",
            "selfSignedCertificate": true
        });
        let spec = handle(EnvironmentSpec::from_event(event).unwrap())
            .await
            .unwrap();
        let written = serde_json::to_value(&spec).unwrap();
        assert_eq!(written["minTasks"], 2);
        assert_eq!(written["maxTasks"], 10);
        assert_eq!(written["cpuTargetPercent"], 70);
        assert_eq!(written["cacheShards"], 2);
        assert_eq!(written["cacheReplicasPerShard"], 1);
        assert_eq!(written["deletionProtection"], true);
    }

    #[test]
    fn a_bad_spec_is_rejected_with_every_problem_before_the_handler_runs() {
        let rejected = EnvironmentSpec::from_event(
            json!({"environmentSuffix": "PR_42", "region": "eu-west-1"}),
        )
        .unwrap_err();
        assert_eq!(rejected.error_name(), ErrorName::InvalidSpec);
        let message = rejected.to_string();
        for field in [
            "environmentSuffix = ",
            "region = ",
            "containerImage = (missing)",
            "certificate = (none)",
        ] {
            assert!(message.contains(field), "{field} missing from: {message}");
        }
    }
}
