//! The `armemu` binary: parse flags, start the server, print the ready line, wait for
//! SIGINT/SIGTERM. Everything else lives in the library.

use clap::Parser;

use armemu::cli::{self, Cli, Command};

fn main() {
    let args = Cli::parse();
    let code = match args.command {
        Some(Command::Env(a)) => report(cli::print_env(a)),
        Some(Command::AzLogin(a)) => report(cli::az_login(a)),
        Some(Command::Run(r)) => run(*r),
        None => run(args.run),
    };
    std::process::exit(code);
}

fn report(r: Result<(), String>) -> i32 {
    match r {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("armemu: {e}");
            1
        }
    }
}

fn run(args: cli::RunArgs) -> i32 {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_env("ARMEMU_LOG").unwrap_or_else(|_| "warn".into()))
        .init();
    let config = match args.into_config() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("armemu: {e}");
            return 2;
        }
    };
    let rt = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("armemu: cannot start the runtime: {e}");
            return 1;
        }
    };
    rt.block_on(async move {
        let data_dir = config.data_dir.clone();
        let cloud = config.cloud_name.clone();
        let running = match armemu::start(config).await {
            Ok(r) => r,
            Err(e) => {
                eprintln!("armemu: {e}");
                return 1;
            }
        };
        let instance = cli::instance_file(&data_dir);
        let doc = serde_json::json!({
            "http": running.http_url, "https": running.https_url,
            "ca": running.ca.display().to_string(), "bundle": running.bundle.display().to_string(),
            "pid": std::process::id(), "cloudName": cloud,
        });
        if let Err(e) = std::fs::write(&instance, doc.to_string()) {
            eprintln!("armemu: warning: cannot write {}: {e}", instance.display());
        }
        println!("{}", running.ready_line());
        wait_for_signal().await;
        running.shutdown().await;
        let _ = std::fs::remove_file(&instance);
        0
    })
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
