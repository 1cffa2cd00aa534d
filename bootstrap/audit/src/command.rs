//! `envctl env audit --suffix X [--spec FILE]`: reads the environment from AWS (or the emulator) and
//! prints the audit; fails when anything is found.

use crate::{read, Report};
use anyhow::bail;
use env_core::spec::{EnvironmentSpec, EnvironmentSuffix};
use serde_json::json;
use std::io::Write;
use std::path::Path;

/// The spec the environment was made from, or the defaults for its suffix when none is given (then
/// nothing is waived: deletion protection is expected on, and the health check on `/health`).
fn spec_for(suffix: &str, file: Option<&Path>) -> anyhow::Result<EnvironmentSpec> {
    let value = match file {
        Some(file) => envctl_common::spec_file::read_spec(file, std::io::empty())?,
        // A placeholder image: not in a private ECR repository, so ECR.1/2/3 are waived.
        None => {
            json!({"environmentSuffix": suffix, "containerImage": "unknown", "selfSignedCertificate": true})
        }
    };
    let spec = EnvironmentSpec::from_value(&value).map_err(anyhow::Error::new)?;
    if spec.suffix().as_str() != suffix {
        bail!(
            "the spec is for environment {:?}, not {suffix:?}",
            spec.suffix().to_string()
        );
    }
    Ok(spec)
}

/// The clients the audit reads with: every service from `config`, CloudWatch from its own (the
/// emulator answers it elsewhere).
#[derive(Debug, Clone, Copy)]
pub struct Reach<'a> {
    pub config: &'a aws_config::SdkConfig,
    pub cloudwatch: &'a aws_sdk_cloudwatch::Client,
}

pub async fn run(
    reach: Reach<'_>,
    suffix: &str,
    spec_file: Option<&Path>,
    json: bool,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    EnvironmentSuffix::parse(suffix)
        .map_err(|reason| anyhow::anyhow!("environment suffix {suffix:?} {reason}"))?;
    let spec = spec_for(suffix, spec_file)?;
    let environment = read::read(reach, &spec).await?;
    let report = Report::new(&environment, &spec)?;
    report.write(json, out)?;
    if !report.clean() {
        bail!("the audit of {suffix} found problems (see the report above)");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_invalid_suffix_is_refused_before_any_aws_call() {
        let config = aws_config::SdkConfig::builder()
            .behavior_version(aws_config::BehaviorVersion::latest())
            .build();
        let cloudwatch = aws_sdk_cloudwatch::Client::new(&config);
        let reach = Reach {
            config: &config,
            cloudwatch: &cloudwatch,
        };
        let error = run(reach, "PR 1", None, false, &mut Vec::new())
            .await
            .unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("environment suffix \"PR 1\" "),
            "{error}"
        );
    }

    #[test]
    fn without_a_spec_the_defaults_for_the_suffix_are_audited() {
        let spec = spec_for("pr-42", None).unwrap();
        assert!(!spec.fields().force_destroy);
        assert!(spec.fields().deletion_protection);
    }

    #[test]
    fn a_spec_for_another_environment_or_unreadable_is_refused() {
        let dir = std::env::temp_dir().join(format!("audit-spec-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("spec.json");
        std::fs::write(&file, r#"{"environmentSuffix": "pr-7", "containerImage": "x", "selfSignedCertificate": true, "forceDestroy": true}"#).unwrap();
        assert!(
            spec_for("pr-7", Some(&file))
                .unwrap()
                .fields()
                .force_destroy
        );
        let error = spec_for("pr-42", Some(&file)).unwrap_err();
        assert_eq!(
            error.to_string(),
            "the spec is for environment \"pr-7\", not \"pr-42\""
        );
        std::fs::write(&file, "{").unwrap();
        assert!(spec_for("pr-7", Some(&file))
            .unwrap_err()
            .to_string()
            .ends_with("is not JSON"));
        std::fs::write(&file, r#"{"environmentSuffix": "pr-7"}"#).unwrap();
        assert!(spec_for("pr-7", Some(&file)).is_err());
        assert!(spec_for("pr-7", Some(&dir.join("missing.json")))
            .unwrap_err()
            .to_string()
            .starts_with("reading the spec file"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
