//! The `wxsim` binary for tests: a command run to its end (`wxsim`), and a `wxsim serve`
//! process (or another command that prints its addresses) started on free loopback ports
//! with a known token, its `name  value` address lines read, killed (SIGKILL) when dropped.

// Each test crate uses a different part of this module.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// The checkout's root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs `wxsim ARGS` to its end, in the checkout's root (scenario paths are relative to it).
pub fn wxsim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wxsim"))
        .args(args)
        .current_dir(repo())
        .env("RUST_LOG", "warn")
        .output()
        .expect("wxsim runs")
}

pub struct Serve {
    child: Child,
    /// Every `name  value` line printed before the `open` line.
    pub lines: Vec<(String, String)>,
    pub token: String,
}

impl Serve {
    /// Starts `wxsim serve --data-dir DATA --token TOKEN` plus `extra` arguments.
    pub fn start(data_dir: &str, token: &str, extra: &[&str]) -> Serve {
        let mut args = vec![
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--api-listen",
            "127.0.0.1:0",
            "--data-dir",
            data_dir,
            "--token",
            token,
        ];
        args.extend_from_slice(extra);
        Serve::spawn(&args, token, "open")
    }

    /// Starts `wxsim ARGS` (any command that prints `name value` lines) and reads its lines
    /// up to the one named `last`; `token` is the API's, if it has one.
    pub fn spawn(args: &[&str], token: &str, last: &str) -> Serve {
        Serve::try_spawn(args, token, last).unwrap_or_else(|e| panic!("{e}"))
    }

    /// [`Serve::spawn`], answering why when the process ended before printing `last`.
    pub fn try_spawn(args: &[&str], token: &str, last: &str) -> Result<Serve, String> {
        let mut child = Command::new(env!("CARGO_BIN_EXE_wxsim"))
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("wxsim starts");
        let mut lines = vec![];
        for line in BufReader::new(child.stdout.take().unwrap()).lines() {
            let line = line.unwrap();
            let (name, value) = line
                .trim()
                .split_once(char::is_whitespace)
                .unwrap_or((line.trim(), ""));
            lines.push((name.to_owned(), value.trim().to_owned()));
            if name == last {
                return Ok(Serve {
                    child,
                    lines,
                    token: token.to_owned(),
                });
            }
        }
        let _ = child.kill();
        let _ = child.wait();
        Err(format!("wxsim {args:?} exited early; printed {lines:?}"))
    }

    /// The value of a printed line (`api`, `listener`, `webchat`, …).
    pub fn get(&self, name: &str) -> &str {
        &self
            .lines
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("no `{name}` line"))
            .1
    }

    pub fn api(&self) -> &str {
        self.get("api")
    }

    pub fn listener(&self) -> &str {
        self.get("listener")
    }

    /// Calls the API with the token; the answer's JSON (or null).
    pub fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let request = client()
            .request(method.parse().unwrap(), format!("{}{path}", self.api()))
            .bearer_auth(&self.token);
        let request = match body {
            Some(body) => request.json(&body),
            None => request,
        };
        request.send().unwrap().json().unwrap_or(Value::Null)
    }

    /// Ends the process at once, as a crash would.
    pub fn kill(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        self.stop();
    }
}

pub fn client() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

/// Polls `probe` until it yields, for at most 20 s; the panic says what never came.
pub fn eventually<T>(what: &str, mut probe: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(found) = probe() {
            return found;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}
