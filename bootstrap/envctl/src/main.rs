use std::io::IsTerminal;

fn main() -> std::process::ExitCode {
    let stdin = std::io::stdin();
    let stderr = std::io::stderr();
    let terminal = stderr.is_terminal();
    envctl::run_with(
        std::env::args_os(),
        stdin.lock(),
        &mut std::io::stdout(),
        &mut stderr.lock(),
        terminal,
    )
}
