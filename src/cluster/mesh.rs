//! The cluster's connections: every process listens on its own `host:port`, connects to
//! every process listed before it and accepts every process listed after it, and the two
//! ends of each connection show each other their index and a fingerprint of the run
//! (inputs and flags). All of it within the connect timeout, so a peer that never starts
//! or was started differently is an error naming it, never a hang. timely dataflow then
//! runs over these sockets.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use crate::error::{Error, Result};

/// The first bytes of a handshake: tool, protocol version.
const MAGIC: &[u8; 8] = b"bscr\x00v01";

/// How process `me` knows its peers.
#[derive(Debug, Clone)]
pub struct Peers<'a> {
    /// `host:port` of every process, in order.
    pub hosts: &'a [String],
    /// This process.
    pub me: usize,
    /// A digest of the inputs and flags; every process must show the same.
    pub fingerprint: u64,
}

impl Peers<'_> {
    fn name(&self, i: usize) -> String {
        format!("process {i} ({})", self.hosts[i])
    }
}

fn handshake(me: usize, fingerprint: u64) -> [u8; 24] {
    let mut b = [0u8; 24];
    b[..8].copy_from_slice(MAGIC);
    b[8..16].copy_from_slice(&(me as u64).to_le_bytes());
    b[16..].copy_from_slice(&fingerprint.to_le_bytes());
    b
}

/// Read a peer's handshake: its index and fingerprint.
fn read_handshake(stream: &mut TcpStream) -> std::io::Result<(usize, u64)> {
    let mut b = [0u8; 24];
    stream.read_exact(&mut b)?;
    if &b[..8] != MAGIC {
        return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, "not a backscratch process of this version"));
    }
    let index = u64::from_le_bytes(b[8..16].try_into().expect("8 bytes"));
    let fingerprint = u64::from_le_bytes(b[16..].try_into().expect("8 bytes"));
    Ok((index as usize, fingerprint))
}

fn cluster_error(message: String) -> Error {
    Error::Cluster(message)
}

/// Connect every pair of processes. The result has a socket for every other process, in
/// order, and `None` at `me`.
pub fn connect(peers: &Peers<'_>, timeout: Duration) -> Result<Vec<Option<TcpStream>>> {
    let deadline = Instant::now() + timeout;
    let n = peers.hosts.len();
    let me = peers.me;
    let listener = TcpListener::bind(peers.hosts[me].as_str())
        .map_err(|e| cluster_error(format!("process {me} cannot listen on {}: {e}", peers.hosts[me])))?;
    listener.set_nonblocking(true).map_err(|e| cluster_error(format!("process {me}: {e}")))?;
    let mut sockets: Vec<Option<TcpStream>> = (0..n).map(|_| None).collect();
    // Connect to the processes before this one, accept the ones after it, in one loop, so
    // that neither side waits on the other.
    let mut next_to_reach = 0usize;
    let mut last_error: Vec<Option<String>> = vec![None; n];
    loop {
        let missing: Vec<usize> = (0..n).filter(|&i| i != me && sockets[i].is_none()).collect();
        if missing.is_empty() {
            break;
        }
        if Instant::now() >= deadline {
            let named: Vec<String> = missing
                .iter()
                .map(|&i| match &last_error[i] {
                    Some(e) => format!("{} ({e})", peers.name(i)),
                    None => peers.name(i),
                })
                .collect();
            return Err(cluster_error(format!(
                "process {me}: no contact with {} within {:.0} s (--connect-timeout): is it running, with the same \
                 host file, and is the port open?",
                named.join(", "),
                timeout.as_secs_f64()
            )));
        }
        let mut progressed = false;
        while next_to_reach < me && sockets[next_to_reach].is_some() {
            next_to_reach += 1;
        }
        if next_to_reach < me {
            let j = next_to_reach;
            match reach(peers, j, deadline) {
                Ok(stream) => {
                    sockets[j] = Some(stream);
                    progressed = true;
                }
                Err(Reach::Refused(e)) => last_error[j] = Some(e),
                Err(Reach::Fatal(e)) => return Err(e),
            }
        }
        match listener.accept() {
            Ok((mut stream, _)) => {
                let _ = stream.set_nonblocking(false);
                let _ = stream.set_read_timeout(Some(
                    deadline.saturating_duration_since(Instant::now()).max(Duration::from_millis(100)),
                ));
                let (index, fingerprint) = read_handshake(&mut stream)
                    .map_err(|e| cluster_error(format!("process {me}: a connection that is not a peer: {e}")))?;
                if index <= me || index >= n {
                    return Err(cluster_error(format!(
                        "process {me}: a process calling itself number {index} connected; the host file lists {n} \
                         and only those after {me} connect to it"
                    )));
                }
                if sockets[index].is_some() {
                    return Err(cluster_error(format!("process {me}: {} connected twice", peers.name(index))));
                }
                stream
                    .write_all(&handshake(me, peers.fingerprint))
                    .map_err(|e| cluster_error(format!("process {me}: lost {} at once: {e}", peers.name(index))))?;
                if fingerprint != peers.fingerprint {
                    return Err(disagree(peers, index));
                }
                sockets[index] = Some(stream);
                progressed = true;
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(e) => return Err(cluster_error(format!("process {me}: accepting peers failed: {e}"))),
        }
        if !progressed {
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    for s in sockets.iter_mut().flatten() {
        s.set_read_timeout(None).map_err(|e| cluster_error(format!("process {me}: {e}")))?;
        s.set_nodelay(true).map_err(|e| cluster_error(format!("process {me}: {e}")))?;
    }
    Ok(sockets)
}

fn disagree(peers: &Peers<'_>, other: usize) -> Error {
    cluster_error(format!(
        "process {}: {} was started with other inputs, input sizes or flags; start every process with the same \
         command but --process",
        peers.me,
        peers.name(other)
    ))
}

enum Reach {
    /// Not there yet: try again.
    Refused(String),
    /// A peer that answered wrongly.
    Fatal(Error),
}

/// Connect to process `j` and exchange handshakes.
fn reach(peers: &Peers<'_>, j: usize, deadline: Instant) -> std::result::Result<TcpStream, Reach> {
    let me = peers.me;
    let addrs: Vec<_> =
        peers.hosts[j].to_socket_addrs().map_err(|e| Reach::Refused(format!("cannot resolve: {e}")))?.collect();
    let addr = addrs.first().ok_or_else(|| Reach::Refused("no address".into()))?;
    let left = deadline.saturating_duration_since(Instant::now()).max(Duration::from_millis(10));
    let mut stream = TcpStream::connect_timeout(addr, left.min(Duration::from_secs(1)))
        .map_err(|e| Reach::Refused(e.to_string()))?;
    let fatal = |e: std::io::Error| Reach::Fatal(cluster_error(format!("process {me}: {}: {e}", peers.name(j))));
    stream.set_read_timeout(Some(left.max(Duration::from_millis(100)))).map_err(fatal)?;
    stream.write_all(&handshake(me, peers.fingerprint)).map_err(fatal)?;
    let (index, fingerprint) = read_handshake(&mut stream).map_err(fatal)?;
    if index != j {
        return Err(Reach::Fatal(cluster_error(format!(
            "process {me}: {} answered as process {index}: do all processes use the same host file?",
            peers.name(j)
        ))));
    }
    if fingerprint != peers.fingerprint {
        return Err(Reach::Fatal(disagree(peers, j)));
    }
    Ok(stream)
}
