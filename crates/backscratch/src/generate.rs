//! A generator of realistic synthetic recommendation networks with a ground truth, to
//! measure how well findings separate trades from honest mutual praise.
//!
//! It writes three CSV files into a folder:
//! - `recommendations.csv` (`recommender,recommendee,date,relationship,text`): honest
//!   recommendations between colleagues whose jobs overlapped (some reciprocated within days,
//!   some project teams in which everyone recommends everyone, and client/supplier pairs across
//!   companies who say so), and planted trades among people who never worked together (pairs a
//!   few days apart, rings of 3 to 5, a dense club, a pair who worked for the same employer in
//!   different years; some falsely claim a working relationship);
//! - `employment.csv` (`name,company,start,end`): every person's jobs (company names spelled
//!   in several ways), except for a share of people with private histories;
//! - `truth.csv` (`label,kind,members`): every planted structure, `trade` or `honest`, with
//!   its members separated by `;`.
//!
//! The same seed gives byte-identical files.

use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::Path;

use crate::ingest::date::format_timestamp;
use crate::rng::Rng;

/// The files [`Network::write`] writes.
pub const FILES: [&str; 3] = ["recommendations.csv", "employment.csv", "truth.csv"];

/// The smallest network generated: fewer people cannot hold the honest structures and the
/// planted trades apart (the command line refuses less, the library rounds up).
pub const MIN_PEOPLE: usize = 100;

/// What to generate. Every assumption the severity rule could lean on is a knob here, so
/// that the rule can be measured on networks built differently from the default
/// (`examples/precision.rs` runs the robustness matrix).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GenerateConfig {
    /// People in the network (at least 100).
    pub people: usize,
    /// Seed of the pseudo-random generator.
    pub seed: u64,
    /// Share of people whose employment history is left out of `employment.csv` (private
    /// profiles): their recommendations can be neither corroborated nor refuted.
    pub missing_histories: f64,
    /// Share of honest reciprocations that come quickly (the rest come 2 weeks to 10 months
    /// later).
    pub honest_quick_share: f64,
    /// Quick honest reciprocations come within this many days (14; a platform that prompts
    /// "return the favour" makes it 1).
    pub honest_quick_days: usize,
    /// Traded pairs reciprocate after `min..=max` days.
    pub trade_lag_days: (usize, usize),
    /// Share of traded texts written to sound specific (a project, a number) instead of
    /// stock praise.
    pub trade_specific_share: f64,
    /// Share of honest texts that are stock praise.
    pub honest_stock_share: f64,
    /// Honest client/vendor pairs (across companies, saying so) per 1,000 people.
    pub clients_per_1000: f64,
    /// People in the trading club.
    pub club_size: usize,
    /// Share of the club's ordered pairs that recommend (1 = everyone recommends everyone;
    /// below that some members may only receive).
    pub club_density: f64,
    /// Sizes of planted trading rings, `min..=max` (one ring per 150 people, sizes cycling).
    pub ring_sizes: (usize, usize),
}

impl Default for GenerateConfig {
    fn default() -> Self {
        GenerateConfig {
            people: 2000,
            seed: 1,
            missing_histories: 0.02,
            honest_quick_share: 0.33,
            honest_quick_days: 14,
            trade_lag_days: (0, 3),
            trade_specific_share: 0.0,
            honest_stock_share: 0.0,
            clients_per_1000: 5.0,
            club_size: 6,
            club_density: 1.0,
            ring_sizes: (3, 5),
        }
    }
}

/// One job: who, where, from when to when (Unix seconds).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stint {
    /// Person index.
    pub person: usize,
    /// Company index.
    pub company: usize,
    /// Start, Unix seconds.
    pub start: i64,
    /// End, Unix seconds.
    pub end: i64,
}

/// One generated recommendation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recommendation {
    /// Recommender index.
    pub from: usize,
    /// Recommendee index.
    pub to: usize,
    /// Unix seconds.
    pub created: i64,
    /// Stated relationship ("" for none).
    pub relationship: String,
    /// The text.
    pub text: String,
}

/// A planted structure and whether it is a trade.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Truth {
    /// `trade` or `honest`.
    pub label: &'static str,
    /// `pair`, `ring`, `club`, `team`, `same-employer-pair`.
    pub kind: &'static str,
    /// Member indices (ring members in ring order).
    pub members: Vec<usize>,
}

/// A generated network.
#[derive(Debug, Clone, PartialEq)]
pub struct Network {
    /// Person names, by index.
    pub names: Vec<String>,
    /// Company names, by index.
    pub companies: Vec<String>,
    /// Everyone's jobs.
    pub employment: Vec<Stint>,
    /// Every recommendation.
    pub recommendations: Vec<Recommendation>,
    /// People whose history is not written out.
    pub private: Vec<bool>,
    /// The planted structures.
    pub truth: Vec<Truth>,
}

const DAY: i64 = 86_400;
const YEAR: i64 = 365 * DAY;
/// 2010-01-01T00:00:00Z.
const EPOCH_2010: i64 = 1_262_304_000;

const FIRST: &[&str] = &[
    "Ada", "Bilal", "Chiara", "Dmitri", "Esi", "Farid", "Greta", "Hiro", "Ines", "Jonas", "Kemal", "Lucia", "Mateo",
    "Noor", "Oskar", "Paula", "Quentin", "Rania", "Sven", "Tariq", "Ulla", "Viktor", "Wanjiru", "Ximena", "Yusuf",
    "Zofia",
];
const LAST: &[&str] = &[
    "Abebe", "Brandt", "Castillo", "Dubois", "Eriksen", "Fontaine", "Gallo", "Horvath", "Iqbal", "Jansen", "Kovac",
    "Lindgren", "Moreau", "Nakamura", "Okoro", "Petrov", "Quinn", "Rossi", "Sato", "Tan", "Urbina", "Varga", "Weber",
    "Xu", "Yilmaz", "Zimmer",
];
const COMPANY: &[&str] =
    &["Analytics", "Logistics", "Health", "Robotics", "Payments", "Energy", "Media", "Biotech", "Security", "Retail"];
const PROJECT: &[&str] = &[
    "the billing migration",
    "the demand forecast",
    "our data platform",
    "the mobile checkout",
    "the SOC 2 audit",
    "the warehouse rollout",
    "the pricing study",
    "the incident tooling",
    "the onboarding redesign",
    "the vendor consolidation",
    "the search relevance work",
    "the Kubernetes move",
];
const STRENGTH: &[&str] = &[
    "found the root cause nobody else could",
    "kept the scope honest under pressure",
    "mentored two new hires until they shipped on their own",
    "wrote the runbook we still use",
    "cut the run time of the nightly job",
    "negotiated the vendor contract",
    "rebuilt the test suite",
    "presented the results to the board",
    "untangled a schema nobody wanted to touch",
    "set up the on-call rotation",
];
const OPENING: &[&str] = &["When I joined,", "During", "Throughout", "On", "Over two quarters of", "In the middle of"];
const CLOSING: &[&str] = &[
    "I would hire them again tomorrow.",
    "Any team doing serious data work should want them.",
    "I still copy their review comments.",
    "They made the rest of us better.",
    "We missed them the day they left.",
    "Ask them about the postmortem they wrote.",
];
const GENERIC: &[&str] = &[
    "is a true professional and a pleasure to work with. Highly recommended!",
    "is a results-driven leader with excellent communication skills.",
    "is a dynamic, passionate team player who always goes the extra mile.",
    "brings great energy and expertise to every project. Would recommend without hesitation.",
];
const COLLEAGUE_CLAIMS: &[&str] = &[
    "worked with {} in the same group",
    "managed {} directly",
    "reported directly to {}",
    "worked with {} but on different teams",
];

/// A specific, concrete recommendation: a project, a strength, a number, a closing line.
fn honest_text(rng: &mut Rng, to: &str) -> String {
    format!(
        "{} {} {} {}, and by {}% at that. {}",
        rng.pick(OPENING),
        rng.pick(PROJECT),
        to,
        rng.pick(STRENGTH),
        10 + rng.below(80),
        rng.pick(CLOSING)
    )
}

fn generic_text(rng: &mut Rng, to: &str) -> String {
    format!("{to} {}", rng.pick(GENERIC))
}

fn colleague_claim(rng: &mut Rng, to: &str) -> String {
    rng.pick(COLLEAGUE_CLAIMS).replace("{}", to)
}

/// Generate a network.
pub fn generate(config: GenerateConfig) -> Network {
    let n = config.people.max(MIN_PEOPLE);
    let mut rng = Rng(config.seed);
    let names: Vec<String> =
        (0..n).map(|i| format!("{} {} {}", FIRST[i % FIRST.len()], LAST[(i / FIRST.len()) % LAST.len()], i)).collect();
    // Enough employers that strangers (no shared employer) are easy to find.
    let companies: Vec<String> = (0..(n / 10).max(40))
        .map(|c| format!("{} {} {}", LAST[c % LAST.len()], COMPANY[c % COMPANY.len()], c))
        .collect();

    // Careers: one to four consecutive jobs between 2010 and 2024.
    let mut employment = Vec::new();
    for person in 0..n {
        let mut start = EPOCH_2010 + rng.below(4 * 365) as i64 * DAY;
        for _ in 0..1 + rng.below(4) {
            let end = start + (1 + rng.below(5)) as i64 * YEAR / 2 + rng.below(365) as i64 * DAY;
            employment.push(Stint { person, company: rng.below(companies.len()), start, end });
            start = end + rng.below(90) as i64 * DAY;
        }
    }
    let private = (0..n).map(|_| rng.chance(config.missing_histories)).collect();
    let mut net = Network { names, companies, employment, recommendations: Vec::new(), private, truth: Vec::new() };
    let texts = Texts { trade_specific: config.trade_specific_share, honest_stock: config.honest_stock_share };
    plant_honest(&mut net, &mut rng, &config, texts);
    plant_clients(&mut net, &mut rng, &config);
    plant_trades(&mut net, &mut rng, &config, texts);
    net
}

/// Overlapping stints at one company: `(a, b, overlap start, overlap end, company)`.
fn colleague_pairs(net: &Network) -> Vec<(usize, usize, i64, i64, usize)> {
    let mut by_company: Vec<Vec<&Stint>> = vec![Vec::new(); net.companies.len()];
    for s in &net.employment {
        by_company[s.company].push(s);
    }
    let mut out = Vec::new();
    for (company, stints) in by_company.iter().enumerate() {
        for (i, a) in stints.iter().enumerate() {
            for b in &stints[i + 1..] {
                let (start, end) = (a.start.max(b.start), a.end.min(b.end));
                if a.person != b.person && end - start > 60 * DAY {
                    out.push((a.person, b.person, start, end, company));
                }
            }
        }
    }
    out
}

/// How texts are written: the shares that go against type.
#[derive(Debug, Clone, Copy)]
struct Texts {
    /// Traded texts written to sound specific.
    trade_specific: f64,
    /// Honest texts that are stock praise.
    honest_stock: f64,
}

/// One recommendation. Honest ones are specific (but for a share of stock praise) and
/// usually state the working relationship (three in ten state none); traded ones are stock
/// praise (but for a share written to sound specific), and one in three falsely claims a
/// working relationship.
fn recommend(net: &mut Network, rng: &mut Rng, from: usize, to: usize, created: i64, honest: bool, texts: Texts) {
    let to_name = net.names[to].clone();
    // A share of zero draws nothing, so that the default network stays as it was.
    let against_type = |rng: &mut Rng, share: f64| share > 0.0 && rng.chance(share);
    let (relationship, text) = if honest {
        let claim = if rng.chance(0.3) { String::new() } else { colleague_claim(rng, &to_name) };
        let stock = against_type(rng, texts.honest_stock);
        (claim, if stock { generic_text(rng, &to_name) } else { honest_text(rng, &to_name) })
    } else {
        let claim = if rng.chance(1.0 / 3.0) { colleague_claim(rng, &to_name) } else { String::new() };
        let specific = against_type(rng, texts.trade_specific);
        (claim, if specific { honest_text(rng, &to_name) } else { generic_text(rng, &to_name) })
    };
    net.recommendations.push(Recommendation { from, to, created, relationship, text });
}

/// Honest pairs across companies: a client and a supplier who recommend each other within
/// days, saying so ("was a client of"); the histories show no shared employer, and that is
/// fine.
fn plant_clients(net: &mut Network, rng: &mut Rng, config: &GenerateConfig) {
    let employers = employers_of(net);
    let count = (net.names.len() as f64 * config.clients_per_1000 / 1000.0).round() as usize;
    for _ in 0..count.max(1) {
        let Some(p) = strangers(&employers, rng, 2) else { continue };
        let t = EPOCH_2010 + (3 * 365 + rng.below(11 * 365)) as i64 * DAY;
        for (from, to, at) in [(p[0], p[1], t), (p[1], p[0], t + rng.below(5) as i64 * DAY)] {
            let relationship = format!("{} was a client of {}", net.names[from], net.names[to]);
            let text = honest_text(rng, &net.names[to]);
            net.recommendations.push(Recommendation { from, to, created: at, relationship, text });
        }
        net.truth.push(Truth { label: "honest", kind: "client-pair", members: p });
    }
}

/// The companies each person worked for.
fn employers_of(net: &Network) -> Vec<Vec<usize>> {
    let mut employers: Vec<Vec<usize>> = vec![Vec::new(); net.names.len()];
    for s in &net.employment {
        employers[s.person].push(s.company);
    }
    employers
}

/// Within `group`, a share `density` of the ordered pairs recommend (1: everyone recommends
/// everyone else), within `spread_days` after `start`.
#[allow(clippy::too_many_arguments)]
fn recommend_all(
    net: &mut Network,
    rng: &mut Rng,
    group: &[usize],
    start: i64,
    spread_days: usize,
    honest: bool,
    density: f64,
    texts: Texts,
) {
    for &x in group {
        for &y in group {
            if x != y && (density >= 1.0 || rng.chance(density)) {
                let at = start + rng.below(spread_days) as i64 * DAY;
                recommend(net, rng, x, y, at, honest, texts);
            }
        }
    }
}

/// Honest recommendations between colleagues, some reciprocated quickly, and project teams.
fn plant_honest(net: &mut Network, rng: &mut Rng, config: &GenerateConfig, texts: Texts) {
    let pairs = colleague_pairs(net);
    if pairs.is_empty() {
        return;
    }
    let mut recorded = std::collections::HashSet::new(); // honest pairs already in the truth
    for _ in 0..net.names.len() / 2 {
        let (a, b, start, end, _) = *rng.pick(&pairs);
        let when = start + rng.below(((end - start) / DAY).max(1) as usize) as i64 * DAY;
        recommend(net, rng, a, b, when, true, texts);
        if rng.chance(0.5) {
            // Colleagues often answer quickly (by default a third within two weeks).
            let quick = config.honest_quick_days.max(1);
            let lag = if rng.chance(config.honest_quick_share) { rng.below(quick) } else { quick + rng.below(300) };
            recommend(net, rng, b, a, when + lag as i64 * DAY, true, texts);
            if recorded.insert((a.min(b), a.max(b))) {
                net.truth.push(Truth { label: "honest", kind: "pair", members: vec![a.min(b), a.max(b)] });
            }
        }
    }
    // Project teams: three to five people at one company in the same period, all recommending
    // each other within a month of the project's end.
    for _ in 0..net.names.len() / 200 {
        let (a, _, start, end, company) = *rng.pick(&pairs);
        let mut team: Vec<usize> = net
            .employment
            .iter()
            .filter(|s| s.company == company && s.start <= start && s.end >= end && s.person != a)
            .map(|s| s.person)
            .collect();
        team.sort_unstable();
        team.dedup();
        team.truncate(2 + rng.below(3));
        team.insert(0, a);
        if team.len() < 3 {
            continue;
        }
        recommend_all(net, rng, &team, end, 30, true, 1.0, texts);
        net.truth.push(Truth { label: "honest", kind: "team", members: team });
    }
}

/// `size` people drawn at random, no two of whom ever had the same employer (`None` if the
/// draw keeps failing, which only a network with very few employers makes likely).
/// `employers[p]` lists the companies person `p` worked for.
fn strangers(employers: &[Vec<usize>], rng: &mut Rng, size: usize) -> Option<Vec<usize>> {
    let mut group: Vec<usize> = Vec::with_capacity(size);
    for _ in 0..100 * employers.len() {
        if group.len() == size {
            return Some(group);
        }
        let p = rng.below(employers.len());
        let shares = group.iter().any(|&q| employers[p].iter().any(|c| employers[q].contains(c)));
        if !group.contains(&p) && !shares {
            group.push(p);
        }
    }
    (group.len() == size).then_some(group)
}

/// Planted trades among people who never worked together.
fn plant_trades(net: &mut Network, rng: &mut Rng, config: &GenerateConfig, texts: Texts) {
    let employers = employers_of(net);
    let when = |rng: &mut Rng| EPOCH_2010 + (3 * 365 + rng.below(11 * 365)) as i64 * DAY;
    for _ in 0..(net.names.len() / 100).max(2) {
        let Some(p) = strangers(&employers, rng, 2) else { continue };
        let t = when(rng);
        recommend(net, rng, p[0], p[1], t, false, texts);
        let (min, max) = config.trade_lag_days;
        let at = t + (min + rng.below(max.saturating_sub(min) + 1)) as i64 * DAY;
        recommend(net, rng, p[1], p[0], at, false, texts);
        net.truth.push(Truth { label: "trade", kind: "pair", members: p });
    }
    let (smallest, largest) = config.ring_sizes;
    let sizes = largest.saturating_sub(smallest) + 1;
    for i in 0..(net.names.len() / 150).max(3) {
        let Some(ring) = strangers(&employers, rng, smallest.max(3) + i % sizes) else { continue };
        let t = when(rng);
        for (j, &x) in ring.iter().enumerate() {
            let at = t + rng.below(10) as i64 * DAY;
            recommend(net, rng, x, ring[(j + 1) % ring.len()], at, false, texts);
        }
        net.truth.push(Truth { label: "trade", kind: "ring", members: ring });
    }
    if let Some(club) = strangers(&employers, rng, config.club_size.max(3)) {
        let t = when(rng);
        recommend_all(net, rng, &club, t, 14, false, config.club_density, texts);
        net.truth.push(Truth { label: "trade", kind: "club", members: club });
    }
    // Same employer, different years: the company name matches, the dates do not overlap.
    if let Some(p) = strangers(&employers, rng, 2) {
        let (a, b) = (p[0], p[1]);
        let company = rng.below(net.companies.len());
        net.employment.push(Stint { person: a, company, start: EPOCH_2010, end: EPOCH_2010 + YEAR });
        net.employment.push(Stint { person: b, company, start: EPOCH_2010 + 3 * YEAR, end: EPOCH_2010 + 4 * YEAR });
        let t = when(rng);
        recommend(net, rng, a, b, t, false, texts);
        recommend(net, rng, b, a, t + DAY, false, texts);
        net.truth.push(Truth { label: "trade", kind: "same-employer-pair", members: vec![a, b] });
    }
}

/// Quote a CSV field when it needs it.
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn date(secs: i64) -> String {
    format_timestamp(secs)[..10].to_string()
}

impl Network {
    /// Write [`FILES`] into `dir` (created if
    /// missing).
    pub fn write(&self, dir: &Path) -> io::Result<()> {
        fs::create_dir_all(dir)?;
        let mut recs = String::from("recommender,recommendee,date,relationship,text\n");
        for r in &self.recommendations {
            let _ = writeln!(
                recs,
                "{},{},{},{},{}",
                csv_field(&self.names[r.from]),
                csv_field(&self.names[r.to]),
                format_timestamp(r.created),
                csv_field(&r.relationship),
                csv_field(&r.text)
            );
        }
        let mut jobs = String::from("name,company,start,end\n");
        for (i, s) in self.employment.iter().enumerate().filter(|(_, s)| !self.private[s.person]) {
            // Spelled as people write it: with a legal form, or in capitals, now and then.
            let company = &self.companies[s.company];
            let spelled = match i % 7 {
                0 => format!("{company}, Inc."),
                1 => company.to_uppercase(),
                _ => company.clone(),
            };
            let (name, company) = (csv_field(&self.names[s.person]), csv_field(&spelled));
            let _ = writeln!(jobs, "{name},{company},{},{}", date(s.start), date(s.end));
        }
        let mut truth = String::from("label,kind,members\n");
        for t in &self.truth {
            let members: Vec<&str> = t.members.iter().map(|&m| self.names[m].as_str()).collect();
            let _ = writeln!(truth, "{},{},{}", t.label, t.kind, csv_field(&members.join(";")));
        }
        fs::write(dir.join("recommendations.csv"), recs)?;
        fs::write(dir.join("employment.csv"), jobs)?;
        fs::write(dir.join("truth.csv"), truth)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_network_other_seed_other_network() {
        let a = generate(GenerateConfig { people: 300, seed: 7, ..Default::default() });
        assert_eq!(a, generate(GenerateConfig { people: 300, seed: 7, ..Default::default() }));
        assert_ne!(a, generate(GenerateConfig { people: 300, seed: 8, ..Default::default() }));
    }

    #[test]
    fn plants_every_kind_and_trades_are_between_strangers() {
        let net = generate(GenerateConfig { people: 600, seed: 3, ..Default::default() });
        for kind in ["pair", "ring", "club", "team", "same-employer-pair", "client-pair"] {
            assert!(net.truth.iter().any(|t| t.kind == kind), "no {kind}");
        }
        let overlap = |a: usize, b: usize| {
            let jobs = |p| net.employment.iter().filter(move |s: &&Stint| s.person == p);
            jobs(a).any(|x| jobs(b).any(|y| x.company == y.company && x.start < y.end && y.start < x.end))
        };
        for t in net.truth.iter().filter(|t| t.label == "trade") {
            for (i, &a) in t.members.iter().enumerate() {
                for &b in &t.members[i + 1..] {
                    assert!(!overlap(a, b), "{:?}: {a} and {b} worked together", t.kind);
                }
            }
        }
    }
}
