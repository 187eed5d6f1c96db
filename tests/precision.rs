//! Scoring against a ground truth: on generated networks built under different assumptions
//! (the robustness matrix, `backscratch::evaluate::robustness_variants`), the findings at
//! medium or above must recall the planted trades and flag (almost) no honest colleagues.

use backscratch::evaluate::{measure, robustness_variants, Metrics};
use backscratch::generate::GenerateConfig;

/// CI-sized (the matrix's own size, a tenth of a second per scan): 4,000 people, three seeds.
const PEOPLE: usize = 4_000;
const SEEDS: [u64; 3] = [1, 2, 3];

fn run(config: GenerateConfig, max_len: Option<usize>) -> Metrics {
    let dir = tempfile::tempdir().unwrap();
    measure(config, dir.path(), max_len).unwrap().0
}

#[test]
fn every_variant_meets_the_targets() {
    // Including 15% private histories, the worst variant: a trade with someone whose history
    // is not on file cannot be shown to be between strangers, so timing, the texts and
    // hollow claims (an uncheckable relationship stated in stock praise) must find it.
    let (matrix, _) = robustness_variants(PEOPLE);
    assert!(
        matrix.iter().any(|v| v.config.missing_histories >= 0.15),
        "the private-histories variant is in the matrix"
    );
    for variant in &matrix {
        for seed in SEEDS {
            let m = run(GenerateConfig { seed, ..variant.config }, variant.max_len);
            let case = format!("{} seed {seed}: {m:?}", variant.name);
            assert!(m.trades > 60 && m.honest_pairs > 500, "{case}");
            assert!(m.recall() >= 0.95, "recall {}; {case}", m.recall());
            assert!(m.precision() >= 0.95, "precision {}; {case}", m.precision());
            assert!(m.case_recall() >= 0.95, "case recall {}; {case}", m.case_recall());
            assert!(m.case_precision() >= 0.95, "case precision {}; {case}", m.case_precision());
            assert!(m.honest_pairs_flagged_share() <= 0.02, "honest pairs {}; {case}", m.honest_pairs_flagged_share());
            assert!(m.honest_groups_flagged * 50 <= m.honest_groups, "honest groups flagged; {case}");
        }
    }
}
