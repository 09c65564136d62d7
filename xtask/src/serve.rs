//! `cargo xtask serve`: a tiny std-only static HTTP server for dist/, bound to 127.0.0.1.
//!
//! Our own server rather than `trunk serve`: no file watcher, no reload socket, no rebuild,
//! and the e2e stage of `cargo xtask test` can start it on a free port in a thread.

use crate::util::{step, Result};
use crate::{install, site};
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::time::Duration;

const DEFAULT_PORT: u16 = 8080;

/// The task: `serve [--port N]`; builds first, then serves until interrupted.
pub fn task(args: &[String]) -> Result<()> {
    let port = parse_port(args)?;
    install::ensure()?;
    site::build()?;
    let listener = TcpListener::bind(("127.0.0.1", port))
        .map_err(|e| format!("cannot listen on 127.0.0.1:{port}: {e} (try --port N)"))?;
    step(&format!(
        "serve: dist/ on http://127.0.0.1:{port}/ (Ctrl-C to stop)"
    ));
    accept_loop(listener, site::dist());
    Ok(())
}

fn parse_port(args: &[String]) -> Result<u16> {
    let mut port = DEFAULT_PORT;
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        let value = match arg.strip_prefix("--port=") {
            Some(v) => v.to_string(),
            None if arg == "--port" => rest.next().cloned().ok_or("--port needs a number")?,
            None => {
                return Err(format!(
                    "unexpected argument `{arg}` for `serve` (usage: serve [--port N])"
                ))
            }
        };
        port = value
            .parse()
            .map_err(|_| format!("--port: `{value}` is not a port number"))?;
    }
    Ok(port)
}

/// Serves dist/ on a free port of 127.0.0.1 from a background thread; returns the base URL.
pub fn spawn_on_free_port() -> Result<String> {
    let listener = TcpListener::bind(("127.0.0.1", 0))
        .map_err(|e| format!("cannot listen on 127.0.0.1: {e}"))?;
    let port = listener.local_addr().map_err(|e| e.to_string())?.port();
    let dist = site::dist();
    std::thread::spawn(move || accept_loop(listener, dist));
    Ok(format!("http://127.0.0.1:{port}/"))
}

fn accept_loop(listener: TcpListener, dist: PathBuf) {
    for stream in listener.incoming().flatten() {
        let dist = dist.clone();
        std::thread::spawn(move || {
            let _ = handle(stream, &dist);
        });
    }
}

fn handle(mut stream: TcpStream, dist: &Path) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    // Drain the headers; nothing in them changes the answer.
    let mut line = String::new();
    while reader.read_line(&mut line)? > 2 {
        line.clear();
    }
    let mut parts = request_line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let (status, mime, body) = match (method, file_for(dist, target)) {
        ("GET" | "HEAD", Some(path)) => match std::fs::read(&path) {
            Ok(bytes) => ("200 OK", content_type(&path), bytes),
            Err(_) => (
                "404 Not Found",
                "text/plain; charset=utf-8",
                b"not found\n".to_vec(),
            ),
        },
        ("GET" | "HEAD", None) => (
            "404 Not Found",
            "text/plain; charset=utf-8",
            b"not found\n".to_vec(),
        ),
        _ => (
            "405 Method Not Allowed",
            "text/plain; charset=utf-8",
            b"GET or HEAD only\n".to_vec(),
        ),
    };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {mime}\r\nContent-Length: {}\r\n\
         Cache-Control: no-cache\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes())?;
    if method != "HEAD" {
        stream.write_all(&body)?;
    }
    stream.flush()
}

/// The file under `dist` that a request target names; None if it escapes dist or is absent.
fn file_for(dist: &Path, target: &str) -> Option<PathBuf> {
    let path = target.split(['?', '#']).next()?.strip_prefix('/')?;
    let mut file = dist.to_path_buf();
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        if segment == ".." || segment == "." || segment.contains(['\\', '%']) {
            return None;
        }
        file.push(segment);
    }
    if file.is_dir() {
        file.push("index.html");
    }
    file.is_file().then_some(file)
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "css" => "text/css; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        // the docs the page links to (docs/*.md), shown as text
        "txt" | "md" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_stay_inside_dist() {
        let dir = std::env::temp_dir().join(format!("xtask-serve-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        std::fs::write(dir.join("index.html"), "x").unwrap();
        std::fs::write(dir.join("app.wasm"), "x").unwrap();
        assert_eq!(file_for(&dir, "/"), Some(dir.join("index.html")));
        assert_eq!(file_for(&dir, "/?s=1"), Some(dir.join("index.html")));
        assert_eq!(file_for(&dir, "/app.wasm"), Some(dir.join("app.wasm")));
        assert_eq!(file_for(&dir, "/../etc/passwd"), None);
        assert_eq!(file_for(&dir, "/%2e%2e/x"), None);
        assert_eq!(file_for(&dir, "/sub/"), None);
        assert_eq!(file_for(&dir, "relative"), None);
        assert_eq!(content_type(Path::new("a.wasm")), "application/wasm");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn port_argument() {
        let args = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(parse_port(&args(&[])), Ok(8080));
        assert_eq!(parse_port(&args(&["--port", "9000"])), Ok(9000));
        assert_eq!(parse_port(&args(&["--port=9001"])), Ok(9001));
        assert!(parse_port(&args(&["--port"])).is_err());
        assert!(parse_port(&args(&["--port", "x"])).is_err());
    }
}
