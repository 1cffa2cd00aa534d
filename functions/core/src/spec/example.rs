//! One valid spec for the functions' unit tests (feature test-util), instead of a copy in each
//! crate's tests: pull request 42's environment with a self-signed certificate.

use super::EnvironmentSpec;
use serde_json::{json, Value};

/// The example spec with `extra`'s fields added or replaced (`extra` is a JSON object).
///
/// # Panics
/// When `extra` is not an object or the result is not a valid spec: a test's own mistake.
pub fn with(extra: Value) -> EnvironmentSpec {
    let mut value = json!({
        "environmentSuffix": "pr-42",
        "containerImage": "public.ecr.aws/acme/catalog-api:1",
        "selfSignedCertificate": true
    });
    let fields = value.as_object_mut().expect("a JSON object");
    fields.extend(
        extra
            .as_object()
            .expect("extra fields as an object")
            .clone(),
    );
    EnvironmentSpec::from_value(&value).expect("a valid example spec")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extra_fields_are_added_and_replace_the_examples() {
        let spec = with(json!({"environmentSuffix": "pr-7", "minTasks": 3, "maxTasks": 4}));
        assert_eq!(spec.suffix().as_str(), "pr-7");
        assert_eq!(spec.fields().min_tasks.get(), 3);
        assert_eq!(
            spec.fields().container_image.as_str(),
            "public.ecr.aws/acme/catalog-api:1"
        );
    }
}
