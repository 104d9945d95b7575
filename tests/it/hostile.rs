//! A small programmable HTTP server on loopback, for hostile OAuth answers: every
//! request is recorded and answered by a function the test supplies (a status, a
//! body, a delay, or a huge body streamed lazily until the client goes away). One
//! thread per connection, `Connection: close` on every answer; stopped when dropped.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// One request as the server saw it.
#[derive(Clone, Debug)]
pub struct HostileRequest {
    pub method: String,
    /// The request target: path and query.
    pub path: String,
    /// Names lower-cased, in the order received.
    pub headers: Vec<(String, String)>,
    /// The body, decoded lossily as UTF-8.
    pub body: String,
}

impl HostileRequest {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// A field of a form-encoded body, decoded.
    pub fn form(&self, name: &str) -> Option<String> {
        self.body.split('&').find_map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(k) == name).then(|| percent_decode(v))
        })
    }
}

/// What to answer.
#[derive(Clone, Debug)]
pub struct HostileResponse {
    pub status: u16,
    pub content_type: String,
    pub body: Vec<u8>,
    /// Wait this long before answering.
    pub delay: Option<Duration>,
    /// Instead of `body`: a body of this many bytes, announced with Content-Length and
    /// written lazily (the start of a JSON object, then filler) until the client stops
    /// reading or goes away.
    pub huge: Option<u64>,
    /// More header lines, as given.
    pub headers: Vec<(String, String)>,
}

impl HostileResponse {
    pub fn new(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> HostileResponse {
        HostileResponse {
            status,
            content_type: content_type.to_owned(),
            body: body.into(),
            delay: None,
            huge: None,
            headers: Vec::new(),
        }
    }

    pub fn json(status: u16, body: impl Into<String>) -> HostileResponse {
        HostileResponse::new(status, "application/json", body.into().into_bytes())
    }

    /// HTTP 200, `application/json`, and `bytes` bytes of body.
    pub fn huge_json(bytes: u64) -> HostileResponse {
        HostileResponse {
            huge: Some(bytes),
            ..HostileResponse::json(200, "")
        }
    }

    #[allow(dead_code)] // for tests that need a slow server
    pub fn delayed(mut self, delay: Duration) -> HostileResponse {
        self.delay = Some(delay);
        self
    }
}

type Handler = dyn Fn(&HostileRequest) -> HostileResponse + Send + Sync;

pub struct Hostile {
    /// `http://127.0.0.1:PORT`
    pub base: String,
    port: u16,
    stop: Arc<AtomicBool>,
    seen: Arc<Mutex<Vec<HostileRequest>>>,
    accept: Option<JoinHandle<()>>,
}

impl Hostile {
    pub fn start(
        handler: impl Fn(&HostileRequest) -> HostileResponse + Send + Sync + 'static,
    ) -> Hostile {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let port = listener.local_addr().expect("addr").port();
        let stop = Arc::new(AtomicBool::new(false));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let handler: Arc<Handler> = Arc::new(handler);
        let accept = {
            let (stop, seen) = (Arc::clone(&stop), Arc::clone(&seen));
            std::thread::spawn(move || {
                for conn in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(conn) = conn else { continue };
                    let (stop, seen, handler) =
                        (Arc::clone(&stop), Arc::clone(&seen), Arc::clone(&handler));
                    std::thread::spawn(move || {
                        let _ = serve(conn, &*handler, &seen, &stop);
                    });
                }
            })
        };
        Hostile {
            base: format!("http://127.0.0.1:{port}"),
            port,
            stop,
            seen,
            accept: Some(accept),
        }
    }

    /// `base` followed by `path` (which starts with `/`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Every request seen so far, in order.
    pub fn requests(&self) -> Vec<HostileRequest> {
        self.seen.lock().expect("log").clone()
    }

    /// How many requests had a target starting with `prefix`.
    pub fn count(&self, prefix: &str) -> usize {
        self.seen
            .lock()
            .expect("log")
            .iter()
            .filter(|r| r.path.starts_with(prefix))
            .count()
    }
}

impl Drop for Hostile {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop up so it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(accept) = self.accept.take() {
            let _ = accept.join();
        }
    }
}

fn serve(
    conn: TcpStream,
    handler: &Handler,
    seen: &Mutex<Vec<HostileRequest>>,
    stop: &AtomicBool,
) -> std::io::Result<()> {
    conn.set_read_timeout(Some(Duration::from_secs(10)))?;
    conn.set_write_timeout(Some(Duration::from_secs(5)))?;
    let _ = conn.set_nodelay(true);
    let mut reader = BufReader::new(conn.try_clone()?);
    let mut first = String::new();
    if reader.read_line(&mut first)? == 0 {
        return Ok(());
    }
    let mut parts = first.split_whitespace();
    let method = parts.next().unwrap_or_default().to_owned();
    let path = parts.next().unwrap_or_default().to_owned();
    let mut headers = Vec::new();
    let mut head_size = first.len();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        head_size += line.len();
        if head_size > 256 * 1024 {
            return Ok(());
        }
        let line = line.trim_end_matches(['\r', '\n']);
        if line.is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once(':') {
            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_owned()));
        }
    }
    let length = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse::<usize>().ok());
    let chunked = headers
        .iter()
        .any(|(k, v)| k == "transfer-encoding" && v.to_ascii_lowercase().contains("chunked"));
    let mut body = Vec::new();
    if let Some(length) = length {
        body.resize(length.min(16 << 20), 0);
        reader.read_exact(&mut body)?;
    } else if chunked {
        loop {
            let mut size = String::new();
            reader.read_line(&mut size)?;
            let size = size.trim().split(';').next().unwrap_or_default();
            let size = usize::from_str_radix(size, 16).unwrap_or(0);
            if size == 0 {
                let mut end = String::new();
                let _ = reader.read_line(&mut end);
                break;
            }
            let mut chunk = vec![0; size.min(16 << 20)];
            reader.read_exact(&mut chunk)?;
            body.extend_from_slice(&chunk);
            let mut crlf = String::new();
            reader.read_line(&mut crlf)?;
            if body.len() > 16 << 20 {
                break;
            }
        }
    }
    let request = HostileRequest {
        method,
        path,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    };
    seen.lock().expect("log").push(request.clone());
    let response = handler(&request);
    if let Some(delay) = response.delay {
        let until = Instant::now() + delay;
        while Instant::now() < until && !stop.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    let mut out = conn;
    let length = response.huge.unwrap_or(response.body.len() as u64);
    let extra: String = response
        .headers
        .iter()
        .map(|(k, v)| format!("{k}: {v}\r\n"))
        .collect();
    let head = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {length}\r\n{extra}Connection: close\r\n\r\n",
        response.status,
        reason(response.status),
        response.content_type
    );
    out.write_all(head.as_bytes())?;
    match response.huge {
        None => out.write_all(&response.body)?,
        Some(total) => {
            let prefix: &[u8] = b"{\"access_token\":\"";
            let start = usize::try_from(total).map_or(prefix.len(), |t| t.min(prefix.len()));
            out.write_all(&prefix[..start])?;
            let mut sent = start as u64;
            let filler = vec![b'a'; 64 * 1024];
            while sent < total && !stop.load(Ordering::SeqCst) {
                let n = usize::try_from(total - sent)
                    .map_or(filler.len(), |left| left.min(filler.len()));
                out.write_all(&filler[..n])?;
                sent += n as u64;
            }
        }
    }
    out.flush()?;
    let _ = out.shutdown(Shutdown::Write);
    // Let the client read the whole answer before the socket goes away.
    let mut sink = [0u8; 1024];
    while matches!(reader.read(&mut sink), Ok(n) if n > 0) {}
    Ok(())
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        500 => "Internal Server Error",
        _ => "Status",
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                if let Some(b) = hex {
                    out.push(b);
                    i += 3;
                } else {
                    out.push(b'%');
                    i += 1;
                }
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
