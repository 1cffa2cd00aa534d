//! `envctl spec …`: validate specs and preview names locally, before anything reaches AWS.

use anyhow::bail;
use env_core::naming::{NameKind, Names};
use env_core::spec::{EnvironmentSpec, EnvironmentSuffix};
use envctl_common::spec_file::read_spec;
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::path::Path;

/// `spec check FILE`: the spec with defaults filled in, or every problem, one per line.
pub fn check(file: &Path, stdin: impl Read, json: bool, out: &mut dyn Write) -> anyhow::Result<()> {
    let value = read_spec(file, stdin)?;
    match EnvironmentSpec::from_value(&value) {
        Ok(spec) => {
            let written = serde_json::to_string_pretty(&spec)?;
            writeln!(out, "{written}")?;
            Ok(())
        }
        Err(invalid) => {
            if json {
                let problems: Vec<Value> = invalid
                    .problems()
                    .iter()
                    .map(|p| json!({"field": p.field, "value": p.value, "allowed": p.allowed}))
                    .collect();
                writeln!(out, "{}", json!({"problems": problems}))?;
            } else {
                for problem in invalid.problems() {
                    writeln!(out, "{problem}")?;
                }
            }
            bail!(
                "{} has {} invalid field(s)",
                file.display(),
                invalid.problems().len()
            )
        }
    }
}

/// `spec cost FILE`: the itemised cost estimate of a valid spec.
pub fn cost(file: &Path, stdin: impl Read, json: bool, out: &mut dyn Write) -> anyhow::Result<()> {
    let value = read_spec(file, stdin)?;
    let spec = EnvironmentSpec::from_value(&value).map_err(anyhow::Error::new)?;
    envctl_cost::report(file, &spec, json, out)
}

/// `spec cost FILE --pool N`: what a warm pool of `size` standby environments built from the spec
/// in `file` (`-` for stdin) costs, itemised for one environment.
///
/// `stdin` is the one the command was given: the process's own is locked by `run` already, so
/// reading `std::io::stdin()` here would wait on that lock for ever.
pub fn pool_cost(
    file: &Path,
    stdin: impl Read,
    size: u32,
    json: bool,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let value = read_spec(file, stdin)?;
    let spec = EnvironmentSpec::from_value(&value).map_err(anyhow::Error::new)?;
    envctl_cost::pool_report(file, &spec, size, json, out)
}

/// `spec names SUFFIX`: each physical name with its AWS limit.
pub fn names(suffix: &str, json: bool, out: &mut dyn Write) -> anyhow::Result<()> {
    let suffix = EnvironmentSuffix::parse(suffix)
        .map_err(|reason| anyhow::anyhow!("environment suffix {suffix:?} {reason}"))?;
    let names = Names::new(&suffix);
    let rows: Vec<(String, String, usize)> = NameKind::all()
        .into_iter()
        .map(|kind| {
            let name = match kind {
                NameKind::AccessLogBucket => names.bucket("<account-id>"),
                _ => names.of(kind),
            };
            (kind.to_string(), name, kind.limit().0)
        })
        .collect();
    if json {
        let rows: Vec<Value> = rows
            .iter()
            .map(|(kind, name, limit)| json!({"kind": kind, "name": name, "limit": limit}))
            .collect();
        writeln!(out, "{}", Value::Array(rows))?;
    } else {
        let width = rows
            .iter()
            .map(|(kind, _, _)| kind.len())
            .max()
            .unwrap_or(0);
        for (kind, name, limit) in rows {
            writeln!(out, "{kind:width$}  {name}  (limit {limit})")?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::cli::tests::run_cli;
    use std::process::ExitCode;

    const VALID: &str = r#"{"environmentSuffix": "pr-42", "containerImage": "nginx", "selfSignedCertificate": true}"#;

    #[test]
    fn every_example_spec_in_the_repository_is_valid() {
        let examples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
        let mut checked = 0;
        for entry in std::fs::read_dir(examples).unwrap() {
            let path = entry.unwrap().path();
            // The CI workflow example lives here too.
            if path.extension().is_none_or(|extension| extension != "json") {
                continue;
            }
            let (code, _, err) = run_cli(&["spec", "check", path.to_str().unwrap()], "");
            assert_eq!(code, ExitCode::SUCCESS, "{}: {err}", path.display());
            checked += 1;
        }
        assert_eq!(checked, 2);
    }

    #[test]
    fn check_prints_the_spec_with_defaults() {
        let (code, out, _) = run_cli(&["spec", "check", "-"], VALID);
        assert_eq!(code, ExitCode::SUCCESS);
        let spec: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(spec["maxTasks"], 10);
        assert_eq!(spec["natGateways"], "perAz");
    }

    #[test]
    fn check_lists_every_problem_and_fails() {
        let (code, out, err) = run_cli(
            &["spec", "check", "-"],
            r#"{"environmentSuffix": "PR", "minTasks": 0}"#,
        );
        assert_eq!(code, ExitCode::FAILURE);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 4, "{out}");
        assert!(lines[0].starts_with("environmentSuffix = \"PR\""), "{out}");
        assert!(
            lines[1].starts_with("minTasks = 0: a whole number of tasks from 1 to 100"),
            "{out}"
        );
        assert_eq!(err, "error: - has 4 invalid field(s)\n");
    }

    #[test]
    fn check_in_json_lists_problems_as_objects() {
        let (code, out, _) = run_cli(
            &["--json", "spec", "check", "-"],
            r#"{"environmentSuffix": "pr-1", "containerImage": "x", "region": "eu-west-1", "selfSignedCertificate": true}"#,
        );
        assert_eq!(code, ExitCode::FAILURE);
        let body: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(body["problems"][0]["field"], "region");
        assert_eq!(body["problems"][0]["value"], "\"eu-west-1\"");
    }

    #[test]
    fn check_reads_files_and_reports_what_it_could_not_read() {
        let dir = std::env::temp_dir().join(format!("envctl-spec-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("spec.json");
        std::fs::write(&path, VALID).unwrap();
        let (code, _, _) = run_cli(&["spec", "check", path.to_str().unwrap()], "");
        assert_eq!(code, ExitCode::SUCCESS);
        std::fs::write(&path, "{oops").unwrap();
        let (code, _, err) = run_cli(&["spec", "check", path.to_str().unwrap()], "");
        assert_eq!(code, ExitCode::FAILURE);
        assert!(err.contains("is not JSON: key must be a string"), "{err}");
        let missing = dir.join("missing.json");
        let (code, _, err) = run_cli(&["spec", "check", missing.to_str().unwrap()], "");
        assert_eq!(code, ExitCode::FAILURE);
        assert!(err.starts_with("error: reading the spec file"), "{err}");
        assert!(err.contains("No such file or directory"), "{err}");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn check_reports_unreadable_stdin() {
        let mut out = Vec::new();
        let mut err = Vec::new();
        let not_utf8: &[u8] = &[0xff];
        let code = crate::run(
            ["envctl", "spec", "check", "-"],
            not_utf8,
            &mut out,
            &mut err,
        );
        assert_eq!(code, ExitCode::FAILURE);
        assert!(String::from_utf8(err)
            .unwrap()
            .starts_with("error: reading the spec from stdin"));
    }

    #[test]
    fn names_lists_every_name_with_its_limit() {
        let (code, out, _) = run_cli(&["spec", "names", "pr-42"], "");
        assert_eq!(code, ExitCode::SUCCESS);
        assert_eq!(out.lines().count(), 73);
        assert!(out.contains("tg-green-pr-42  (limit 32)"), "{out}");
        assert!(out.contains("tg-wake-pr-42  (limit 32)"), "{out}");
        assert!(out.contains("valkey-users-pr-42  (limit 40)"), "{out}");
        assert!(
            out.contains("alb-logs-pr-42-<account-id>  (limit 63)"),
            "{out}"
        );
        let (_, json_out, _) = run_cli(&["--json", "spec", "names", "pr-42"], "");
        let rows: serde_json::Value = serde_json::from_str(&json_out).unwrap();
        assert_eq!(
            rows[0],
            serde_json::json!({"kind": "Vpc", "name": "vpc-pr-42", "limit": 256})
        );
    }

    #[test]
    fn cost_prints_an_itemised_dated_estimate() {
        let (code, out, err) = run_cli(&["spec", "cost", "-"], VALID);
        assert_eq!(code, ExitCode::SUCCESS, "{err}");
        assert!(out.starts_with("item "), "{out}");
        assert!(out.contains("NAT gateways"), "{out}");
        assert!(out.contains("total per month (730 h)"), "{out}");
        assert!(
            out.contains("prices: us-west-2, collected 2026-11"),
            "{out}"
        );
        let (_, json_out, _) = run_cli(&["--json", "spec", "cost", "-"], VALID);
        let body: serde_json::Value = serde_json::from_str(&json_out).unwrap();
        assert_eq!(body["priceTable"]["collected"], "2026-11");
        assert_eq!(body["items"].as_array().unwrap().len(), 11);
        let idle = body["idle"]["perMonth"].as_f64().unwrap();
        let peak = body["peak"]["perMonth"].as_f64().unwrap();
        assert!(idle < peak, "{idle} < {peak}");
    }

    #[test]
    fn cost_refuses_an_invalid_spec_or_an_unpriced_node_type() {
        let (code, _, err) = run_cli(&["spec", "cost", "-"], r#"{"environmentSuffix": "PR"}"#);
        assert_eq!(code, ExitCode::FAILURE);
        assert!(
            err.starts_with("error: the environment spec has 3 invalid fields"),
            "{err}"
        );
        let unpriced = r#"{"environmentSuffix": "pr-1", "containerImage": "x", "selfSignedCertificate": true, "cacheNodeType": "cache.x9.huge"}"#;
        let (code, _, err) = run_cli(&["spec", "cost", "-"], unpriced);
        assert_eq!(code, ExitCode::FAILURE);
        assert!(
            err.contains("no price for cacheNodeType \"cache.x9.huge\""),
            "{err}"
        );
        let (code, _, err) = run_cli(&["spec", "cost", "/nonexistent/spec.json"], "");
        assert_eq!(code, ExitCode::FAILURE);
        assert!(
            err.starts_with("error: reading the spec file /nonexistent/spec.json"),
            "{err}"
        );
    }

    #[test]
    fn pool_cost_prices_a_pool_of_standby_environments_of_the_pr_example() {
        let example =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/pr.json");
        let mut out = Vec::new();
        super::pool_cost(&example, std::io::empty(), 2, false, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.starts_with("one standby environment (no task running"),
            "{text}"
        );
        let total = |label: &str| {
            let line = text.lines().find(|line| line.starts_with(label)).unwrap();
            line.split_whitespace().last().unwrap().to_owned()
        };
        assert_eq!(total("per standby environment, per hour"), "0.1376");
        assert_eq!(total("pool of 2, per month (730 h)"), "200.95");
        let mut out = Vec::new();
        super::pool_cost(&example, std::io::empty(), 5, true, &mut out).unwrap();
        let body: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(body["size"], 5);
        assert_eq!(body["spec"], example.display().to_string());
        let monthly = body["pool"]["perMonth"].as_f64().unwrap();
        assert_eq!(format!("{monthly:.2}"), "502.38");
    }

    #[test]
    fn pool_cost_refuses_an_unreadable_or_invalid_spec_naming_what_is_wrong() {
        let dir = std::env::temp_dir().join(format!("envctl-pool-cost-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let missing = dir.join("missing.json");
        let error =
            super::pool_cost(&missing, std::io::empty(), 2, false, &mut Vec::new()).unwrap_err();
        assert!(
            error.to_string().starts_with("reading the spec file"),
            "{error}"
        );
        let invalid = dir.join("invalid.json");
        std::fs::write(&invalid, r#"{"environmentSuffix": "PR"}"#).unwrap();
        let error =
            super::pool_cost(&invalid, std::io::empty(), 2, false, &mut Vec::new()).unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("the environment spec has 3 invalid fields"),
            "{error}"
        );
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn names_rejects_an_invalid_suffix() {
        let (code, _, err) = run_cli(&["spec", "names", "PR_42"], "");
        assert_eq!(code, ExitCode::FAILURE);
        assert_eq!(err, "error: environment suffix \"PR_42\" may contain only lowercase letters, digits and hyphens\n");
    }
}
