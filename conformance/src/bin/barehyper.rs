//! `barehyper [--watch-stdin] N`: the baseline for `armbench`. A bare hyper 1.x HTTP/1 server, set up the way
//! the emulator sets up its plain-HTTP listener (tokio multi-thread runtime, `TCP_NODELAY`,
//! keep-alive), that answers every request with the same fixed `N`-byte
//! `application/json` body and nothing else. It binds `127.0.0.1:0`, prints its URL
//! (`http://127.0.0.1:PORT`) as one line on stdout when it accepts connections, and runs until
//! killed or, with `--watch-stdin`, until its stdin reaches end of file (so it does not
//! outlive a crashed parent that gave it a pipe).

use std::convert::Infallible;
use std::io::Write;

use bytes::Bytes;
use http_body_util::Full;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let watch_stdin = args.first().is_some_and(|a| a == "--watch-stdin");
    if watch_stdin {
        args.remove(0);
    }
    let size: usize = match args.as_slice() {
        [n] => match n.parse() {
            Ok(n) => n,
            Err(_) => usage(),
        },
        _ => usage(),
    };
    // A JSON string of exactly `size` bytes (or spaces below 2 bytes), so the body is valid JSON.
    let body = if size >= 2 { format!("\"{}\"", "x".repeat(size - 2)) } else { " ".repeat(size) };
    let body = Bytes::from(body);
    let rt = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("barehyper: cannot start the runtime: {e}");
            std::process::exit(1);
        }
    };
    let code = rt.block_on(async move {
        let listener = match TcpListener::bind("127.0.0.1:0").await {
            Ok(l) => l,
            Err(e) => {
                eprintln!("barehyper: bind: {e}");
                return 1;
            }
        };
        let addr = match listener.local_addr() {
            Ok(a) => a,
            Err(e) => {
                eprintln!("barehyper: local address: {e}");
                return 1;
            }
        };
        {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "http://{addr}");
            let _ = out.flush();
        }
        if watch_stdin {
            std::thread::spawn(exit_when_stdin_closes);
        }
        accept_loop(listener, body).await;
        0
    });
    std::process::exit(code);
}

fn usage() -> ! {
    eprintln!("usage: barehyper [--watch-stdin] BODY_BYTES");
    std::process::exit(2);
}

async fn accept_loop(listener: TcpListener, body: Bytes) {
    loop {
        let stream = match listener.accept().await {
            Ok((s, _)) => s,
            Err(_) => continue,
        };
        let _ = stream.set_nodelay(true);
        let body = body.clone();
        tokio::spawn(async move {
            let svc = service_fn(move |_req: Request<hyper::body::Incoming>| {
                let body = body.clone();
                async move {
                    Ok::<_, Infallible>(
                        Response::builder()
                            .header("Content-Type", "application/json")
                            .body(Full::new(body))
                            .expect("static response"),
                    )
                }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .keep_alive(true)
                .serve_connection(TokioIo::new(stream), svc)
                .await;
        });
    }
}

/// Blocks until stdin reaches end of file (the parent is gone), then exits the process.
fn exit_when_stdin_closes() {
    use std::io::Read;
    let mut stdin = std::io::stdin().lock();
    let mut buf = [0u8; 64];
    loop {
        match stdin.read(&mut buf) {
            Ok(0) | Err(_) => std::process::exit(0),
            Ok(_) => {}
        }
    }
}
