//! The cluster's connections: every process listens on its own `host:port`, connects to
//! every process listed before it and accepts every process listed after it, and the two
//! ends of each connection show each other their index and the digests of what the run
//! must agree on ([`Agreement`]: inputs, their sizes, the options that change results). All of it within the connect timeout, so a peer that never starts
//! or was started differently is an error naming it, never a hang. timely dataflow then
//! runs over these sockets.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use crate::error::{Error, Result};

/// The first bytes of a handshake: tool, protocol version.
const MAGIC: &[u8; 8] = b"bscr\x00v02";

/// The most items an agreement may have (a handshake is at most 24 + 8 × this bytes).
pub const MAX_AGREEMENT_ITEMS: usize = 64;

/// A silent connection is given this long to show its handshake before it is dropped.
const HANDSHAKE_WAIT: Duration = Duration::from_secs(5);

/// What every process of a run must agree on, item by item (an option that changes the
/// results, the sizes of the files read, the host list), each as a name and a digest, so
/// that a peer started differently is told which item differs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Agreement {
    /// Name (a flag, `the inputs' sizes`) and digest of each item, in a fixed order.
    pub items: Vec<(String, u64)>,
}

impl Agreement {
    /// Add an item: `name`, and a digest of `value`'s bytes.
    pub fn add(&mut self, name: &str, value: &[u8]) {
        use sha2::{Digest, Sha256};
        let digest = Sha256::digest(value);
        self.items.push((name.to_string(), u64::from_le_bytes(digest[..8].try_into().expect("8 bytes"))));
    }

    fn digests(&self) -> Vec<u64> {
        self.items.iter().map(|(_, d)| *d).collect()
    }

    /// The first item on which a peer showing `theirs` differs (`None`: they agree).
    fn first_difference(&self, theirs: &[u64]) -> Option<String> {
        if theirs.len() != self.items.len() {
            return Some("the backscratch version (another number of settings to agree on)".into());
        }
        self.items.iter().zip(theirs).find(|((_, mine), other)| mine != *other).map(|((name, _), _)| name.clone())
    }
}

/// How process `me` knows its peers.
#[derive(Debug, Clone)]
pub struct Peers<'a> {
    /// `host:port` of every process, in order.
    pub hosts: &'a [String],
    /// This process.
    pub me: usize,
    /// What every process must show the same of.
    pub agreement: &'a Agreement,
}

impl Peers<'_> {
    fn name(&self, i: usize) -> String {
        format!("process {i} ({})", self.hosts[i])
    }
}

fn handshake(me: usize, agreement: &Agreement) -> Vec<u8> {
    let digests = agreement.digests();
    let mut b = Vec::with_capacity(24 + 8 * digests.len());
    b.extend_from_slice(MAGIC);
    b.extend_from_slice(&(me as u64).to_le_bytes());
    b.extend_from_slice(&(digests.len() as u64).to_le_bytes());
    for d in digests {
        b.extend_from_slice(&d.to_le_bytes());
    }
    b
}

/// Read a peer's handshake: its index and the digests of its agreement. At most
/// [`MAX_AGREEMENT_ITEMS`] digests are read, so a stranger cannot make this allocate.
fn read_handshake(stream: &mut TcpStream) -> std::io::Result<(usize, Vec<u64>)> {
    let invalid = |what: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, what.to_string());
    let mut b = [0u8; 24];
    stream.read_exact(&mut b)?;
    if &b[..8] != MAGIC {
        return Err(invalid("not a backscratch process of this version"));
    }
    let index = u64::from_le_bytes(b[8..16].try_into().expect("8 bytes"));
    let count = u64::from_le_bytes(b[16..].try_into().expect("8 bytes"));
    if count > MAX_AGREEMENT_ITEMS as u64 {
        return Err(invalid("a handshake longer than any backscratch process sends"));
    }
    let mut digests = vec![0u8; 8 * count as usize];
    stream.read_exact(&mut digests)?;
    let digests = digests.chunks_exact(8).map(|c| u64::from_le_bytes(c.try_into().expect("8 bytes"))).collect();
    Ok((usize::try_from(index).unwrap_or(usize::MAX), digests))
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
    // Connections that were not peers, by remote address, for the timeout's message.
    let mut strangers: Vec<String> = Vec::new();
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
            let ignored = if strangers.is_empty() {
                String::new()
            } else {
                strangers.truncate(5);
                format!("; connections that were no peer were dropped: {}", strangers.join(", "))
            };
            return Err(cluster_error(format!(
                "process {me}: no contact with {} within {:.0} s (--connect-timeout): is it running, with the same \
                 host file, and is the port open?{ignored}",
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
            Ok((mut stream, remote)) => {
                let _ = stream.set_nonblocking(false);
                let wait = deadline
                    .saturating_duration_since(Instant::now())
                    .clamp(Duration::from_millis(100), HANDSHAKE_WAIT);
                let _ = stream.set_read_timeout(Some(wait));
                // A connection that shows no handshake of this tool (a port scan, a stray
                // client, a silent socket) is dropped and remembered, not fatal: the peers
                // may still come.
                let (index, theirs) = match read_handshake(&mut stream) {
                    Ok(h) => h,
                    Err(e) => {
                        strangers.push(format!("{remote} ({e})"));
                        continue;
                    }
                };
                if index <= me || index >= n {
                    return Err(cluster_error(format!(
                        "process {me}: a process at {remote} calling itself number {index} connected; the host file \
                         lists {n} and only those after {me} connect to it"
                    )));
                }
                if sockets[index].is_some() {
                    return Err(cluster_error(format!(
                        "process {me}: {} connected twice (again from {remote})",
                        peers.name(index)
                    )));
                }
                stream
                    .write_all(&handshake(me, peers.agreement))
                    .map_err(|e| cluster_error(format!("process {me}: lost {} at once: {e}", peers.name(index))))?;
                if let Some(item) = peers.agreement.first_difference(&theirs) {
                    return Err(disagree(peers, index, &item));
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

fn disagree(peers: &Peers<'_>, other: usize, item: &str) -> Error {
    cluster_error(format!(
        "process {}: {} was started differently: {item} differs; start every process with the same inputs and \
         options (--process, --threads, --connect-timeout and the outputs may differ)",
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
    stream.write_all(&handshake(me, peers.agreement)).map_err(fatal)?;
    let (index, theirs) = read_handshake(&mut stream).map_err(fatal)?;
    if index != j {
        return Err(Reach::Fatal(cluster_error(format!(
            "process {me}: {} answered as process {index}: do all processes use the same host file?",
            peers.name(j)
        ))));
    }
    if let Some(item) = peers.agreement.first_difference(&theirs) {
        return Err(Reach::Fatal(disagree(peers, j, &item)));
    }
    Ok(stream)
}
