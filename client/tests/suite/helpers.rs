//! Shared set-up: an emulator, a client for it, the test-control API, a scripted HTTP server,
//! and a CLI runner with an isolated config directory.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use armctl::cli::Env;
use armctl::credential::ClientSecretCredential;
use armctl::http::{HttpClient, HttpRequest, TlsOptions};
use armctl::sleep::RecordingSleeper;
use armctl::ArmClient;
use armemu::testing::TestEmulator;
use serde_json::Value;

pub const TENANT: &str = "4a6e0a6c-1c5f-4c43-9a1e-7e57a2e0f001";
pub const SUB: &str = "9b3f7c52-0d8e-4e2b-8a41-5c6d7e8f9a01";
pub const CLIENT_ID: &str = "0e1a7c3b-5d2f-4b6a-9c8e-1f2a3b4c5d01";
pub const SECRET: &str = "armemu-secret";

pub fn http_for(emu: &TestEmulator) -> HttpClient {
    HttpClient::new(&TlsOptions { ca_file: Some(emu.ca.clone()), no_system_roots: true }).expect("http client")
}

/// A client on the emulator's HTTPS endpoint, logged in as the built-in service principal.
pub fn client(emu: &TestEmulator, sleeper: &RecordingSleeper) -> ArmClient {
    let http = http_for(emu);
    let cred = ClientSecretCredential::new(&emu.https, TENANT, CLIENT_ID, SECRET, http.clone());
    ArmClient::builder(&emu.https)
        .http_client(http)
        .credential(Arc::new(cred))
        .sleeper(Arc::new(sleeper.clone()))
        .subscription(SUB)
        .build()
        .expect("client")
}

/// `PATCH /_emulator/settings` (no authentication).
pub async fn settings(emu: &TestEmulator, body: Value) {
    let r = http_for(emu)
        .send(&HttpRequest::new(hyper::Method::PATCH, format!("{}/_emulator/settings", emu.http)).json_body(&body))
        .await
        .expect("settings");
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
}

/// The same, for synchronous (CLI) tests.
pub fn settings_sync(emu: &TestEmulator, body: Value) {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(settings(emu, body));
}

/// One scripted answer.
#[derive(Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

pub fn reply(status: u16, headers: &[(&str, &str)], body: &str) -> Reply {
    Reply {
        status,
        headers: headers.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        body: body.to_string(),
    }
}

/// A local HTTP/1 server answering from a script, recording `METHOD path?query` of each request.
pub struct Scripted {
    pub base: String,
    pub seen: Arc<Mutex<Vec<String>>>,
}

pub async fn scripted(replies: Vec<Reply>) -> Scripted {
    scripted_with(|_| replies).await
}

/// A scripted server whose script may name its own base URL (for LRO headers).
pub async fn scripted_with(f: impl FnOnce(&str) -> Vec<Reply>) -> Scripted {
    use http_body_util::Full;
    use hyper::body::Bytes;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr: SocketAddr = listener.local_addr().unwrap();
    let replies = f(&format!("http://{addr}"));
    let script = Arc::new(Mutex::new(VecDeque::from(replies)));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let seen2 = seen.clone();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else { return };
            let script = script.clone();
            let seen = seen2.clone();
            tokio::spawn(async move {
                let svc = hyper::service::service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                    let script = script.clone();
                    let seen = seen.clone();
                    async move {
                        seen.lock().unwrap().push(format!("{} {}", req.method(), req.uri()));
                        let r =
                            script.lock().unwrap().pop_front().unwrap_or_else(|| reply(500, &[], "script exhausted"));
                        let mut b = hyper::Response::builder().status(r.status);
                        for (k, v) in &r.headers {
                            b = b.header(k.as_str(), v.as_str());
                        }
                        Ok::<_, std::convert::Infallible>(b.body(Full::new(Bytes::from(r.body))).unwrap())
                    }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(stream), svc)
                    .await;
            });
        }
    });
    Scripted { base: format!("http://{addr}"), seen }
}

impl Scripted {
    /// A client with a static token (the scripted server does not check it).
    pub fn client(&self, sleeper: &RecordingSleeper) -> ArmClient {
        ArmClient::builder(&self.base)
            .credential(Arc::new(armctl::credential::StaticTokenCredential::new("t")))
            .sleeper(Arc::new(sleeper.clone()))
            .subscription(SUB)
            .build()
            .unwrap()
    }

    pub fn seen(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }
}

pub fn secs(v: &[u64]) -> Vec<Duration> {
    v.iter().map(|s| Duration::from_secs(*s)).collect()
}

/// Runs `armctl` in-process against `emu` with a fresh config directory.
pub struct Cli {
    pub dir: tempfile::TempDir,
    pub endpoint: String,
    pub ca: String,
    pub sleeper: RecordingSleeper,
    pub input: Option<String>,
}

pub struct Run {
    pub code: i32,
    pub out: String,
    pub err: String,
}

impl Run {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.out)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}\nstderr:\n{}", self.out, self.err))
    }

    #[track_caller]
    pub fn ok(self) -> Run {
        assert_eq!(self.code, 0, "stdout:\n{}\nstderr:\n{}", self.out, self.err);
        self
    }
}

impl Cli {
    pub fn new(emu: &TestEmulator) -> Cli {
        Cli {
            dir: tempfile::tempdir().unwrap(),
            endpoint: emu.https.clone(),
            ca: emu.ca.display().to_string(),
            sleeper: RecordingSleeper::new(),
            input: None,
        }
    }

    pub fn env(&self) -> Env {
        let home = self.dir.path().display().to_string();
        let mut env = Env::with_vars([
            ("HOME", home.clone()),
            ("ARMCTL_CONFIG_DIR", format!("{home}/config")),
            ("ARMEMU_ENDPOINT", self.endpoint.clone()),
            ("ARMEMU_CA", self.ca.clone()),
        ]);
        env.sleeper = Some(Arc::new(self.sleeper.clone()));
        env.input = self.input.clone();
        env
    }

    pub fn run(&self, args: &str) -> Run {
        self.run_args(&armctl::cli::split_words(args))
    }

    /// [`Cli::run`] with extra environment variables, and stdout and stderr on a terminal or not.
    pub fn run_with(&self, args: &str, vars: &[(&str, &str)], tty: bool) -> Run {
        let mut env = self.env();
        env.vars.extend(vars.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        env.stdout_tty = tty;
        env.stderr_tty = tty;
        let mut all = vec!["armctl".to_string()];
        all.extend(armctl::cli::split_words(args));
        let (code, out, err) = armctl::cli::run(all, env);
        Run { code, out, err }
    }

    pub fn run_args(&self, args: &[String]) -> Run {
        let mut all = vec!["armctl".to_string()];
        all.extend(args.iter().cloned());
        let (code, out, err) = armctl::cli::run(all, self.env());
        Run { code, out, err }
    }
}

/// The sorted key set of a JSON object.
pub fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().unwrap_or_else(|| panic!("not an object: {v}")).keys().cloned().collect();
    k.sort();
    k
}

pub fn is_guid(s: &str) -> bool {
    uuid::Uuid::parse_str(s).is_ok() && s.len() == 36 && s == s.to_lowercase()
}
