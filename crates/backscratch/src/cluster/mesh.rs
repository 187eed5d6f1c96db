//! The cluster's connections: every process listens on its own `host:port`, connects to
//! every process listed before it and accepts every process listed after it. The two ends of
//! each connection greet each other with their index and a fresh challenge, and each answers
//! the other's challenge with a proof (`Agreement::proof`: HMAC-SHA256 tags keyed with the
//! run's `--cluster-key`, one for the key and one per item the run must agree on: inputs,
//! their sizes, the options that change results). Neither the key nor the items travel. All of
//! it within the connect timeout, so a peer that never starts or was started differently is an
//! error naming it, never a hang; a connection that proves no key is dropped and named.
//!
//! timely dataflow then runs over these sockets. Its frames are not size-bounded by us, so
//! they are only ever read from a process that proved the key: with a `--cluster-key` that
//! only the run's processes hold, nobody else reaches them. Without one, the proof shows only
//! that the other side runs this version with the same inputs and options.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use crate::error::{Error, Result};

/// The first bytes of a handshake: tool, protocol version.
const MAGIC: &[u8; 8] = b"bscr\x00v03";

/// The most items an agreement may have (a proof is at most 8 + 8 × (1 + this) bytes).
pub const MAX_AGREEMENT_ITEMS: usize = 64;

/// A silent connection is given this long to show its handshake before it is dropped.
const HANDSHAKE_WAIT: Duration = Duration::from_secs(5);

/// The bytes of a greeting: [`MAGIC`], the sender's index, the connection's [`Purpose`],
/// its challenge.
const HELLO_BYTES: usize = 8 + 8 + 1 + NONCE_BYTES;

/// What a connection between two processes carries: every pair has one of each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// timely dataflow's messages.
    Data = 0,
    /// A byte a second each way, so that a peer that stopped (SIGSTOP, a frozen machine, a
    /// cut cable) is noticed (see `super::liveness`).
    Liveness = 1,
}

impl Purpose {
    fn from_byte(b: u8) -> Option<Purpose> {
        match b {
            0 => Some(Purpose::Data),
            1 => Some(Purpose::Liveness),
            _ => None,
        }
    }
}

/// Every connection of this process: `data[i]` and `liveness[i]` go to process `i` (`None` at
/// this process).
#[derive(Debug)]
pub struct Connections {
    /// The sockets timely dataflow runs over.
    pub data: Vec<Option<TcpStream>>,
    /// The sockets `super::liveness::watch` sends and expects heartbeats on.
    pub liveness: Vec<Option<TcpStream>>,
}

/// The bytes of a challenge.
const NONCE_BYTES: usize = 16;

/// What every process of a run must agree on, item by item (an option that changes the
/// results, the sizes of the files read, the host list), each as a name and a digest, so
/// that a peer started differently is told which item differs; and the run's secret
/// (`--cluster-key`), which every process must prove it holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Agreement {
    /// Name (a flag, `the inputs' sizes`) and digest of each item, in a fixed order.
    pub items: Vec<(String, u64)>,
    /// The shared secret the proofs are keyed with (empty: none was given).
    pub key: Vec<u8>,
}

impl Agreement {
    /// Add an item: `name`, and a digest of `value`'s bytes.
    pub fn add(&mut self, name: &str, value: &[u8]) {
        use sha2::{Digest, Sha256};
        let digest = Sha256::digest(value);
        self.items.push((name.to_string(), u64::from_le_bytes(digest[..8].try_into().expect("8 bytes"))));
    }

    /// The proof that process `me` holds the key and these items, answering `challenge`:
    /// first a tag of the key alone, then one tag per item. Each is the first 8 bytes of an
    /// HMAC-SHA256 keyed with the secret over the challenge, the sender's index and the item,
    /// so neither the digests nor the key travel, and a proof answers one challenge only.
    fn proof(&self, me: usize, challenge: &[u8; NONCE_BYTES]) -> Vec<u64> {
        let tag = |what: &[u8]| {
            use hmac::{Hmac, Mac};
            let mut mac = Hmac::<sha2::Sha256>::new_from_slice(&self.key).expect("HMAC takes a key of any length");
            mac.update(MAGIC);
            mac.update(challenge);
            mac.update(&(me as u64).to_le_bytes());
            mac.update(what);
            u64::from_le_bytes(mac.finalize().into_bytes()[..8].try_into().expect("8 bytes"))
        };
        let items = self.items.iter().map(|(name, digest)| tag(&[name.as_bytes(), &digest.to_le_bytes()].concat()));
        std::iter::once(tag(b"the cluster key")).chain(items).collect()
    }

    /// How a proof from process `them`, answering `challenge`, falls short (`None`: it holds).
    fn check(&self, them: usize, challenge: &[u8; NONCE_BYTES], theirs: &[u64]) -> Option<Shortfall> {
        let mine = self.proof(them, challenge);
        if theirs.first() != mine.first() {
            return Some(Shortfall::Key);
        }
        if theirs.len() != mine.len() {
            return Some(Shortfall::Item("the backscratch version (another number of settings to agree on)".into()));
        }
        let differs = mine.iter().zip(theirs).skip(1).position(|(a, b)| a != b)?;
        Some(Shortfall::Item(self.items[differs].0.clone()))
    }
}

/// Why a peer's proof was not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Shortfall {
    /// It does not hold the run's key (or holds one where none was given, or the reverse).
    Key,
    /// It holds the key but was started differently: this item differs.
    Item(String),
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

/// A fresh challenge: 16 bytes from the operating system's random source (the time and the
/// process id where it cannot be read).
fn nonce() -> [u8; NONCE_BYTES] {
    let mut b = [0u8; NONCE_BYTES];
    if std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut b)).is_err() {
        use sha2::{Digest, Sha256};
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        let seed = format!("{now:?}{}{:p}", std::process::id(), &b);
        b.copy_from_slice(&Sha256::digest(seed.as_bytes())[..NONCE_BYTES]);
    }
    b
}

fn hello(me: usize, purpose: Purpose, challenge: &[u8; NONCE_BYTES]) -> Vec<u8> {
    [&MAGIC[..], &(me as u64).to_le_bytes(), &[purpose as u8], challenge].concat()
}

fn proof_bytes(tags: &[u64]) -> Vec<u8> {
    let mut b = Vec::with_capacity(8 + 8 * tags.len());
    b.extend_from_slice(&(tags.len() as u64).to_le_bytes());
    for t in tags {
        b.extend_from_slice(&t.to_le_bytes());
    }
    b
}

fn invalid(what: &str) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, what.to_string())
}

/// A greeting: who sends it, for what, and the challenge the other side must answer.
type Hello = (usize, Purpose, [u8; NONCE_BYTES]);

/// Parse a greeting: the sender's index, the connection's purpose and its challenge.
pub fn parse_hello(b: &[u8]) -> std::io::Result<Hello> {
    if b.len() != HELLO_BYTES || &b[..8] != MAGIC {
        return Err(invalid("not a backscratch process of this version"));
    }
    let index = u64::from_le_bytes(b[8..16].try_into().expect("8 bytes"));
    let purpose = Purpose::from_byte(b[16]).ok_or_else(|| invalid("a connection of no known purpose"))?;
    Ok((usize::try_from(index).unwrap_or(usize::MAX), purpose, b[17..].try_into().expect("16 bytes")))
}

fn read_hello(stream: &mut impl Read) -> std::io::Result<Hello> {
    let mut b = [0u8; HELLO_BYTES];
    stream.read_exact(&mut b)?;
    parse_hello(&b)
}

/// Read a proof: at most 1 + [`MAX_AGREEMENT_ITEMS`] tags, so a stranger cannot make this
/// allocate.
pub fn read_proof(stream: &mut impl Read) -> std::io::Result<Vec<u64>> {
    let mut b = [0u8; 8];
    stream.read_exact(&mut b)?;
    let count = u64::from_le_bytes(b);
    if count > 1 + MAX_AGREEMENT_ITEMS as u64 {
        return Err(invalid("a handshake longer than any backscratch process sends"));
    }
    let mut tags = vec![0u8; 8 * count as usize];
    stream.read_exact(&mut tags)?;
    Ok(tags.chunks_exact(8).map(|c| u64::from_le_bytes(c.try_into().expect("8 bytes"))).collect())
}

fn cluster_error(message: String) -> Error {
    Error::Cluster(message)
}

/// Connect every pair of processes: a data and a liveness connection to every other process.
pub fn connect(peers: &Peers<'_>, timeout: Duration) -> Result<Connections> {
    let deadline = Instant::now() + timeout;
    let n = peers.hosts.len();
    let me = peers.me;
    let listener = TcpListener::bind(peers.hosts[me].as_str())
        .map_err(|e| cluster_error(format!("process {me} cannot listen on {}: {e}", peers.hosts[me])))?;
    listener.set_nonblocking(true).map_err(|e| cluster_error(format!("process {me}: {e}")))?;
    // Slot 2i is the data connection to process i, slot 2i + 1 the liveness one.
    let mut sockets: Vec<Option<TcpStream>> = (0..2 * n).map(|_| None).collect();
    let slot = |i: usize, purpose: Purpose| 2 * i + purpose as usize;
    let linked = |sockets: &[Option<TcpStream>], i: usize| sockets[2 * i].is_some() && sockets[2 * i + 1].is_some();
    // Connect to the processes before this one, accept the ones after it, in one loop, so
    // that neither side waits on the other.
    let mut next_to_reach = 0usize;
    let mut last_error: Vec<Option<String>> = vec![None; n];
    // Connections that were not peers, by remote address, for the timeout's message.
    let mut strangers: Vec<String> = Vec::new();
    loop {
        let missing: Vec<usize> = (0..n).filter(|&i| i != me && !linked(&sockets, i)).collect();
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
        while next_to_reach < me && linked(&sockets, next_to_reach) {
            next_to_reach += 1;
        }
        if next_to_reach < me {
            let j = next_to_reach;
            let purpose = if sockets[slot(j, Purpose::Data)].is_none() { Purpose::Data } else { Purpose::Liveness };
            match reach(peers, j, purpose, deadline) {
                Ok(stream) => {
                    sockets[slot(j, purpose)] = Some(stream);
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
                // A connection that shows no greeting of this tool or no proof of the key (a
                // port scan, a stray client, a silent socket) is dropped and remembered, not
                // fatal: the peers may still come.
                match greet(peers, &mut stream, n) {
                    Ok((index, purpose)) if sockets[slot(index, purpose)].is_some() => {
                        return Err(cluster_error(format!(
                            "process {me}: {} connected twice (again from {remote})",
                            peers.name(index)
                        )))
                    }
                    Ok((index, purpose)) => {
                        sockets[slot(index, purpose)] = Some(stream);
                        progressed = true;
                    }
                    Err(Greeting::Stranger(why)) => strangers.push(format!("{remote} ({why})")),
                    Err(Greeting::Fatal(e)) => return Err(e),
                }
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
    let (mut data, mut liveness) = (Vec::with_capacity(n), Vec::with_capacity(n));
    let mut slots = sockets.into_iter();
    while let (Some(d), Some(l)) = (slots.next(), slots.next()) {
        data.push(d);
        liveness.push(l);
    }
    Ok(Connections { data, liveness })
}

/// How a connection that arrived fared.
enum Greeting {
    /// Not a peer of this run (no greeting, a wrong one, no proof of the key): dropped.
    Stranger(String),
    /// A peer of this run that was started differently.
    Fatal(Error),
}

/// Exchange greetings and proofs with a process that connected (one listed after this one):
/// its index, once it has proved that it holds the key and was started the same way. Until
/// it has proved the key, nothing it says is fatal: it is a stranger, dropped and named in
/// the timeout's message.
fn greet(peers: &Peers<'_>, stream: &mut TcpStream, n: usize) -> std::result::Result<(usize, Purpose), Greeting> {
    let me = peers.me;
    let stranger = |e: std::io::Error| Greeting::Stranger(e.to_string());
    let (index, purpose, their_challenge) = read_hello(stream).map_err(stranger)?;
    let challenge = nonce();
    let answer = [hello(me, purpose, &challenge), proof_bytes(&peers.agreement.proof(me, &their_challenge))].concat();
    stream.write_all(&answer).map_err(stranger)?;
    // A peer with another key finds that out first (it checks our proof before it sends its
    // own), says so itself, and closes.
    let theirs = read_proof(stream)
        .map_err(|e| Greeting::Stranger(format!("it did not prove the cluster key: the connection ended ({e})")))?;
    match peers.agreement.check(index.min(n), &challenge, &theirs) {
        Some(Shortfall::Key) => {
            return Err(Greeting::Stranger(
                "it did not prove the cluster key: another --cluster-key, or a key where this process has none, or                  the reverse"
                    .into(),
            ))
        }
        Some(Shortfall::Item(item)) if index > me && index < n => return Err(Greeting::Fatal(disagree(peers, index, &item))),
        _ if index <= me || index >= n => {
            return Err(Greeting::Fatal(cluster_error(format!(
                "process {me}: a process calling itself number {index} connected; the host file lists {n} and only                  those after {me} connect to it"
            ))))
        }
        Some(Shortfall::Item(_)) | None => {}
    }
    Ok((index, purpose))
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

/// Connect to process `j` for `purpose`, exchange greetings and proofs.
fn reach(peers: &Peers<'_>, j: usize, purpose: Purpose, deadline: Instant) -> std::result::Result<TcpStream, Reach> {
    let me = peers.me;
    let addrs: Vec<_> =
        peers.hosts[j].to_socket_addrs().map_err(|e| Reach::Refused(format!("cannot resolve: {e}")))?.collect();
    let addr = addrs.first().ok_or_else(|| Reach::Refused("no address".into()))?;
    let left = deadline.saturating_duration_since(Instant::now()).max(Duration::from_millis(10));
    let mut stream = TcpStream::connect_timeout(addr, left.min(Duration::from_secs(1)))
        .map_err(|e| Reach::Refused(e.to_string()))?;
    let fatal = |e: std::io::Error| Reach::Fatal(cluster_error(format!("process {me}: {}: {e}", peers.name(j))));
    stream.set_read_timeout(Some(left.max(Duration::from_millis(100)))).map_err(fatal)?;
    let challenge = nonce();
    stream.write_all(&hello(me, purpose, &challenge)).map_err(fatal)?;
    let (index, answered, their_challenge) = read_hello(&mut stream).map_err(fatal)?;
    if index != j || answered != purpose {
        return Err(Reach::Fatal(cluster_error(format!(
            "process {me}: {} answered as process {index}: do all processes use the same host file?",
            peers.name(j)
        ))));
    }
    let theirs = read_proof(&mut stream).map_err(fatal)?;
    match peers.agreement.check(j, &challenge, &theirs) {
        Some(Shortfall::Key) => {
            return Err(Reach::Fatal(cluster_error(format!(
                "process {me}: {} did not prove the cluster key: start every process with the same --cluster-key \
                 file (or none)",
                peers.name(j)
            ))))
        }
        Some(Shortfall::Item(_)) | None => {}
    }
    // It holds the key: it is owed our proof even when an item differs, so that it can say
    // which one too.
    stream.write_all(&proof_bytes(&peers.agreement.proof(me, &their_challenge))).map_err(fatal)?;
    if let Some(Shortfall::Item(item)) = peers.agreement.check(j, &challenge, &theirs) {
        return Err(Reach::Fatal(disagree(peers, j, &item)));
    }
    Ok(stream)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn agreement(key: &[u8], inputs: &str) -> Agreement {
        let mut a = Agreement { key: key.to_vec(), ..Agreement::default() };
        a.add("the inputs", inputs.as_bytes());
        a.add("--max-len", b"4");
        a
    }

    #[test]
    fn a_proof_holds_for_the_same_key_and_items_and_one_challenge_only() {
        let ours = agreement(b"sixteen byte key", "a.csv");
        let (challenge, other) = (nonce(), nonce());
        assert_ne!(challenge, other, "fresh challenges");
        let proof = ours.proof(1, &challenge);
        assert_eq!(ours.check(1, &challenge, &proof), None);
        // Replayed to another challenge, or claimed by another index: no key.
        assert_eq!(ours.check(1, &other, &proof), Some(Shortfall::Key));
        assert_eq!(ours.check(2, &challenge, &proof), Some(Shortfall::Key));
        // Another key, or none where we have one.
        for theirs in [agreement(b"another key here", "a.csv"), agreement(b"", "a.csv")] {
            assert_eq!(ours.check(1, &challenge, &theirs.proof(1, &challenge)), Some(Shortfall::Key));
        }
        // The key, but other inputs: the item is named.
        let started_differently = agreement(b"sixteen byte key", "b.csv");
        assert_eq!(
            ours.check(1, &challenge, &started_differently.proof(1, &challenge)),
            Some(Shortfall::Item("the inputs".into()))
        );
        // Neither the key nor the digests are in what travels.
        let bytes = proof_bytes(&proof);
        assert!(!bytes.windows(16).any(|w| w == b"sixteen byte key"));
        for (_, digest) in &ours.items {
            assert!(!bytes.windows(8).any(|w| w == digest.to_le_bytes()));
        }
    }

    #[test]
    fn greetings_and_proofs_from_strangers_are_bounded_errors() {
        assert!(parse_hello(b"GET / HTTP/1.0\r\n\r\n").is_err());
        assert!(parse_hello(&[0u8; HELLO_BYTES]).is_err());
        let (index, purpose, challenge) = parse_hello(&hello(3, Purpose::Liveness, &[7; NONCE_BYTES])).unwrap();
        assert_eq!((index, purpose, challenge), (3, Purpose::Liveness, [7; NONCE_BYTES]));
        let mut unknown = hello(3, Purpose::Data, &[7; NONCE_BYTES]);
        unknown[16] = 9;
        assert!(parse_hello(&unknown).is_err());
        // A proof announcing 2^64 - 1 tags is refused before anything is allocated.
        let huge = u64::MAX.to_le_bytes();
        assert!(read_proof(&mut &huge[..]).is_err());
        let short = proof_bytes(&[1, 2, 3]);
        assert!(read_proof(&mut &short[..short.len() - 1]).is_err());
        assert_eq!(read_proof(&mut &short[..]).unwrap(), [1, 2, 3]);
    }

    fn peers_at<'a>(hosts: &'a [String], me: usize, agreement: &'a Agreement) -> Peers<'a> {
        Peers { hosts, me, agreement }
    }

    #[test]
    fn an_impostor_without_the_key_is_dropped_and_a_peer_with_another_key_is_refused() {
        let hosts = crate::cluster::loopback_hosts(2);
        let ours = agreement(b"sixteen byte key", "a.csv");
        let first = std::thread::spawn({
            let (hosts, ours) = (hosts.clone(), ours.clone());
            move || connect(&peers_at(&hosts, 0, &ours), Duration::from_secs(10)).map(|c| c.data.len())
        });
        // The impostor greets correctly, as process 1, but proves no key; it is dropped.
        let mut stream = loop {
            match TcpStream::connect(&hosts[0]) {
                Ok(s) => break s,
                Err(_) => std::thread::sleep(Duration::from_millis(20)),
            }
        };
        stream.write_all(&hello(1, Purpose::Data, &nonce())).unwrap();
        let (index, _, challenge) = read_hello(&mut stream).unwrap();
        assert_eq!(index, 0);
        read_proof(&mut stream).unwrap();
        let unkeyed = agreement(b"", "a.csv");
        stream.write_all(&proof_bytes(&unkeyed.proof(1, &challenge))).unwrap();
        let mut rest = Vec::new();
        let _ = stream.read_to_end(&mut rest);
        assert!(rest.is_empty(), "nothing more is said to an impostor");
        // A peer holding another key is told so; the real one then joins.
        let other = agreement(b"another key here", "a.csv");
        let e = connect(&peers_at(&hosts, 1, &other), Duration::from_secs(3)).unwrap_err().to_string();
        assert!(e.contains("did not prove the cluster key"), "{e}");
        let joined = connect(&peers_at(&hosts, 1, &ours), Duration::from_secs(10)).unwrap();
        assert_eq!((joined.data.len(), joined.liveness.len()), (2, 2));
        assert!(joined.data[0].is_some() && joined.liveness[0].is_some() && joined.data[1].is_none());
        assert_eq!(first.join().unwrap().unwrap(), 2);
    }
}
