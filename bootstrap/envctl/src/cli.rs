//! Command-line parsing and the error report every command shares.

use clap::{Parser, Subcommand};
use envctl_common::global::Global;
use std::ffi::OsString;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// Creates, inspects and destroys per-pull-request environments of the catalog API.
#[derive(Debug, Parser)]
#[command(name = "envctl", version)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Work with environment specs without touching AWS.
    #[command(subcommand)]
    Spec(SpecCommand),
    /// Create or update the backend: roles, functions, state machines, rotation package, schedule.
    Deploy(envctl_deploy::command::DeployArgs),
    /// Remove the backend (refuses while environments exist, unless --force).
    Undeploy(envctl_deploy::command::UndeployArgs),
    /// Drive environments in AWS through the deployed state machines.
    #[command(subcommand)]
    Env(envctl_envs::cli::EnvCommand),
    /// The warm pool: standby environments a pull request claims instead of provisioning.
    #[command(subcommand)]
    Pool(envctl_envs::pool::command::PoolCommand),
    /// Run the workflows on this machine against an AWS emulator (no AWS account needed).
    #[command(subcommand)]
    Local(envctl_local::command::LocalCommand),
}

#[derive(Debug, Subcommand)]
enum SpecCommand {
    /// Validate a spec file (`-` for stdin) and print it with every default filled in.
    Check {
        /// The spec, as JSON.
        file: PathBuf,
    },
    /// Estimate what an environment built from a spec costs per hour and month, idle and at peak.
    Cost {
        /// The spec, as JSON.
        file: PathBuf,

        /// Price a warm pool of this many standby environments built from the spec instead.
        #[arg(long)]
        pool: Option<u32>,
    },
    /// Print every AWS name an environment with this suffix would use, with each name's limit.
    Names {
        /// The environment suffix, such as pr-42.
        suffix: String,
    },
}

/// Runs one command line with plain progress lines. Results go to `out`; progress and errors, with
/// their chain of causes, to `err`.
pub fn run(
    args: impl IntoIterator<Item = impl Into<OsString> + Clone>,
    stdin: impl Read,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> ExitCode {
    run_with(args, stdin, out, err, false)
}

/// [`run`], with `terminal` saying whether `err` is a terminal (a spinner instead of lines).
pub fn run_with(
    args: impl IntoIterator<Item = impl Into<OsString> + Clone>,
    stdin: impl Read,
    out: &mut dyn Write,
    err: &mut dyn Write,
    terminal: bool,
) -> ExitCode {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(error) => {
            // Help and version are successful exits that clap reports as "errors".
            let rendered = error.render().to_string();
            let target: &mut dyn Write = if error.use_stderr() { err } else { out };
            let _ = write!(target, "{rendered}");
            return ExitCode::from(u8::try_from(error.exit_code()).unwrap_or(2));
        }
    };
    let global = cli.global;
    let json = global.json;
    let result = match cli.command {
        Command::Spec(SpecCommand::Check { file }) => {
            crate::spec_commands::check(&file, stdin, json, out)
        }
        Command::Spec(SpecCommand::Cost {
            file,
            pool: Some(size),
        }) => crate::spec_commands::pool_cost(&file, stdin, size, json, out),
        Command::Spec(SpecCommand::Cost { file, pool: None }) => {
            crate::spec_commands::cost(&file, stdin, json, out)
        }
        Command::Spec(SpecCommand::Names { suffix }) => {
            crate::spec_commands::names(&suffix, json, out)
        }
        Command::Deploy(args) => envctl_deploy::command::deploy(&global, &args, out, err, terminal),
        Command::Undeploy(args) => {
            envctl_deploy::command::undeploy(&global, &args, out, err, terminal)
        }
        Command::Env(command) => envctl_envs::cli::run(&global, command, out, err, terminal),
        Command::Pool(command) => envctl_envs::pool::command::run(&global, command, out),
        Command::Local(command) => envctl_local::command::run(&global, command, out, err, terminal),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            match crate::reach::explain(&error, global.endpoint_url.as_deref()) {
                Some(line) => {
                    let _ = writeln!(err, "error: {line}");
                }
                None => {
                    let _ = writeln!(err, "error: {error:#}");
                }
            }
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use clap::CommandFactory;

    pub(crate) fn run_cli(args: &[&str], stdin: &str) -> (ExitCode, String, String) {
        let mut out = Vec::new();
        let mut err = Vec::new();
        let argv = std::iter::once("envctl").chain(args.iter().copied());
        let code = run(argv, stdin.as_bytes(), &mut out, &mut err);
        (
            code,
            String::from_utf8(out).unwrap(),
            String::from_utf8(err).unwrap(),
        )
    }

    #[test]
    fn the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn help_goes_to_stdout_and_succeeds() {
        let (code, out, err) = run_cli(&["--help"], "");
        assert_eq!(code, ExitCode::SUCCESS);
        assert!(
            out.contains("Creates, inspects and destroys per-pull-request environments"),
            "{out}"
        );
        assert!(err.is_empty());
    }

    #[test]
    fn an_unknown_command_is_a_usage_error() {
        let (code, out, err) = run_cli(&["launch"], "");
        assert_eq!(code, ExitCode::from(2));
        assert!(out.is_empty());
        assert!(err.contains("unrecognized subcommand 'launch'"), "{err}");
    }

    #[test]
    fn spec_cost_with_a_pool_size_prices_that_many_standby_environments() {
        let example = format!("{}/../../examples/pr.json", env!("CARGO_MANIFEST_DIR"));
        let (code, out, err) = run_cli(&["--json", "spec", "cost", &example, "--pool", "3"], "");
        assert_eq!(code, ExitCode::SUCCESS, "{err}");
        let body: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(body["size"], 3);
        let each = body["standby"]["perHour"].as_f64().unwrap();
        let pool = body["pool"]["perHour"].as_f64().unwrap();
        assert!(each > 0.0 && (pool - 3.0 * each).abs() < 1e-9, "{body}");
    }

    #[test]
    fn the_global_options_default_to_us_west_2_and_the_sdk_chain() {
        let cli = Cli::try_parse_from(["envctl", "env", "list"]).unwrap();
        assert_eq!(cli.global.region, "us-west-2");
        assert_eq!(cli.global.profile, None);
        assert_eq!(cli.global.endpoint_url, None);
        let cli = Cli::try_parse_from([
            "envctl",
            "env",
            "list",
            "--profile",
            "ci",
            "--endpoint-url",
            "http://127.0.0.1:1",
            "--json",
        ])
        .unwrap();
        assert_eq!(cli.global.profile.as_deref(), Some("ci"));
        assert!(cli.global.json);
    }
}
