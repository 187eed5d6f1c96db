//! Scoring against a ground truth: on generated networks the findings at medium or above
//! must recall the planted trades and flag (almost) no honest colleagues.

use backscratch::evaluate::measure;
use backscratch::generate::GenerateConfig;

fn check(people: usize, seed: u64, missing_histories: f64, min_recall: f64) {
    let dir = tempfile::tempdir().unwrap();
    let (m, _) = measure(GenerateConfig { people, seed, missing_histories, ..Default::default() }, dir.path(), Some(5)).unwrap();
    let case = format!("{people} people, seed {seed}, {missing_histories} missing: {m:?}");
    assert!(m.trades > 0, "{case}");
    assert!(m.recall() >= min_recall, "recall {} < {min_recall}; {case}", m.recall());
    assert!(m.precision() >= 0.95, "precision {}; {case}", m.precision());
    assert!(m.honest_pairs > 100, "{case}");
    assert!(m.honest_pairs_flagged_share() <= 0.02, "honest pairs flagged {}; {case}", m.honest_pairs_flagged_share());
    assert!(m.honest_groups_flagged * 50 <= m.honest_groups, "honest teams/client pairs flagged; {case}");
}

#[test]
fn complete_employment_data_meets_the_targets() {
    for (people, seed) in [(2_000, 1), (2_000, 2), (6_000, 3)] {
        check(people, seed, 0.0, 0.95);
    }
}

#[test]
fn private_histories_cost_recall_but_not_precision() {
    // A trade between people without a history on file cannot be shown uncorroborated.
    check(6_000, 1, 0.02, 0.90);
    check(6_000, 1, 0.10, 0.80);
}
