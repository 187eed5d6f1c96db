//! Print `N` eight-byte ASCII names that all start their probe at the same slot of the
//! interner's fast hash (found by inverting its mix): the hash-flooding input of
//! `benches/hostile.py`. With the keyed fallback they cost no more than random names.
//!
//! `cargo run --release --example colliding_names -- 250000 > names.txt`

fn inverse(a: u64) -> u64 {
    let mut x = a;
    for _ in 0..6 {
        x = x.wrapping_mul(2u64.wrapping_sub(a.wrapping_mul(x)));
    }
    x
}

fn main() {
    let count: usize = std::env::args().nth(1).and_then(|n| n.parse().ok()).unwrap_or(100_000);
    let (c1, c2) = (inverse(0xff51_afd7_ed55_8ccd), inverse(0xc4ce_b9fe_1a85_ec53));
    let unmix = |mut h: u64| {
        h ^= h >> 33;
        h = h.wrapping_mul(c2);
        h ^= h >> 33;
        h = h.wrapping_mul(c1);
        h ^ (h >> 33)
    };
    let mut found = 0;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for high in 1u64.. {
        let key = unmix((high << 24) | 0x00ab_cdef) ^ 8u64.rotate_left(48);
        let bytes = key.to_le_bytes();
        // Printable, and nothing a CSV reader treats specially.
        if bytes.iter().all(|&b| b.is_ascii_graphic() && !b",\"#;".contains(&b)) {
            use std::io::Write;
            let _ = writeln!(out, "{}", String::from_utf8_lossy(&bytes));
            found += 1;
            if found == count {
                break;
            }
        }
    }
}
