//! Command-line parsing and the error report every command shares.

use clap::{Parser, Subcommand};
use std::ffi::OsString;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// Creates, inspects and destroys per-pull-request environments of the catalog API.
#[derive(Debug, Parser)]
#[command(name = "envctl", version)]
struct Cli {
    /// Print results as JSON instead of text.
    #[arg(long, global = true)]
    json: bool,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Work with environment specs without touching AWS.
    #[command(subcommand)]
    Spec(SpecCommand),
    /// Work with live environments.
    #[command(subcommand)]
    Env(EnvCommand),
}

#[derive(Debug, Subcommand)]
enum EnvCommand {
    /// Audit an environment: COMPLIANCE.md controls, the loss of each AZ, and its cost. Exits
    /// non-zero on any finding.
    Audit {
        /// The environment suffix, such as pr-42.
        #[arg(long)]
        suffix: String,
        /// The spec it was made from (its forceDestroy waives deletion protection); defaults otherwise.
        #[arg(long)]
        spec: Option<PathBuf>,
        /// The AWS region.
        #[arg(long, default_value = "us-west-2")]
        region: String,
        /// Send AWS calls to this endpoint (an emulator) instead of AWS.
        #[arg(long)]
        endpoint_url: Option<String>,
    },
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
    },
    /// Print every AWS name an environment with this suffix would use, with each name's limit.
    Names {
        /// The environment suffix, such as pr-42.
        suffix: String,
    },
}

/// Runs one command line. Results go to `out`; errors, with their chain of causes, to `err`.
pub fn run(
    args: impl IntoIterator<Item = impl Into<OsString> + Clone>,
    stdin: impl Read,
    out: &mut impl Write,
    err: &mut impl Write,
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
    let result = match cli.command {
        Command::Spec(SpecCommand::Check { file }) => {
            crate::spec_commands::check(&file, stdin, cli.json, out)
        }
        Command::Spec(SpecCommand::Cost { file }) => {
            crate::spec_commands::cost(&file, stdin, cli.json, out)
        }
        Command::Spec(SpecCommand::Names { suffix }) => {
            crate::spec_commands::names(&suffix, cli.json, out)
        }
        Command::Env(EnvCommand::Audit {
            suffix,
            spec,
            region,
            endpoint_url,
        }) => aws_config(&region, endpoint_url.as_deref()).and_then(|config| {
            crate::audit_command::run(&config, &suffix, spec.as_deref(), cli.json, out)
        }),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            let _ = writeln!(err, "error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// The SDK configuration: the default chain (environment, profile), with the region and endpoint given.
fn aws_config(region: &str, endpoint_url: Option<&str>) -> anyhow::Result<aws_config::SdkConfig> {
    let runtime = tokio::runtime::Runtime::new()?;
    let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new(region.to_owned()));
    if let Some(endpoint) = endpoint_url {
        loader = loader.endpoint_url(endpoint);
    }
    Ok(runtime.block_on(loader.load()))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

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
}
