//! Talking to the other processes: the timely worker of this process, and collective
//! operations on it. [`Node::exchange`] is the one primitive: every process hands over one
//! byte buffer per process and gets one from each; a timely dataflow routes the pieces by
//! destination (an exchange channel) and the call returns when timely's progress tracking
//! says every piece has arrived. Everything else (gathering, broadcasting, agreeing on
//! errors and the exit code) is built on it. Every process must make the same calls in the
//! same order.

use std::cell::RefCell;
use std::net::TcpStream;
use std::rc::Rc;

use timely::communication::allocator::AllocatorBuilder;
use timely::dataflow::channels::pact::Exchange;
use timely::dataflow::operators::generic::Operator;
use timely::dataflow::operators::Input;
use timely::dataflow::InputHandle;
use timely::worker::Worker;
use timely_communication::allocator::zero_copy::initialize::initialize_networking_from_sockets;
use timely_communication::allocator::ProcessBuilder;
use timely_communication::Hooks;

use super::wire::Writer;
use crate::error::{Error, Result};

/// Pieces of about this many bytes travel in one message.
pub(crate) const PIECE: usize = 1 << 20;

/// Bytes a process sends per round of a streaming exchange (see [`Node::stream`]).
pub(crate) const ROUND: usize = 16 << 20;

/// This process's view of the cluster: its index, how many there are, and the collective
/// operations.
pub struct Node<'w> {
    worker: &'w mut Worker,
}

/// One piece on the wire: destination, source, sequence number within the source's buffer
/// for that destination, bytes.
type Piece = (u64, u64, u64, Bytes);

/// A piece's bytes, serialized as one byte string. Timely encodes what crosses processes with
/// bincode, which writes a plain `Vec<u8>` as a sequence, one call per byte: that made
/// encoding and decoding the pieces the largest single cost of a two-process count (13 % of
/// its CPU), where a byte string is one length and one copy.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Bytes(Vec<u8>);

impl serde::Serialize for Bytes {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.serialize_bytes(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Bytes {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Bytes;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a byte string")
            }
            fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> std::result::Result<Bytes, E> {
                Ok(Bytes(v.to_vec()))
            }
            fn visit_byte_buf<E: serde::de::Error>(self, v: Vec<u8>) -> std::result::Result<Bytes, E> {
                Ok(Bytes(v))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Bytes, A::Error> {
                let mut v = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(PIECE));
                while let Some(b) = seq.next_element()? {
                    v.push(b);
                }
                Ok(Bytes(v))
            }
        }
        deserializer.deserialize_byte_buf(Visitor)
    }
}

impl Node<'_> {
    /// This process's index.
    pub fn index(&self) -> usize {
        self.worker.index()
    }

    /// How many processes take part.
    pub fn peers(&self) -> usize {
        self.worker.peers()
    }

    /// Send `out[j]` to process `j` (for every `j`, this one included) and return what every
    /// process sent to this one, indexed by sender.
    pub fn exchange(&mut self, out: Vec<Vec<u8>>) -> Vec<Vec<u8>> {
        let peers = self.peers();
        assert_eq!(out.len(), peers, "one buffer per process");
        let mut pieces: Vec<(usize, u64, Vec<u8>)> = Vec::new();
        let planned = out.iter().map(Vec::len).sum();
        let mut outbox = self.stream(planned, |source, seq, bytes| {
            pieces.push((source, seq, bytes.to_vec()));
            Ok(())
        });
        for (dest, bytes) in out.into_iter().enumerate() {
            for chunk in bytes.chunks(PIECE) {
                outbox.piece(dest, chunk.to_vec());
            }
        }
        outbox.finish().expect("collecting pieces cannot fail");
        pieces.sort_unstable_by_key(|p| (p.0, p.1));
        let mut sizes = vec![0usize; peers];
        for p in &pieces {
            sizes[p.0] += p.2.len();
        }
        let mut from: Vec<Vec<u8>> = sizes.into_iter().map(Vec::with_capacity).collect();
        for (source, _, bytes) in pieces {
            from[source].extend_from_slice(&bytes);
        }
        from
    }

    /// Start an all-to-all exchange that streams: records written with `Outbox::push`
    /// leave in pieces of about `PIECE` bytes while they are written, and every piece that
    /// arrives is handed to `consume(source, sequence number, bytes)` at once. A piece holds
    /// whole records; pieces from one source come in any order (the sequence number tells
    /// their order where it matters).
    ///
    /// What is in flight is bounded: every process says how many bytes it plans to send
    /// (`planned`, a close estimate will do), and the exchange runs in as many rounds as the
    /// largest plan needs at `ROUND` bytes a round; a round ends when timely's progress
    /// tracking says all of it has arrived. Without rounds, timely buffers what the workers
    /// hand it faster than it is sent and taken in: the 10M-edge count on 2 processes peaked at
    /// 466 MiB a process while its degree messages were in flight, and at 306 with rounds.
    pub fn stream<C>(&mut self, planned: usize, consume: C) -> Outbox<'_, C>
    where
        C: FnMut(usize, u64, &[u8]) -> Result<()>,
    {
        let peers = self.peers();
        let largest = self.all_gather_u64(planned as u64).into_iter().max().unwrap_or(0);
        let rounds = (largest as usize).div_ceil(ROUND).max(1);
        let mut outbox = Outbox {
            me: self.index() as u64,
            worker: &mut *self.worker,
            input: None,
            received: Rc::new(RefCell::new(Vec::new())),
            open: (0..peers).map(|_| Writer::default()).collect(),
            seq: vec![0; peers],
            sent: 0,
            rounds_left: rounds,
            quota: planned.div_ceil(rounds).max(1),
            this_round: 0,
            consume,
            failed: None,
        };
        outbox.start_round();
        outbox
    }

    /// Sum each of `mine` over all processes (one exchange however many numbers).
    pub(crate) fn sum_all(&mut self, mine: &[u64]) -> Result<Vec<u64>> {
        let bytes: Vec<u8> = mine.iter().flat_map(|n| n.to_le_bytes()).collect();
        let mut sums = vec![0u64; mine.len()];
        for theirs in self.all_gather(bytes) {
            if theirs.len() != 8 * mine.len() {
                return Err(Error::Cluster("a peer sent counts of another length".into()));
            }
            for (sum, chunk) in sums.iter_mut().zip(theirs.chunks_exact(8)) {
                *sum += u64::from_le_bytes(chunk.try_into().expect("8 bytes"));
            }
        }
        Ok(sums)
    }

    /// Every process's `mine`, indexed by process, over a plain one-round exchange.
    pub fn all_gather_u64(&mut self, mine: u64) -> Vec<u64> {
        let received: Rc<RefCell<Vec<Piece>>> = Rc::new(RefCell::new(Vec::new()));
        let mut input = dataflow(self.worker, &received);
        for dest in 0..self.peers() {
            input.send((dest as u64, self.index() as u64, 0, Bytes(mine.to_le_bytes().to_vec())));
        }
        drop(input);
        while self.worker.has_dataflows() {
            self.worker.step_or_park(None);
        }
        let got = std::mem::take(&mut *received.borrow_mut());
        got.iter().filter_map(|p| p.3 .0.as_slice().try_into().ok().map(u64::from_le_bytes)).collect()
    }

    /// Every process's `mine`, indexed by process.
    pub fn all_gather(&mut self, mine: Vec<u8>) -> Vec<Vec<u8>> {
        let out = vec![mine; self.peers()];
        self.exchange(out)
    }

    /// Every process's `mine` at process 0, indexed by process (nothing elsewhere).
    pub fn gather(&mut self, mine: Vec<u8>) -> Vec<Vec<u8>> {
        let mut out = vec![Vec::new(); self.peers()];
        out[0] = mine;
        self.exchange(out)
    }

    /// Process 0's `value` in every process (`value` is ignored elsewhere).
    pub fn broadcast(&mut self, value: Vec<u8>) -> Vec<u8> {
        let out = if self.index() == 0 { vec![value; self.peers()] } else { vec![Vec::new(); self.peers()] };
        self.exchange(out).swap_remove(0)
    }

    /// Agree on the outcome of a step every process took: if any failed, every process
    /// returns an error (its own, or the first failed peer's, naming it).
    pub fn agree<T>(&mut self, local: Result<T>) -> Result<T> {
        let mine = match &local {
            Ok(_) => Vec::new(),
            Err(e) => e.to_string().into_bytes(),
        };
        let all = self.all_gather(mine);
        match local {
            Err(e) => Err(e),
            Ok(v) => match all.iter().position(|m| !m.is_empty()) {
                None => Ok(v),
                Some(p) => Err(Error::Cluster(format!("process {p} stopped: {}", String::from_utf8_lossy(&all[p])))),
            },
        }
    }
}

/// The sending side of a streaming exchange ([`Node::stream`]); consumes what arrives while
/// it sends.
pub struct Outbox<'a, C> {
    me: u64,
    worker: &'a mut Worker,
    input: Option<Handle>,
    received: Rc<RefCell<Vec<Piece>>>,
    /// The piece being filled for each destination.
    open: Vec<Writer>,
    seq: Vec<u64>,
    sent: usize,
    /// Rounds not yet finished, this one included (every process runs the same number).
    rounds_left: usize,
    /// Bytes this process sends per round.
    quota: usize,
    this_round: usize,
    consume: C,
    failed: Option<Error>,
}

type Handle = InputHandle<u64, timely::container::CapacityContainerBuilder<Vec<Piece>>>;

/// A dataflow that routes pieces to their destination and collects those for this process
/// in `received`; returns its input.
fn dataflow(worker: &mut Worker, received: &Rc<RefCell<Vec<Piece>>>) -> Handle {
    let mut input = Handle::new();
    let sink = Rc::clone(received);
    worker.dataflow::<u64, _, _>(|scope| {
        scope.input_from(&mut input).sink(Exchange::new(|p: &Piece| p.0), "collect", move |(input, _)| {
            input.for_each_stamp(|_, data| {
                let mut got = sink.borrow_mut();
                for batch in data {
                    got.append(batch);
                }
            });
        });
    });
    input
}

impl<C: FnMut(usize, u64, &[u8]) -> Result<()>> Outbox<'_, C> {
    /// Write one record for process `dest` with `write`; the piece leaves once it is full.
    pub fn push(&mut self, dest: usize, write: impl FnOnce(&mut Writer)) {
        write(&mut self.open[dest]);
        if self.open[dest].bytes.len() >= PIECE {
            let bytes = std::mem::take(&mut self.open[dest].bytes);
            self.piece(dest, bytes);
        }
    }

    /// Send one piece (whole records) to `dest`.
    fn piece(&mut self, dest: usize, bytes: Vec<u8>) {
        let input = self.input.as_mut().expect("open until finished");
        let len = bytes.len();
        input.send((dest as u64, self.me, self.seq[dest], Bytes(bytes)));
        self.seq[dest] += 1;
        self.sent += 1;
        self.this_round += len;
        if self.this_round >= self.quota && self.rounds_left > 1 {
            self.end_round();
            self.start_round();
        } else if self.sent.is_multiple_of(8) {
            // Stepping hands the pieces to the network threads and takes in what arrived.
            input.flush();
            self.worker.step();
            self.take_in();
        }
    }

    fn start_round(&mut self) {
        self.input = Some(dataflow(self.worker, &self.received));
        self.this_round = 0;
    }

    /// Close this round's input and wait until everything sent in it has arrived.
    fn end_round(&mut self) {
        drop(self.input.take());
        while self.worker.has_dataflows() {
            self.worker.step_or_park(None);
            self.take_in();
        }
        self.take_in();
        self.rounds_left -= 1;
    }

    /// Hand every piece that arrived to the consumer.
    fn take_in(&mut self) {
        let pieces = std::mem::take(&mut *self.received.borrow_mut());
        for (_, source, seq, bytes) in pieces {
            if self.failed.is_none() {
                if let Err(e) = (self.consume)(source as usize, seq, &bytes.0) {
                    self.failed = Some(e);
                }
            }
        }
    }

    /// Send what is left and wait until every process's pieces for this one have been
    /// consumed; the first error the consumer returned, if any.
    pub fn finish(mut self) -> Result<()> {
        for dest in 0..self.open.len() {
            let bytes = std::mem::take(&mut self.open[dest].bytes);
            if !bytes.is_empty() {
                self.piece(dest, bytes);
            }
        }
        // The rounds this process did not need, so that every process builds as many
        // dataflows.
        while self.rounds_left > 1 {
            self.end_round();
            self.start_round();
        }
        self.end_round();
        self.failed.map_or(Ok(()), Err)
    }
}

/// Start timely over `sockets` (one worker thread in this process) and run `work` on it.
pub(crate) fn run<T, F>(sockets: Vec<Option<TcpStream>>, me: usize, work: F) -> Result<T>
where
    T: Send + 'static,
    F: Fn(&mut Node<'_>) -> T + Send + Sync + 'static,
{
    let hooks = Hooks::default();
    let process = ProcessBuilder::new_typed_vector(1, hooks.refill.clone(), None);
    let (builders, guard) = initialize_networking_from_sockets(process, sockets, me, 1, hooks)
        .map_err(|e| Error::Cluster(format!("process {me}: starting the network: {e}")))?;
    let builders: Vec<AllocatorBuilder> = builders.into_iter().map(AllocatorBuilder::Tcp).collect();
    let guards =
        timely::execute::execute_from(builders, Box::new(guard), timely::WorkerConfig::default(), move |worker| {
            let mut node = Node { worker };
            work(&mut node)
        })
        .map_err(|e| Error::Cluster(format!("process {me}: {e}")))?;
    let mut results = guards.join();
    match results.pop() {
        Some(Ok(v)) => Ok(v),
        Some(Err(e)) => Err(Error::Cluster(format!("process {me}: the worker failed: {e}"))),
        None => Err(Error::Cluster(format!("process {me}: no worker ran"))),
    }
}

/// From now on, a panic in timely's network threads (a peer's connection broke: it died or
/// its machine went away) or in the worker ends this process with exit code 2 and a message
/// naming the peers lost, instead of leaving the others waiting. When one peer dies, the
/// others stop too, so a process often loses several; it waits a moment for all of them to
/// show, so that the message names the first one to go as well.
pub(crate) fn watch_peers(hosts: Vec<String>, me: usize) {
    use std::sync::Mutex;
    static LOST: Mutex<Vec<usize>> = Mutex::new(Vec::new());
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let thread = std::thread::current();
        let name = thread.name().unwrap_or("");
        let what = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("panic");
        let peer = name.strip_prefix("timely:recv-").or_else(|| name.strip_prefix("timely:send-"));
        let lost = |list: &mut Vec<usize>| -> bool {
            let first = list.is_empty();
            if let Some(p) = peer.and_then(|p| p.parse::<usize>().ok()) {
                if !list.contains(&p) {
                    list.push(p);
                }
            }
            first
        };
        if peer.is_some() {
            let first = lost(&mut LOST.lock().unwrap_or_else(std::sync::PoisonError::into_inner));
            if !first {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(500));
            let mut peers = LOST.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone();
            peers.sort_unstable();
            let named: Vec<String> =
                peers.iter().map(|&p| format!("process {p} ({})", hosts.get(p).map_or("?", String::as_str))).collect();
            eprintln!(
                "backscratch: error: cluster: process {me}: lost {}: {}; stopping",
                named.join(" and "),
                what.trim_start_matches("timely communication error: ")
            );
            std::process::exit(2);
        }
        if name.starts_with("timely:work") {
            if !LOST.lock().unwrap_or_else(std::sync::PoisonError::into_inner).is_empty() {
                // A network thread saw the peer go and is about to say so and exit.
                std::thread::sleep(std::time::Duration::from_secs(5));
            }
            eprintln!("backscratch: error: cluster: process {me}: {what}; stopping");
            std::process::exit(2);
        }
        previous(info);
    }));
}
