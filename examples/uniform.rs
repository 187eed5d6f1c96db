//! Writes a uniform random directed graph as a CSV edge list (`from,to`, names `p<number>`)
//! to standard output, for the scale benchmark (`benches/scale.py`).
//!
//! `cargo run --release --example uniform -- EDGES PEOPLE [SEED] > edges.csv`
//!
//! The same arguments give the same bytes on every platform (splitmix64). Self-loops and
//! repeated edges are left in, as real exports have them; the scan accounts for both.

use std::io::{BufWriter, Write};

/// splitmix64, as in the library's generator.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let number = |i: usize, default: Option<u64>| -> u64 {
        match args.get(i) {
            Some(a) => a.replace('_', "").parse().unwrap_or_else(|_| usage()),
            None => default.unwrap_or_else(|| usage()),
        }
    };
    let (edges, people, seed) = (number(0, None), number(1, None), number(2, Some(1)));
    if people == 0 {
        usage();
    }
    let mut rng = SplitMix(seed);
    let mut out = BufWriter::with_capacity(1 << 20, std::io::stdout().lock());
    writeln!(out, "from,to")?;
    let mut line = Vec::with_capacity(32);
    for _ in 0..edges {
        let (a, b) = (rng.next() % people, rng.next() % people);
        line.clear();
        line.push(b'p');
        push_number(&mut line, a);
        line.extend_from_slice(b",p");
        push_number(&mut line, b);
        line.push(b'\n');
        out.write_all(&line)?;
    }
    out.flush()
}

fn push_number(line: &mut Vec<u8>, mut n: u64) {
    let start = line.len();
    loop {
        line.push(b'0' + (n % 10) as u8);
        n /= 10;
        if n == 0 {
            break;
        }
    }
    line[start..].reverse();
}

fn usage() -> ! {
    eprintln!("usage: uniform EDGES PEOPLE [SEED] > edges.csv");
    std::process::exit(2)
}
