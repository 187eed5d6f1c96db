//! Precision and recall of medium+ findings on generated networks, as a Markdown table.
//!
//! `cargo run --release --example precision [-- --out benches/results/precision.md]`
//!
//! For several sizes and seeds (and runs with private employment histories) it
//! generates a network, scans it with its employment file (cycles up to 5) and compares the
//! findings with the planted truth (see `backscratch::evaluate`).

use backscratch::evaluate::measure;
use backscratch::generate::GenerateConfig;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let out = args.iter().position(|a| a == "--out").and_then(|i| args.get(i + 1));
    let mut cases: Vec<GenerateConfig> = Vec::new();
    // Complete employment data, three seeds per size; then private histories (2 %, the
    // generator's default, and 10 %), whose trades can be neither corroborated nor refuted.
    for people in [2_000, 10_000, 50_000] {
        for seed in 1..=3 {
            cases.push(GenerateConfig { people, seed, missing_histories: 0.0 });
        }
    }
    for people in [2_000, 10_000, 50_000] {
        cases.push(GenerateConfig { people, seed: 1, missing_histories: 0.02 });
    }
    cases.push(GenerateConfig { people: 10_000, seed: 1, missing_histories: 0.10 });
    let mut table = String::from(
        "| people | seed | missing histories | recommendations | planted trades | recall | medium+ findings | precision \
         | honest colleague pairs flagged | honest teams/client pairs flagged | scan s |\n\
         |---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    for config in cases {
        let dir = std::env::temp_dir().join(format!("backscratch-precision-{}-{}", config.people, config.seed));
        let (m, outcome) = measure(config, &dir, 5)?;
        let secs: f64 = outcome.stages.iter().map(|s| s.elapsed.as_secs_f64()).sum();
        let line = format!(
            "| {} | {} | {:.0}% | {} | {} | {:.3} | {} | {:.3} | {}/{} ({:.2}%) | {}/{} | {:.2} |\n",
            config.people,
            config.seed,
            config.missing_histories * 100.0,
            outcome.report.summary.recommendations,
            m.trades,
            m.recall(),
            m.flagged,
            m.precision(),
            m.honest_pairs_flagged,
            m.honest_pairs,
            m.honest_pairs_flagged_share() * 100.0,
            m.honest_groups_flagged,
            m.honest_groups,
            secs
        );
        print!("{line}");
        table.push_str(&line);
        std::fs::remove_dir_all(&dir).ok();
    }
    if let Some(path) = out {
        std::fs::write(path, &table)?;
    }
    Ok(())
}
