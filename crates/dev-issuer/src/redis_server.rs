//! A throwaway `redis-server` on a loopback port, for tests of code that
//! keeps state in Redis.

use std::ffi::OsStr;
use std::fmt;
use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// How long [`RedisServer::start`] waits for the server to answer `PING`.
const READY_TIMEOUT: Duration = Duration::from_secs(5);
/// How often readiness is polled while the process starts.
const POLL_INTERVAL: Duration = Duration::from_millis(20);
/// The bound on one `PING` round trip.
const PING_TIMEOUT: Duration = Duration::from_millis(250);
/// How many fresh ports [`RedisServer::start`] tries, in case another
/// process takes the free port between our check and Redis binding it.
const PORT_ATTEMPTS: usize = 3;

/// Tells the temporary directories of one process apart.
static NEXT_DIR: AtomicU32 = AtomicU32::new(0);

/// A `redis-server` process of this test, on `127.0.0.1` and a free port,
/// without persistence, in a temporary directory.
///
/// It runs the Debian package's binary, found on `PATH` (`apt-get install
/// redis-server`); nothing is downloaded. [`stop`](Self::stop) kills it,
/// as a crash would, and [`restart`](Self::restart) starts a new, empty
/// one on the same port, as a Redis without persistence comes back after
/// a restart. Dropping the value kills the process and removes its
/// directory.
///
/// ```no_run
/// use dev_issuer::RedisServer;
///
/// let mut redis = RedisServer::start()?;
/// println!("connect to {}", redis.url()); // redis://127.0.0.1:PORT/
/// redis.stop()?; // clients now see connection errors
/// redis.restart()?; // back, empty, on the same port
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct RedisServer {
    binary: PathBuf,
    port: u16,
    dir: PathBuf,
    child: Option<Child>,
}

impl RedisServer {
    /// Starts a server and waits (at most 5 s) until it answers `PING`.
    ///
    /// # Errors
    ///
    /// [`io::ErrorKind::NotFound`] when `redis-server` is not on `PATH`
    /// (the message says to install the Debian package `redis-server`);
    /// any other [`io::Error`] when the directory cannot be created or the
    /// server does not start, with the server's log in the message.
    pub fn start() -> io::Result<Self> {
        let binary = find_binary()?;
        let dir = temp_dir()?;
        let mut last_error = None;
        for _ in 0..PORT_ATTEMPTS {
            let port = free_port()?;
            let mut server = Self {
                binary: binary.clone(),
                port,
                dir: dir.clone(),
                child: None,
            };
            match server.spawn() {
                Ok(()) => return Ok(server),
                Err(e) => {
                    // Keep the directory for the next attempt: `server`
                    // owns it and would remove it on drop.
                    server.dir = PathBuf::new();
                    last_error = Some(e);
                }
            }
        }
        // Best effort: the directory is ours and empty of anything useful.
        let _ = fs::remove_dir_all(&dir);
        Err(last_error.unwrap_or_else(|| io::Error::other("redis-server did not start")))
    }

    /// The URL to connect to: `redis://127.0.0.1:PORT/`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// The port the server listens on; it stays the same across
    /// [`restart`](Self::restart)s.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Whether the process is running (started and not stopped).
    pub fn is_running(&mut self) -> bool {
        self.child
            .as_mut()
            .is_some_and(|child| matches!(child.try_wait(), Ok(None)))
    }

    /// Kills the server (`SIGKILL`, as a crash would) and waits for it to
    /// exit. Stopping a stopped server does nothing.
    ///
    /// # Errors
    ///
    /// An [`io::Error`] when the process cannot be killed or waited for.
    pub fn stop(&mut self) -> io::Result<()> {
        if let Some(mut child) = self.child.take() {
            if matches!(child.try_wait(), Ok(None)) {
                child.kill()?;
            }
            child.wait()?;
        }
        Ok(())
    }

    /// Stops the server if it runs, then starts a new, empty one on the
    /// same port and waits (at most 5 s) until it answers `PING`.
    ///
    /// # Errors
    ///
    /// An [`io::Error`] when the old process cannot be stopped or the new
    /// one does not start (with its log in the message).
    pub fn restart(&mut self) -> io::Result<()> {
        self.stop()?;
        self.spawn()
    }

    fn spawn(&mut self) -> io::Result<()> {
        let log_path = self.dir.join("redis.log");
        let log = File::create(&log_path)?;
        let mut child = Command::new(&self.binary)
            .args(["--bind", "127.0.0.1", "--port"])
            .arg(self.port.to_string())
            .args(["--save", "", "--appendonly", "no", "--daemonize", "no"])
            .args(["--maxmemory-policy", "noeviction", "--dir"])
            .arg(&self.dir)
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()?;
        let deadline = Instant::now() + READY_TIMEOUT;
        loop {
            if let Some(status) = child.try_wait()? {
                return Err(io::Error::other(format!(
                    "redis-server on port {} exited ({status}): {}",
                    self.port,
                    read_log(&log_path)
                )));
            }
            if ping(self.port) {
                self.child = Some(child);
                return Ok(());
            }
            if Instant::now() >= deadline {
                let _ = child.kill();
                let _ = child.wait();
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    format!(
                        "redis-server on port {} did not answer PING within {:?}: {}",
                        self.port,
                        READY_TIMEOUT,
                        read_log(&log_path)
                    ),
                ));
            }
            // Bounded polling while the process starts: there is no other
            // signal that it is ready.
            thread::sleep(POLL_INTERVAL);
        }
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.stop();
        if !self.dir.as_os_str().is_empty() {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

impl fmt::Debug for RedisServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisServer")
            .field("port", &self.port)
            .field("dir", &self.dir)
            .field("pid", &self.child.as_ref().map(Child::id))
            .finish_non_exhaustive()
    }
}

/// `redis-server` on `PATH`.
fn find_binary() -> io::Result<PathBuf> {
    find_binary_in(&std::env::var_os("PATH").unwrap_or_default())
}

/// `redis-server` in one of the directories of `path` (as `PATH` lists
/// them).
fn find_binary_in(path: &OsStr) -> io::Result<PathBuf> {
    std::env::split_paths(path)
        .map(|dir| dir.join("redis-server"))
        .find(|candidate| is_executable(candidate))
        .ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::NotFound,
                "redis-server is not on PATH: install the Debian package \
                 `redis-server` (apt-get install redis-server)",
            )
        })
}

fn is_executable(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    }
    #[cfg(not(unix))]
    {
        path.is_file()
    }
}

/// A new, empty directory under the system's temporary directory.
fn temp_dir() -> io::Result<PathBuf> {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .subsec_nanos();
    let name = format!(
        "dev-issuer-redis-{}-{}-{nanos}",
        std::process::id(),
        NEXT_DIR.fetch_add(1, Ordering::Relaxed)
    );
    let dir = std::env::temp_dir().join(name);
    fs::create_dir(&dir)?;
    Ok(dir)
}

/// A port that was free a moment ago.
fn free_port() -> io::Result<u16> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
    Ok(listener.local_addr()?.port())
}

/// Whether a server on `port` answers `PING` with `+PONG`.
fn ping(port: u16) -> bool {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let Ok(mut stream) = TcpStream::connect_timeout(&addr, PING_TIMEOUT) else {
        return false;
    };
    if stream.set_read_timeout(Some(PING_TIMEOUT)).is_err()
        || stream.set_write_timeout(Some(PING_TIMEOUT)).is_err()
        || stream.write_all(b"*1\r\n$4\r\nPING\r\n").is_err()
    {
        return false;
    }
    let mut reply = [0u8; 7];
    stream.read_exact(&mut reply).is_ok() && &reply == b"+PONG\r\n"
}

/// The last lines of the server's log, for error messages.
fn read_log(path: &Path) -> String {
    let log = fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = log.lines().collect();
    let tail = lines[lines.len().saturating_sub(10)..].join(" | ");
    if tail.is_empty() {
        "(empty log)".to_owned()
    } else {
        tail
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starts_stops_restarts_on_the_same_port_and_cleans_up() {
        let mut server = RedisServer::start().unwrap();
        let port = server.port();
        assert_eq!(server.url(), format!("redis://127.0.0.1:{port}/"));
        assert!(server.is_running());
        assert!(ping(port));
        let dir = server.dir.clone();
        assert!(dir.is_dir());

        server.stop().unwrap();
        assert!(!server.is_running());
        assert!(!ping(port), "a stopped server answers nothing");
        server.stop().unwrap(); // idempotent

        server.restart().unwrap();
        assert_eq!(server.port(), port);
        assert!(ping(port));
        assert!(format!("{server:?}").contains(&port.to_string()));

        drop(server);
        assert!(!ping(port), "dropping the fixture kills the server");
        assert!(!dir.exists(), "and removes its directory");
    }

    #[test]
    fn a_missing_binary_says_which_package_to_install() {
        let empty = temp_dir().unwrap();
        let error = find_binary_in(empty.as_os_str()).unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::NotFound);
        assert!(
            error
                .to_string()
                .contains("install the Debian package `redis-server`"),
            "{error}"
        );
        fs::remove_dir_all(empty).unwrap();
    }
}
