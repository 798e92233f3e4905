//! An emulator for Rust tests: started in-process on free ports, with a frozen clock and
//! seeded ids, a throw-away data directory, and stopped when dropped. It runs on its own
//! runtime thread, so synchronous tests (proptest) and async tests can both use it.

use std::path::PathBuf;
use std::sync::Arc;

use crate::config::Config;
use crate::identity::jwt::{shared_test_identity, Identity};
use crate::pipeline::App;

pub struct TestEmulator {
    pub http: String,
    pub https: String,
    pub ca: PathBuf,
    pub bundle: PathBuf,
    /// The emulator itself: its pipeline ([`App::handle`]), store and controls.
    pub app: Arc<App>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
    _dir: tempfile::TempDir,
}

impl TestEmulator {
    /// Starts with [`Config::for_tests`].
    pub fn start() -> TestEmulator {
        Self::with_config(|_| {})
    }

    /// Starts with [`Config::for_tests`] adjusted by `f`. Panics if the emulator cannot start
    /// (this is test set-up).
    pub fn with_config(f: impl FnOnce(&mut Config)) -> TestEmulator {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut config = Config::for_tests(dir.path().to_path_buf());
        f(&mut config);
        let tls = crate::tls::ensure(&config.data_dir).expect("TLS material");
        let identity = Identity::from_key(shared_test_identity().expect("signing key"));
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("armemu-test".into())
            .spawn(move || {
                let rt = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                    .expect("runtime");
                rt.block_on(async move {
                    match crate::server::start_with(config, tls, identity).await {
                        Ok(running) => {
                            let _ = ready_tx.send(Ok((
                                running.http_url.clone(),
                                running.https_url.clone(),
                                running.ca.clone(),
                                running.bundle.clone(),
                                running.app.clone(),
                            )));
                            let _ = stop_rx.await;
                            running.shutdown().await;
                        }
                        Err(e) => {
                            let _ = ready_tx.send(Err(e.to_string()));
                        }
                    }
                });
            })
            .expect("thread");
        let (http, https, ca, bundle, app) = ready_rx.recv().expect("emulator thread").expect("emulator start");
        TestEmulator { http, https, ca, bundle, app, stop: Some(stop_tx), thread: Some(thread), _dir: dir }
    }
}

impl Drop for TestEmulator {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
