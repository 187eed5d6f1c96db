//! Who is who across exports. A counterpart in an export is only a name (plus the company
//! and job title of a recommendation, or the profile URL of an endorsement); the owners of
//! the exports are names with employment histories. Mentions are matched by normalised
//! name (case, accents, punctuation, spacing) and then told apart by URL and company:
//!
//! - a mention matches an owner of that name when its company is one the owner worked for,
//!   or when either side has no company to compare;
//! - mentions of people who own no export are one person per profile URL, or per company,
//!   and a mention without URL or company joins the only candidate of its name;
//! - whenever one name is left with more than one person, they are kept apart under names
//!   that say which is which (`Ann Lee (Acme)`), and a warning shows the evidence. Nothing is
//!   merged on a guess.

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap, HashSet};

use crate::keys::{company_key, name_key};
use crate::warning::{Warning, WarningCode};

/// A name without the `(Company)` suffix that keeps namesakes apart (`Sam Park (Globex)` →
/// `Sam Park`); a name that is nothing but such a suffix stays as it is.
pub(crate) fn without_namesake_suffix(name: &str) -> &str {
    let trimmed = name.trim_end();
    match trimmed.strip_suffix(')').and_then(|t| t.rfind(" (").map(|i| &t[..i])) {
        Some(base) if !base.trim().is_empty() => base,
        _ => trimmed,
    }
}

/// A profile URL for matching: no scheme, no `www.`, no query, no trailing slash, lower case
/// (`www.linkedin.com/in/Ann-Lee` = `https://www.linkedin.com/in/ann-lee/`).
pub(crate) fn url_key(url: &str) -> String {
    let u = url.trim().to_lowercase();
    let u = u.split(['?', '#']).next().unwrap_or("");
    let u = u.strip_prefix("https://").or_else(|| u.strip_prefix("http://")).unwrap_or(u);
    let u = u.strip_prefix("www.").unwrap_or(u);
    u.trim_end_matches('/').to_string()
}

/// Namesakes a warning names before it says how many more there are.
const MAX_NAMESAKES_LISTED: usize = 10;

/// One appearance of a person in an export.
#[derive(Debug, Clone, Default)]
pub(crate) struct Mention {
    /// The name as written.
    pub name: String,
    /// Company, if the row gives one.
    pub company: String,
    /// Profile URL, if the row gives one.
    pub url: String,
    /// Where it was seen (`file:line`), for warnings.
    pub seen_at: String,
}

/// An export's owner.
#[derive(Debug, Clone)]
pub(crate) struct Owner {
    /// The name from Profile.csv (or as the user gave it).
    pub name: String,
    /// Companies from Positions.csv, as written, most recent first.
    pub companies: Vec<String>,
    /// The export it came from.
    pub export: String,
}

/// A resolved person.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Who {
    Owner(usize),
    /// An outside person: name key and distinguishing key (`url:..`, `company:..`, or empty).
    Outside(String, String),
}

/// The outcome: a display name per owner and per mention, and the warnings.
#[derive(Debug, Clone, Default)]
pub(crate) struct Resolution {
    /// Display name of each owner.
    pub owners: Vec<String>,
    /// Display name of each mention, in the order given.
    pub mentions: Vec<String>,
    /// One sentence per name shared by different people.
    pub warnings: Vec<Warning>,
}

/// Match every mention to an owner or an outside person, and name everyone uniquely.
pub(crate) fn resolve(owners: &[Owner], mentions: &[Mention]) -> Resolution {
    // Two exports of one person (a zip and its unpacked folder, or an export made twice): the
    // same name and the same employers. They are one owner.
    let mut warnings = Vec::new();
    let employers = |o: &Owner| {
        let mut companies: Vec<String> = o.companies.iter().map(|c| company_key(c)).collect();
        companies.sort();
        companies.dedup();
        companies
    };
    let keys: Vec<String> = owners.iter().map(|o| name_key(&o.name)).collect();
    let mut canonical: Vec<usize> = (0..owners.len()).collect();
    let mut first_of: HashMap<(&str, Vec<String>), usize> = HashMap::new();
    for (i, o) in owners.iter().enumerate().filter(|(_, o)| !o.companies.is_empty()) {
        match first_of.entry((keys[i].as_str(), employers(o))) {
            Entry::Occupied(j) => {
                let j = *j.get();
                canonical[i] = j;
                warnings.push(Warning::new(
                    WarningCode::SamePersonMerged,
                    format!(
                        "{} and {} are exports of the same person ('{}', same employers); read as one",
                        owners[j].export, o.export, o.name
                    ),
                ));
            }
            Entry::Vacant(slot) => {
                slot.insert(i);
            }
        }
    }
    // Each owner's employers as keys, once: a mention is checked against a set, not a list,
    // so 10,000 positions against 10,000 mentions cost 20,000 keys, not 100 million.
    let employer_keys: Vec<HashSet<String>> =
        owners.iter().map(|o| o.companies.iter().map(|c| company_key(c)).collect()).collect();
    let mut owners_by_name: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for i in (0..owners.len()).filter(|&i| canonical[i] == i) {
        owners_by_name.entry(keys[i].clone()).or_default().push(i);
    }
    // First pass: owners, and outside people by URL or company.
    let mut who: Vec<Who> = mentions
        .iter()
        .map(|m| {
            let key = name_key(&m.name);
            let same_name = owners_by_name.get(&key).map_or(&[][..], Vec::as_slice);
            let company = company_key(&m.company);
            let fits = |&&o: &&usize| {
                m.company.is_empty() || owners[o].companies.is_empty() || employer_keys[o].contains(&company)
            };
            let fitting: Vec<&usize> = same_name.iter().filter(fits).collect();
            if fitting.len() == 1 && (same_name.len() == 1 || !m.company.is_empty()) {
                return Who::Owner(*fitting[0]);
            }
            let tell = if !m.url.is_empty() {
                format!("url:{}", url_key(&m.url))
            } else if !m.company.is_empty() {
                format!("company:{}", company_key(&m.company))
            } else {
                String::new()
            };
            Who::Outside(key, tell)
        })
        .collect();
    // Who is known under each name key.
    let mut people: BTreeMap<String, Vec<Who>> = BTreeMap::new();
    for (key, list) in &owners_by_name {
        people.entry(key.clone()).or_default().extend(list.iter().map(|&o| Who::Owner(o)));
    }
    for w in &who {
        if let Who::Outside(key, tell) = w {
            if !tell.is_empty() {
                people.entry(key.clone()).or_default().push(w.clone());
            }
        }
    }
    for list in people.values_mut() {
        list.sort();
        list.dedup();
    }
    // One URL and one company under a name, nothing else: the same outside person.
    let mut merged: BTreeMap<Who, Who> = BTreeMap::new();
    for list in people.values_mut() {
        let urls: Vec<&Who> =
            list.iter().filter(|w| matches!(w, Who::Outside(_, t) if t.starts_with("url:"))).collect();
        let companies: Vec<&Who> =
            list.iter().filter(|w| matches!(w, Who::Outside(_, t) if t.starts_with("company:"))).collect();
        if urls.len() == 1 && companies.len() == 1 && list.len() == 2 {
            merged.insert(companies[0].clone(), urls[0].clone());
            let keep = urls[0].clone();
            list.retain(|w| *w == keep);
        }
    }
    for w in &mut who {
        if let Some(to) = merged.get(w) {
            *w = to.clone();
        }
        // A mention with nothing to tell it apart joins the only person of its name.
        if let Who::Outside(key, tell) = w {
            if tell.is_empty() {
                match people.get(key).map(Vec::as_slice) {
                    Some([only]) => *w = only.clone(),
                    Some([]) | None => {}
                    Some(_) => {} // ambiguous: stays a person of its own, warned below
                }
            }
        }
    }
    for w in &who {
        if let Who::Outside(key, tell) = w {
            if tell.is_empty() {
                let list = people.entry(key.clone()).or_default();
                if !list.contains(w) {
                    list.push(w.clone());
                }
            }
        }
    }

    // Names: the plain name when it is one person; otherwise a telling suffix, and a warning.
    let mut display: BTreeMap<Who, String> = BTreeMap::new();
    // The mentions of each person, in order (first one names an outside person).
    let mut seen_as: BTreeMap<&Who, Vec<&Mention>> = BTreeMap::new();
    for (m, w) in mentions.iter().zip(&who) {
        seen_as.entry(w).or_default().push(m);
    }
    let first_mention = |w: &Who| seen_as.get(w).and_then(|ms| ms.first().copied());
    let plain_name = |w: &Who| -> String {
        match w {
            Who::Owner(o) => owners[*o].name.clone(),
            Who::Outside(..) => first_mention(w).map(|m| m.name.clone()).unwrap_or_default(),
        }
    };
    for list in people.values() {
        if list.len() == 1 {
            display.insert(list[0].clone(), plain_name(&list[0]));
            continue;
        }
        let mut labels = Vec::new();
        for w in list {
            let suffix = match w {
                Who::Owner(o) => match owners[*o].companies.first() {
                    Some(c) => format!("{c}, owner of {}", owners[*o].export),
                    None => format!("owner of {}", owners[*o].export),
                },
                Who::Outside(_, tell) => match (tell.split_once(':'), first_mention(w)) {
                    (Some(("url", u)), _) => u.to_string(),
                    (Some(("company", _)), Some(m)) => m.company.clone(),
                    _ => "no company or URL given".to_string(),
                },
            };
            let name = format!("{} ({suffix})", plain_name(w));
            let seen: Vec<&str> = seen_as.get(w).into_iter().flatten().map(|m| m.seen_at.as_str()).take(3).collect();
            let evidence = if seen.is_empty() { String::new() } else { format!(" seen at {}", seen.join(", ")) };
            labels.push(format!("'{name}'{evidence}"));
            display.insert(w.clone(), name);
        }
        // A warning is a line a person reads: the first few namesakes, and how many more.
        let more = labels.len().saturating_sub(MAX_NAMESAKES_LISTED);
        labels.truncate(MAX_NAMESAKES_LISTED);
        let more = if more > 0 { format!("; and {more} more") } else { String::new() };
        warnings.push(Warning::new(
            WarningCode::SameNameKeptApart,
            format!(
            "{} different people are named '{}' (no matching company or profile URL); kept apart, not merged: {}{more}",
            list.len(),
            plain_name(&list[0]),
            labels.join("; ")
        ),
        ));
    }
    Resolution {
        owners: (0..owners.len()).map(|o| display[&Who::Owner(canonical[o])].clone()).collect(),
        mentions: who.iter().map(|w| display.get(w).cloned().unwrap_or_else(|| plain_name(w))).collect(),
        warnings,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owner(name: &str, companies: &[&str]) -> Owner {
        Owner {
            name: name.into(),
            companies: companies.iter().map(|c| c.to_string()).collect(),
            export: format!("{name}.zip"),
        }
    }

    fn mention(name: &str, company: &str, url: &str) -> Mention {
        Mention { name: name.into(), company: company.into(), url: url.into(), seen_at: "x.csv:2".into() }
    }

    #[test]
    fn keys_fold_case_accents_spacing_and_urls() {
        assert_eq!(name_key("  José  O'Brien "), "jose obrien");
        assert_eq!(name_key("ZOË nakamura"), "zoe nakamura");
        assert_eq!(url_key("www.linkedin.com/in/Ann-Lee"), url_key("https://www.linkedin.com/in/ann-lee/"));
    }

    #[test]
    fn mentions_match_owners_by_name_and_company() {
        let owners = [owner("Ann Lee", &["Acme"]), owner("Bob Ray", &[])];
        let r = resolve(
            &owners,
            &[mention("ann lee", "ACME Inc.", ""), mention("Bob Ray", "Globex", ""), mention("Cy Dunn", "", "")],
        );
        assert_eq!(r.mentions, ["Ann Lee", "Bob Ray", "Cy Dunn"]);
        assert!(r.warnings.is_empty());
    }

    #[test]
    fn one_name_two_people_is_a_warning_not_a_merge() {
        let owners = [owner("Sam Park", &["Acme"])];
        let r = resolve(&owners, &[mention("Sam Park", "Acme", ""), mention("Sam Park", "Globex", "")]);
        assert_eq!(r.owners, ["Sam Park (Acme, owner of Sam Park.zip)"]);
        assert_eq!(r.mentions, ["Sam Park (Acme, owner of Sam Park.zip)", "Sam Park (Globex)"]);
        assert_eq!(r.warnings.len(), 1);
        assert_eq!(r.warnings[0].code, WarningCode::SameNameKeptApart);
        assert!(r.warnings[0].text.contains("2 different people are named 'Sam Park'"), "{:?}", r.warnings[0]);
    }

    #[test]
    fn two_exports_of_one_person_are_one_owner() {
        let mut again = owner("Ann Lee", &["ACME Inc."]);
        again.export = "ann-folder".into();
        let r = resolve(
            &[owner("Ann Lee", &["Acme"]), again, owner("Ann Lee", &["Globex"])],
            &[mention("Ann Lee", "Acme", "")],
        );
        assert_eq!(r.owners[0], r.owners[1]);
        assert_ne!(r.owners[0], r.owners[2], "same name, other employers: another person");
        assert_eq!(r.mentions[0], r.owners[0]);
        assert_eq!(r.warnings[0].code, WarningCode::SamePersonMerged);
        assert!(r.warnings[0].text.contains("are exports of the same person"), "{:?}", r.warnings);
    }

    #[test]
    fn outside_people_merge_by_url_or_single_company() {
        let r = resolve(
            &[],
            &[
                mention("Dee Fox", "", "www.linkedin.com/in/deefox"),
                mention("Dee Fox", "", "https://www.linkedin.com/in/deefox/"),
                mention("Dee Fox", "Initech", ""),
                mention("dee fox", "", ""),
            ],
        );
        assert!(r.mentions.iter().all(|m| m == "Dee Fox"), "{:?}", r.mentions);
        assert!(r.warnings.is_empty());
    }
}
