//! A fault-injecting HTTP proxy between the AWS SDK and `moto_server`.
//!
//! It reads each HTTP/1.1 request (keep-alive, `Content-Length` bodies — what the SDK
//! sends), then on a seeded schedule either forwards it to moto and relays the answer, or
//! injects a fault: a throttling error, a 503, a connection reset before the request
//! reaches moto, a reset *after* moto committed it (the client must retry and may
//! duplicate, never lose), or a slow reply. While `down` is set every connection is reset,
//! as when the endpoint is unreachable. [`FaultProxy::one_at_a_time`] hands moto one request
//! at a time: moto's DynamoDB checks a condition and writes the item without a lock, so two
//! concurrent conditional updates can both pass — DynamoDB itself applies the writes to one
//! item one at a time, and the proxy restores that.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// Chances (0.0–1.0) of each fault per request.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Faults {
    pub(crate) throttle: f64,
    pub(crate) unavailable: f64,
    pub(crate) reset: f64,
    pub(crate) committed_then_reset: f64,
    pub(crate) slow: f64,
}

/// What the proxy did, for the test to check.
#[derive(Debug, Default)]
pub(crate) struct Counts {
    pub(crate) forwarded: AtomicU64,
    pub(crate) throttled: AtomicU64,
    pub(crate) unavailable: AtomicU64,
    pub(crate) reset: AtomicU64,
    pub(crate) committed_then_reset: AtomicU64,
    pub(crate) slow: AtomicU64,
}

/// A running proxy.
pub(crate) struct FaultProxy {
    /// `http://127.0.0.1:PORT`.
    pub(crate) endpoint: String,
    /// What it did.
    pub(crate) counts: Arc<Counts>,
    down: Arc<AtomicBool>,
    serial: Arc<AtomicBool>,
}

impl FaultProxy {
    /// Starts a proxy to `upstream` (`127.0.0.1:PORT`) with `faults` drawn from `seed`.
    pub(crate) async fn start(upstream: String, faults: Faults, seed: u64) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let counts = Arc::new(Counts::default());
        let down = Arc::new(AtomicBool::new(false));
        let serial = Arc::new(AtomicBool::new(false));
        let gate = Arc::new(tokio::sync::Mutex::new(()));
        let rng = Arc::new(std::sync::Mutex::new(fastrand::Rng::with_seed(seed)));
        let (c, d, one) = (counts.clone(), down.clone(), serial.clone());
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let (c, d, rng, upstream) = (c.clone(), d.clone(), rng.clone(), upstream.clone());
                let (one, gate) = (one.clone(), gate.clone());
                tokio::spawn(async move {
                    let serial = Serial {
                        on: &one,
                        gate: &gate,
                    };
                    let _ = serve(client, &upstream, faults, &rng, &c, &d, serial).await;
                });
            }
        });
        Self {
            endpoint,
            counts,
            down,
            serial,
        }
    }

    /// While on, moto gets one request at a time (as DynamoDB applies one item's writes).
    pub(crate) fn one_at_a_time(&self, on: bool) {
        self.serial.store(on, Ordering::SeqCst);
    }

    /// While on, every connection is reset at once.
    pub(crate) fn set_down(&self, down: bool) {
        self.down.store(down, Ordering::SeqCst);
    }
}

/// One HTTP message: head (start line and headers, CRLF-terminated) and body.
async fn read_message<R: tokio::io::AsyncBufRead + Unpin>(
    r: &mut R,
) -> std::io::Result<Option<(String, Vec<u8>)>> {
    let mut head = String::new();
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).await? == 0 {
            return Ok(None);
        }
        let end = line == "\r\n";
        head.push_str(&line);
        if end {
            break;
        }
    }
    let length = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse::<usize>().ok())?
        })
        .unwrap_or(0);
    let mut body = vec![0; length];
    r.read_exact(&mut body).await?;
    Ok(Some((head, body)))
}

fn error_reply(status: &str, code: &str) -> Vec<u8> {
    let body = format!(r#"{{"__type":"{code}","message":"injected by the test proxy"}}"#);
    format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/x-amz-json-1.1\r\nx-amzn-ErrorType: {code}\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// Whether requests are handed to moto one at a time, and the turn they wait for.
struct Serial<'a> {
    on: &'a AtomicBool,
    gate: &'a tokio::sync::Mutex<()>,
}

async fn serve(
    client: TcpStream,
    upstream: &str,
    faults: Faults,
    rng: &std::sync::Mutex<fastrand::Rng>,
    counts: &Counts,
    down: &AtomicBool,
    serial: Serial<'_>,
) -> std::io::Result<()> {
    if down.load(Ordering::SeqCst) {
        counts.reset.fetch_add(1, Ordering::Relaxed);
        return Ok(());
    }
    let (read, mut write) = client.into_split();
    let mut reader = BufReader::new(read);
    let mut moto: Option<(
        BufReader<tokio::net::tcp::OwnedReadHalf>,
        tokio::net::tcp::OwnedWriteHalf,
    )> = None;
    while let Some((head, body)) = read_message(&mut reader).await? {
        if down.load(Ordering::SeqCst) {
            counts.reset.fetch_add(1, Ordering::Relaxed);
            return Ok(());
        }
        let roll = rng.lock().unwrap().f64();
        let mut at = 0.0;
        let mut hit = |p: f64| {
            at += p;
            roll < at
        };
        if hit(faults.throttle) {
            counts.throttled.fetch_add(1, Ordering::Relaxed);
            write
                .write_all(&error_reply("400 Bad Request", "ThrottlingException"))
                .await?;
            continue;
        }
        if hit(faults.unavailable) {
            counts.unavailable.fetch_add(1, Ordering::Relaxed);
            write
                .write_all(&error_reply(
                    "503 Service Unavailable",
                    "ServiceUnavailableException",
                ))
                .await?;
            continue;
        }
        if hit(faults.reset) {
            counts.reset.fetch_add(1, Ordering::Relaxed);
            return Ok(()); // dropping both halves resets the connection
        }
        let committed_then_reset = hit(faults.committed_then_reset);
        if hit(faults.slow) {
            counts.slow.fetch_add(1, Ordering::Relaxed);
            tokio::time::sleep(Duration::from_millis(1_500)).await;
        }
        if moto.is_none() {
            let stream = TcpStream::connect(upstream).await?;
            let (r, w) = stream.into_split();
            moto = Some((BufReader::new(r), w));
        }
        let (moto_read, moto_write) = moto.as_mut().unwrap();
        let _turn = if serial.on.load(Ordering::SeqCst) {
            Some(serial.gate.lock().await)
        } else {
            None
        };
        moto_write.write_all(head.as_bytes()).await?;
        moto_write.write_all(&body).await?;
        let Some((reply_head, reply_body)) = read_message(moto_read).await? else {
            return Ok(());
        };
        if committed_then_reset {
            counts.committed_then_reset.fetch_add(1, Ordering::Relaxed);
            return Ok(());
        }
        counts.forwarded.fetch_add(1, Ordering::Relaxed);
        write.write_all(reply_head.as_bytes()).await?;
        write.write_all(&reply_body).await?;
    }
    Ok(())
}
