fn main() -> std::process::ExitCode {
    let stdin = std::io::stdin();
    catalog_envs::run(
        std::env::args_os(),
        stdin.lock(),
        &mut std::io::stdout(),
        &mut std::io::stderr(),
    )
}
