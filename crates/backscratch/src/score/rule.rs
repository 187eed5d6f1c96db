//! The severity rule (`evidence-v3`): which checks fire for a finding's [`Facts`], how many
//! points each is worth, and how the sum maps to a score and a severity. This is the only
//! place where weights and thresholds live; `docs/severity-rule.md` and `params.severity_rule` quote it.
//!
//! What changed from `evidence-v1`: an exchange, cycle or club between *strangers* (every
//! recommendation in it between two people whose histories are on file and never overlapped
//! at an employer, none stating a relationship that is not about an employer) is at least
//! medium on its own (`uncorroborated` +30 and `strangers` +15): that is the trade the tool
//! exists to find, and v1 let it depend on a dataset-relative time signal, which a platform
//! that prompts honest colleagues to "return the favour" the same day defeats. High now needs
//! a second, independent piece of evidence besides the histories (structure, time, texts,
//! concentration or group shape), and still never happens without histories.
//!
//! What changed from `evidence-v2`: a *hollow claim* (a stated relationship nothing can
//! check, in a text of stock praise; see [`super::corroboration`]) counts neither way, where
//! v2 let it cancel a finding as corroboration; and `stock_only` (+15) fires when every
//! recommendation is stock praise and random texts of the data would all be so less than 1%
//! of the time. Together they find trades with someone whose history is private, which v2
//! could not show to be between strangers and left low.

use super::corroboration::Tally;
use super::{FindingKind, Severity};

/// The name of the rule, echoed in the report's `params`.
pub const RULE: &str = "evidence-v3";

/// The rule in one line, echoed in `params.severity_rule`.
pub const RULE_TEXT: &str = "evidence-v3: structure +25, time +20, uncorroborated +30, strangers +15, \
relationship_contradicted +15, text_similarity +10, generic_text +10, stock_praise_only +15, concentration +10, \
group_shape +10, corroborated -40 (hollow claims count neither way); score = sum clamped to 0..100; high >= 70 (only if uncorroborated or relationship_contradicted fired, another \
signal than those fired too, and no edge is an endorsement), medium >= 45, low >= 20, else info";

/// Score at or above which a finding is high (given corroboration evidence).
pub(crate) const HIGH: i32 = 70;
/// Score at or above which a finding is medium.
pub(crate) const MEDIUM: i32 = 45;
/// Score at or above which a finding is low.
pub(crate) const LOW: i32 = 20;
/// A member's given (or received) recommendations are judged only from this many on.
pub(crate) const ACTIVITY_FLOOR: u32 = 3;
/// A member is concentrated when at least this share of a role's recommendations is inside.
pub(crate) const CONCENTRATION_SHARE: f64 = 0.5;
/// `stock_only` fires when random texts of the data would all be stock praise less often
/// than this.
pub(crate) const STOCK_CHANCE: f64 = 0.01;
/// Group shape fires at or above this density and insularity.
pub(crate) const SHAPE_MIN: f64 = 0.5;

/// One check of the rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// A cycle or ring of three or more people.
    Structure,
    /// Reciprocated fast, or the ring's dates are tight.
    Time,
    /// Most recommendations have no working relationship on record.
    Uncorroborated,
    /// Every recommendation is between people whose histories are on file and never
    /// overlapped, none stating a relationship that is not about an employer.
    Strangers,
    /// A claimed working relationship is ruled out by the histories.
    Contradicted,
    /// Most recommendations are backed by a working relationship (lowers the score).
    Corroborated,
    /// The texts are alike beyond what random pairs of the data are.
    TextSimilarity,
    /// Most texts are stock praise.
    GenericText,
    /// Every recommendation is stock praise, which random texts of the data all are by chance
    /// less than [`STOCK_CHANCE`] of the time.
    StockOnly,
    /// Members' recommendations are concentrated inside the finding.
    Concentration,
    /// A dense group that mostly recommends itself.
    GroupShape,
}

/// How many checks the rule has.
pub(crate) const CHECKS: usize = 11;

impl Check {
    /// Every check, in the order signals are listed.
    pub const ALL: [Check; CHECKS] = [
        Check::Structure,
        Check::Time,
        Check::Corroborated,
        Check::Uncorroborated,
        Check::Strangers,
        Check::Contradicted,
        Check::TextSimilarity,
        Check::GenericText,
        Check::StockOnly,
        Check::Concentration,
        Check::GroupShape,
    ];

    /// Points added when the check fires.
    pub fn points(self) -> i32 {
        match self {
            Check::Structure => 25,
            Check::Time => 20,
            Check::Uncorroborated => 30,
            Check::Contradicted | Check::Strangers | Check::StockOnly => 15,
            Check::Corroborated => -40,
            Check::TextSimilarity | Check::GenericText | Check::Concentration | Check::GroupShape => 10,
        }
    }
}

/// What is known about one finding, in numbers: everything the rule looks at.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Facts {
    /// Pair, cycle or ring.
    pub kind: FindingKind,
    /// People in it.
    pub members: u32,
    /// Recommendations in it.
    pub edges: u32,
    /// Time to reciprocate (pair) or span of dates (cycle, ring), seconds; `None` if undated.
    pub time: Option<i64>,
    /// Whether that time is fast/tight against the window and the dataset.
    pub fast: bool,
    /// Backing of its recommendations.
    pub backing: Tally,
    /// Recommendations with a text.
    pub texts: u32,
    /// Generic texts among them.
    pub generic: u32,
    /// Whether generic texts are rare enough in the data to mean something.
    pub generic_meaningful: bool,
    /// The chance that as many random texts of the data as this finding has would all be
    /// stock praise (the data's share to the power of the texts; 1 without texts).
    pub stock_chance: f64,
    /// Mean pairwise text similarity, if two or more texts.
    pub similarity: Option<f64>,
    /// Whether that similarity is beyond the dataset's random pairs.
    pub similar: bool,
    /// Members active enough in a role to be judged.
    pub judged: u32,
    /// Members with most of a role's recommendations inside the finding.
    pub concentrated: u32,
    /// Edges / possible edges among the members.
    pub density: f64,
    /// Edges inside / all edges touching the members.
    pub insularity: f64,
    /// Edges that are endorsements (a click, not a written testimonial): such a finding is at
    /// most medium.
    pub endorsements: u32,
}

/// The rule's outcome for one finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    /// 0..=100.
    pub score: u8,
    /// From the score (and the high gate).
    pub severity: Severity,
    /// Which checks fired, parallel to [`Check::ALL`].
    pub fired: [bool; CHECKS],
}

impl Outcome {
    /// Whether `check` fired.
    pub fn fired(&self, check: Check) -> bool {
        Check::ALL.iter().position(|&c| c == check).is_some_and(|i| self.fired[i])
    }
}

/// Whether `check` fires for `f`.
pub(crate) fn fires(check: Check, f: &Facts) -> bool {
    match check {
        Check::Structure => f.kind != FindingKind::Pair && f.members >= 3,
        Check::Time => f.fast,
        Check::Uncorroborated => f.backing.mostly_uncorroborated(),
        Check::Strangers => f.backing.total() > 0 && f.backing.against() == f.backing.total(),
        Check::Contradicted => f.backing.contradicted > 0,
        Check::Corroborated => f.backing.mostly_corroborated(),
        Check::TextSimilarity => f.similar,
        Check::GenericText => f.generic_meaningful && f.texts > 0 && 2 * f.generic > f.texts,
        Check::StockOnly => {
            f.generic_meaningful
                && f.texts >= 2
                && f.texts == f.edges
                && f.generic == f.texts
                && f.stock_chance < STOCK_CHANCE
        }
        Check::Concentration => f.concentrated >= 2 && 2 * f.concentrated >= f.members,
        Check::GroupShape => f.kind == FindingKind::Ring && f.density >= SHAPE_MIN && f.insularity >= SHAPE_MIN,
    }
}

/// Apply the rule.
pub(crate) fn evaluate(f: &Facts) -> Outcome {
    let mut fired = [false; CHECKS];
    let mut sum = 0;
    for (i, &check) in Check::ALL.iter().enumerate() {
        if fires(check, f) {
            fired[i] = true;
            sum += check.points();
        }
    }
    let score = sum.clamp(0, 100);
    let is = |check: Check| Check::ALL.iter().position(|&c| c == check).is_some_and(|i| fired[i]);
    let evidence_against = is(Check::Uncorroborated) || is(Check::Contradicted);
    // High needs a second piece of evidence that does not come from the histories.
    let independent = [
        Check::Structure,
        Check::Time,
        Check::TextSimilarity,
        Check::GenericText,
        Check::StockOnly,
        Check::Concentration,
        Check::GroupShape,
    ]
    .into_iter()
    .any(is);
    let severity = match score {
        s if s >= HIGH && evidence_against && independent && f.endorsements == 0 => Severity::High,
        s if s >= MEDIUM => Severity::Medium,
        s if s >= LOW => Severity::Low,
        _ => Severity::Info,
    };
    Outcome { score: score as u8, severity, fired }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(kind: FindingKind) -> Facts {
        Facts {
            kind,
            members: if kind == FindingKind::Pair { 2 } else { 3 },
            edges: if kind == FindingKind::Pair { 2 } else { 3 },
            time: None,
            fast: false,
            backing: Tally::default(),
            texts: 0,
            generic: 0,
            generic_meaningful: true,
            stock_chance: 1.0,
            similarity: None,
            similar: false,
            judged: 0,
            concentrated: 0,
            density: 0.0,
            insularity: 0.0,
            endorsements: 0,
        }
    }

    #[test]
    fn a_pair_alone_is_info_and_a_cycle_alone_is_low() {
        let pair = evaluate(&facts(FindingKind::Pair));
        assert_eq!((pair.score, pair.severity), (0, Severity::Info));
        let cycle = evaluate(&facts(FindingKind::Cycle));
        assert_eq!((cycle.score, cycle.severity), (25, Severity::Low));
        assert!(cycle.fired(Check::Structure) && !cycle.fired(Check::Time));
    }

    #[test]
    fn strangers_alone_are_medium_and_high_needs_a_second_piece() {
        let mut f = facts(FindingKind::Pair);
        f.backing.uncorroborated = 2;
        let o = evaluate(&f);
        assert_eq!((o.score, o.severity), (45, Severity::Medium), "two strangers trading, nothing else");
        assert!(o.fired(Check::Strangers));
        f.backing = Tally { uncorroborated: 1, unknown: 1, ..Tally::default() };
        assert!(!evaluate(&f).fired(Check::Strangers), "one history missing: not shown strangers");
        f.backing = Tally { uncorroborated: 1, claimed: 1, ..Tally::default() };
        assert!(!evaluate(&f).fired(Check::Strangers), "a stated client relationship");
        // A contradicted claim and strangers reach 70 with no independent evidence: medium.
        let mut g = facts(FindingKind::Pair);
        g.backing = Tally { contradicted: 2, ..Tally::default() };
        let o = evaluate(&g);
        assert_eq!((o.score, o.severity), (60, Severity::Medium));
        g.texts = 2;
        g.generic = 2;
        assert_eq!(evaluate(&g).severity, Severity::High, "stock praise is the second piece");
        let mut cycle = facts(FindingKind::Cycle);
        cycle.backing.uncorroborated = 3;
        assert_eq!(evaluate(&cycle).severity, Severity::High, "a ring of strangers");
    }

    #[test]
    fn fast_uncorroborated_pair_is_medium_and_corroboration_cancels_it() {
        let mut f = facts(FindingKind::Pair);
        f.fast = true;
        f.backing = Tally { uncorroborated: 1, unknown: 1, ..Tally::default() };
        assert_eq!(evaluate(&f).severity, Severity::Medium);
        f.texts = 2;
        f.generic = 2;
        f.similar = true;
        assert_eq!(evaluate(&f).severity, Severity::High);
        f.backing = Tally { employment: 2, ..Tally::default() };
        assert_eq!(evaluate(&f).severity, Severity::Info);
    }

    #[test]
    fn an_endorsement_keeps_a_finding_below_high() {
        let mut f = facts(FindingKind::Cycle);
        f.fast = true;
        f.backing.uncorroborated = 3;
        assert_eq!(evaluate(&f).severity, Severity::High);
        f.endorsements = 1;
        let capped = evaluate(&f);
        assert_eq!((capped.score, capped.severity), (90, Severity::Medium), "same score, weaker verdict");
    }

    #[test]
    fn high_needs_evidence_against_not_just_unknown() {
        let mut f = facts(FindingKind::Ring);
        f.members = 6;
        f.fast = true;
        f.texts = 6;
        f.generic = 6;
        f.similar = true;
        f.concentrated = 6;
        f.density = 1.0;
        f.insularity = 0.9;
        f.backing.unknown = 30;
        let o = evaluate(&f);
        assert_eq!((o.score, o.severity), (85, Severity::Medium));
        f.backing = Tally { contradicted: 1, unknown: 29, ..Tally::default() };
        assert_eq!(evaluate(&f).severity, Severity::High);
    }

    #[test]
    fn stock_only_needs_every_recommendation_stock_and_a_rare_chance() {
        let mut f = facts(FindingKind::Pair);
        f.fast = true;
        f.texts = 2;
        f.generic = 2;
        f.stock_chance = 0.06 * 0.06;
        let o = evaluate(&f);
        assert!(o.fired(Check::StockOnly) && o.fired(Check::GenericText));
        assert_eq!((o.score, o.severity), (45, Severity::Medium), "a fast exchange of stock praise, nothing checkable");
        f.stock_chance = 0.4 * 0.4;
        assert!(!fires(Check::StockOnly, &f), "stock praise is common in this data");
        f.stock_chance = 0.0036;
        f.generic = 1;
        assert!(!fires(Check::StockOnly, &f), "one specific text");
        f.texts = 1;
        f.stock_chance = 0.06;
        assert!(!fires(Check::StockOnly, &f), "a recommendation without a text");
    }

    #[test]
    fn generic_needs_a_majority_and_a_meaningful_baseline() {
        let mut f = facts(FindingKind::Pair);
        f.texts = 2;
        f.generic = 1;
        assert!(!fires(Check::GenericText, &f));
        f.generic = 2;
        assert!(fires(Check::GenericText, &f));
        f.generic_meaningful = false;
        assert!(!fires(Check::GenericText, &f));
    }
}
