//! `armctl`: parse nothing here; [`armctl::cli::run`] is the program.

fn main() {
    let (code, stdout, stderr) = armctl::cli::run(std::env::args(), armctl::cli::Env::from_process());
    use std::io::Write;
    // A closed pipe (`armctl … | head`) is not an error worth reporting.
    let _ = std::io::stdout().write_all(stdout.as_bytes());
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().write_all(stderr.as_bytes());
    std::process::exit(code);
}
