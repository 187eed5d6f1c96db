//! What a cluster peer sends: the greeting and proof of the handshake (read from anyone who
//! connects), and the gathered rows process 0 assembles (read from a peer that proved the
//! key, but still never a panic or a reservation its counts claim). The first byte picks the
//! decoder and, for rows, the plan.

use backscratch::cluster::{gather, mesh, share};
use backscratch::ingest::IngestOptions;

fn main() {
    afl::fuzz_nohook!(|data: &[u8]| {
        let Some((&pick, body)) = data.split_first() else { return };
        match pick % 4 {
            0 => {
                let _ = mesh::parse_hello(body);
            }
            1 => {
                let _ = mesh::read_proof(&mut &body[..]);
            }
            _ => {
                let plan = if pick % 4 == 2 {
                    share::Plan::Whole { reader: 0 }
                } else {
                    share::Plan::Split { ranges: vec![0..10, 10..20], first_lines: vec![1, 3] }
                };
                let inputs = share::Inputs {
                    edge_lists: vec!["a.csv".into()],
                    plans: vec![plan],
                    exports: Vec::new(),
                    warnings: Vec::new(),
                };
                // Two peers' messages: the body cut in two at a point the next byte picks.
                let cut = body.first().map_or(0, |&b| usize::from(b) * body.len() / 256);
                let (a, b) = body.split_at(cut);
                let _ = gather::assemble(&[a.to_vec(), b.to_vec()], &inputs, &IngestOptions::default());
            }
        }
    });
}
