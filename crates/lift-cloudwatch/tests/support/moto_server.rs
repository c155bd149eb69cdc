//! A real AWS API emulator on loopback: `moto_server` from PyPI's `moto[server]` (CloudWatch
//! Logs, DynamoDB, …), shared by the emulator suites of every crate (`#[path]`-included).
//!
//! `scripts/test.sh` installs it into the workspace's `.venv`. Each [`Moto`] is its own
//! server on a free port (so tests never share state) and is killed when dropped. The
//! binary is found through `LIFT_MOTO_SERVER`, then `.venv/bin/moto_server`, then `PATH`;
//! when none exists the test fails and says how to get it — it does not skip: the suites
//! that use it run only with the `emulator` feature, which asks for it.

use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running emulator.
pub(crate) struct Moto {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub(crate) endpoint: String,
}

fn binary() -> PathBuf {
    if let Some(path) = std::env::var_os("LIFT_MOTO_SERVER") {
        return PathBuf::from(path);
    }
    let venv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.venv/bin/moto_server");
    if venv.exists() {
        return venv;
    }
    PathBuf::from("moto_server")
}

impl Moto {
    /// Starts a server on a port it picks itself and waits until it accepts connections.
    ///
    /// The server binds port 0 and says which port it got (`Running on http://…:PORT` on
    /// its standard error). A port picked here and handed over would be free only when
    /// picked: under parallel tests another test's listener could take it first, and this
    /// test would talk to that one (a CI run once failed so: its first request reset).
    pub(crate) fn start() -> Self {
        Self::start_with_env(&[])
    }

    /// [`start`](Self::start) with environment variables for the server — for example
    /// `INITIAL_NO_AUTH_ACTION_COUNT`, after which moto checks every request's signature
    /// (recomputing it with botocore's signer) and its IAM permissions.
    pub(crate) fn start_with_env(env: &[(&str, &str)]) -> Self {
        Self::start_with(&[], env)
    }

    /// A server speaking HTTPS with the certificate and private key in the PEM files `cert`
    /// and `key`; its endpoint is `https://127.0.0.1:PORT`.
    #[allow(
        dead_code,
        reason = "used by payments-lambda's TLS test, not by every test binary"
    )]
    pub(crate) fn start_tls(cert: &std::path::Path, key: &std::path::Path) -> Self {
        let (cert, key) = (cert.to_string_lossy(), key.to_string_lossy());
        let mut moto = Self::start_with(&["-c", &cert, "-k", &key], &[]);
        moto.endpoint = moto.endpoint.replacen("http://", "https://", 1);
        moto
    }

    fn start_with(args: &[&str], env: &[(&str, &str)]) -> Self {
        let mut child = spawn(0, Stdio::piped(), args, env);
        let stderr = child.stderr.take().expect("stderr is piped");
        let (port_tx, port_rx) = std::sync::mpsc::channel();
        // Reads the server's standard error to its end (it logs every request there: an
        // unread pipe would fill and stop the server), sending the port when it is said.
        std::thread::spawn(move || {
            let mut port_tx = Some(port_tx);
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if let Some(port) = announced_port(&line)
                    && let Some(tx) = port_tx.take()
                {
                    let _ = tx.send(port);
                }
            }
        });
        let port = port_rx
            .recv_timeout(Duration::from_secs(60))
            .unwrap_or_else(|e| panic!("moto_server did not say which port it listens on: {e}"));
        Self::wait_until_listening(child, port)
    }

    /// Kills the server (it forgets everything) and starts a new one on the same port.
    pub(crate) fn restart(&mut self) {
        self.stop();
        let port: u16 = self.endpoint.rsplit(':').next().unwrap().parse().unwrap();
        let fresh = Self::start_on(port);
        *self = fresh;
    }

    /// Kills the server; the endpoint refuses connections until [`restart`](Self::restart).
    pub(crate) fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    fn start_on(port: u16) -> Self {
        Self::wait_until_listening(spawn(port, Stdio::null(), &[], &[]), port)
    }

    fn wait_until_listening(child: Child, port: u16) -> Self {
        let addr: SocketAddr = ([127, 0, 0, 1], port).into();
        let started = Instant::now();
        while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "moto_server did not start listening on {addr}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        Self {
            child,
            endpoint: format!("http://{addr}"),
        }
    }

    /// Forgets everything (`POST /moto-api/reset`): every backend, and the record moto keeps
    /// of every model object it ever made — each stored log event included, even after its
    /// group is deleted. Without it a long run (a benchmark) grows the emulator's heap, and
    /// with it the cost of Python's garbage collection, from one round to the next.
    #[allow(
        dead_code,
        reason = "used by the shipping benchmark, not by every test binary"
    )]
    pub(crate) fn reset(&self) {
        use std::io::{Read, Write};
        let addr = self.endpoint.trim_start_matches("http://");
        let mut stream = TcpStream::connect(addr).expect("moto is listening");
        write!(
            stream,
            "POST /moto-api/reset HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        )
        .expect("reset request sent");
        let mut reply = String::new();
        stream.read_to_string(&mut reply).expect("reset reply");
        assert!(
            reply.starts_with("HTTP/1.1 200") || reply.starts_with("HTTP/1.0 200"),
            "moto refused the reset: {reply}"
        );
    }
}

/// The port in werkzeug's ` * Running on http://127.0.0.1:PORT` line (or `https://`).
fn announced_port(line: &str) -> Option<u16> {
    let (_, rest) = line.split_once("Running on http")?;
    let rest = rest.strip_prefix('s').unwrap_or(rest);
    let rest = rest.strip_prefix("://127.0.0.1:")?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// A server on loopback `port` (0: one it picks) with its standard error to `stderr`,
/// `args` added to its command line and `env` to its environment.
fn spawn(port: u16, stderr: Stdio, args: &[&str], env: &[(&str, &str)]) -> Child {
    let bin = binary();
    Command::new(&bin)
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .args(args)
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(stderr)
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "could not start {} ({e}); run scripts/test.sh, which installs moto[server] into .venv",
                bin.display()
            )
        })
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
