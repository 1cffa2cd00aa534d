//! What `env up` and `local up` send: the spec (validated here, before any AWS call) and the
//! execution name a repeated trigger of the same request maps to.

use anyhow::{bail, Context};
use env_core::spec::EnvironmentSpec;
use serde_json::{json, Value};
use std::path::Path;

// The names every starter of the workflows shares (the waker function computes a wake's name as
// `env wake` does), so they live in env_core.
pub(crate) use env_core::execution_name::{execution_name, suffix_of};

/// The spec used when no `--spec` is given: the repository's pull-request example (single NAT,
/// self-signed certificate, forceDestroy), a demo that tears down without manual steps.
const DEMO_SPEC: &str = include_str!("../../../examples/pr.json");

/// The overrides the command line gives on top of the spec file.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub(crate) ttl_hours: Option<u32>,
    pub(crate) pull_request: Option<u32>,
}

/// The spec to run: the file (or the demo spec), its suffix set to `suffix`, the overrides applied,
/// validated by the same types every function deserialises.
pub fn spec_for(
    suffix: &str,
    file: Option<&Path>,
    overrides: &Overrides,
) -> anyhow::Result<EnvironmentSpec> {
    let mut value: Value = match file {
        Some(path) => envctl_common::spec_file::read_spec(path, std::io::empty())?,
        None => {
            let mut demo: Value = serde_json::from_str(DEMO_SPEC)?;
            let fields = demo.as_object_mut().context("the demo spec is an object")?;
            fields.remove("pullRequest");
            fields.remove("ttlHours");
            demo
        }
    };
    let Some(fields) = value.as_object_mut() else {
        bail!("the spec must be a JSON object")
    };
    fields.insert("environmentSuffix".into(), json!(suffix));
    if let Some(hours) = overrides.ttl_hours {
        fields.insert("ttlHours".into(), json!(hours));
    }
    if let Some(number) = overrides.pull_request {
        fields.insert("pullRequest".into(), json!(number));
    }
    EnvironmentSpec::from_value(&value).map_err(|invalid| {
        let problems: Vec<String> = invalid.problems().iter().map(ToString::to_string).collect();
        anyhow::anyhow!("the spec is invalid:\n  {}", problems.join("\n  "))
    })
}

/// `--ttl 72h` or `--ttl 3d` in whole hours.
pub(crate) fn parse_ttl(text: &str) -> Result<u32, String> {
    let (number, unit) = text.split_at(text.len().saturating_sub(1));
    let factor = match unit {
        "h" => 1,
        "d" => 24,
        _ => {
            return Err(format!(
                "{text:?} is not a duration: use hours or days, such as 72h or 3d"
            ))
        }
    };
    number
        .parse::<u32>()
        .ok()
        .and_then(|n| n.checked_mul(factor))
        .ok_or_else(|| format!("{text:?} is not a whole number of hours or days"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_a_file_the_demo_spec_gets_the_suffix_and_overrides() {
        let overrides = Overrides {
            ttl_hours: Some(72),
            pull_request: Some(42),
        };
        let spec = spec_for("pr-42", None, &overrides).unwrap();
        let value = serde_json::to_value(&spec).unwrap();
        assert_eq!(value["environmentSuffix"], "pr-42");
        assert_eq!(value["ttlHours"], 72);
        assert_eq!(value["pullRequest"], 42);
        let plain =
            serde_json::to_value(spec_for("demo", None, &Overrides::default()).unwrap()).unwrap();
        assert_eq!(plain["environmentSuffix"], "demo");
        assert!(plain.get("ttlHours").is_none_or(Value::is_null), "{plain}");
    }

    #[test]
    fn a_spec_file_is_read_and_its_problems_are_listed() {
        let dir = std::env::temp_dir().join(format!("envctl-request-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let bad = dir.join("bad.json");
        std::fs::write(&bad, r#"{"containerImage": "nginx", "minTasks": 0}"#).unwrap();
        let error = spec_for("pr-1", Some(&bad), &Overrides::default()).unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("the spec is invalid:\n  minTasks"),
            "{error}"
        );
        let array = dir.join("array.json");
        std::fs::write(&array, "[]").unwrap();
        let error = spec_for("pr-1", Some(&array), &Overrides::default()).unwrap_err();
        assert_eq!(error.to_string(), "the spec must be a JSON object");
        let text = dir.join("text.json");
        std::fs::write(&text, "nope").unwrap();
        let error = spec_for("pr-1", Some(&text), &Overrides::default()).unwrap_err();
        assert!(
            error.to_string().ends_with("text.json is not JSON"),
            "{error}"
        );
        let missing = dir.join("missing.json");
        let error = spec_for("pr-1", Some(&missing), &Overrides::default()).unwrap_err();
        assert!(
            error.to_string().starts_with("reading the spec file"),
            "{error}"
        );
    }

    #[test]
    fn ttls_are_hours_or_days() {
        assert_eq!(parse_ttl("72h"), Ok(72));
        assert_eq!(parse_ttl("3d"), Ok(72));
        assert_eq!(
            parse_ttl("3w"),
            Err("\"3w\" is not a duration: use hours or days, such as 72h or 3d".into())
        );
        assert_eq!(
            parse_ttl("xh"),
            Err("\"xh\" is not a whole number of hours or days".into())
        );
    }
}
