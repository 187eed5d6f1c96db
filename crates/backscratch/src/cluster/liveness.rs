//! Liveness: every pair of processes keeps a second connection (see
//! [`super::mesh::Purpose::Liveness`]) on which each side writes a byte a second from a thread
//! of its own, whatever its workers are doing. A peer that is heard from on it for no
//! `silence` (stopped by SIGSTOP, a frozen machine, a cable cut without a reset) ends this
//! process with exit code 2 and a message naming it, instead of a hang. A peer that closes
//! the connection has ended, normally or not: how is told by the data connection (see
//! [`super::exchange::watch_peers`]), so the watch just stops.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// How often a process says it is alive.
pub(crate) const BEAT: Duration = Duration::from_secs(1);

/// The least silence taken as a lost peer: ten missed beats, so that a busy machine is not
/// mistaken for a stopped one.
pub(crate) const MIN_SILENCE: Duration = Duration::from_secs(10);

/// The watch over this process's peers; dropping it (the run is over) stops the beats and the
/// watch, and closes the connections.
#[derive(Debug)]
pub(crate) struct Watch {
    done: Arc<AtomicBool>,
}

impl Drop for Watch {
    fn drop(&mut self) {
        self.done.store(true, Ordering::Relaxed);
    }
}

/// Beat on every connection in `liveness` (`liveness[i]` goes to process `i`, named by
/// `hosts[i]`) and watch each for a silence of `silence` (at least [`MIN_SILENCE`]).
pub(crate) fn watch(
    liveness: Vec<Option<TcpStream>>,
    hosts: &[String],
    me: usize,
    silence: Duration,
) -> std::io::Result<Watch> {
    let silence = silence.max(MIN_SILENCE);
    let done = Arc::new(AtomicBool::new(false));
    let mut writers = Vec::new();
    for (peer, stream) in liveness.into_iter().enumerate() {
        let Some(stream) = stream else { continue };
        writers.push(stream.try_clone()?);
        // Woken once a beat to see whether the run is over; silent for `silence` is lost.
        stream.set_read_timeout(Some(BEAT))?;
        let name = format!("process {peer} ({})", hosts.get(peer).map_or("?", String::as_str));
        let done = Arc::clone(&done);
        std::thread::Builder::new()
            .name(format!("backscratch:alive-{peer}"))
            .spawn(move || listen(stream, &done, silence, me, &name))?;
    }
    let beating = Arc::clone(&done);
    std::thread::Builder::new().name("backscratch:beat".into()).spawn(move || {
        while !beating.load(Ordering::Relaxed) && !writers.is_empty() {
            // A peer that has gone makes its write fail: it needs no more beats.
            writers.retain_mut(|w| w.write_all(&[1]).is_ok());
            std::thread::sleep(BEAT);
        }
    })?;
    Ok(Watch { done })
}

/// Read beats from one peer until it closes, the run ends, or it is silent for `silence`.
fn listen(mut stream: TcpStream, done: &AtomicBool, silence: Duration, me: usize, name: &str) {
    let mut buf = [0u8; 64];
    let mut heard = std::time::Instant::now();
    while !done.load(Ordering::Relaxed) {
        match stream.read(&mut buf) {
            Ok(0) => return,
            Ok(_) => heard = std::time::Instant::now(),
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {}
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return,
        }
        if heard.elapsed() >= silence && !done.load(Ordering::Relaxed) {
            eprintln!(
                "backscratch: error: cluster: process {me}: lost {name}: not a sign of life for {:.0} s (stopped, \
                 frozen or cut off; the limit is --connect-timeout, at least {:.0} s); stopping",
                heard.elapsed().as_secs_f64(),
                MIN_SILENCE.as_secs_f64()
            );
            std::process::exit(2);
        }
    }
}
