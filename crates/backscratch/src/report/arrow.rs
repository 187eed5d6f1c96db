//! The report's tables as Apache Arrow record batches: the listed findings, people, cases,
//! inputs and `check`'s candidates, one row each, with the JSON report's keys as columns in the
//! same order and with the same names. Nested values (members, edges, signals, outsiders) are
//! list and struct columns; a recommendation's `created` is a UTC timestamp (milliseconds); a
//! signal's `value` and `baseline` (free JSON in the report) are JSON text. The Parquet report
//! writes these tables as files, and the Python package hands them to pandas and Polars through
//! the Arrow C stream interface, without JSON. The schema is documented in
//! `docs/report-format.md`.

use std::io;
use std::sync::Arc;

use arrow_array::builder::{NullBufferBuilder, OffsetBufferBuilder};
use arrow_array::{
    Array, ArrayRef, BooleanArray, Float64Array, Int32Array, ListArray, RecordBatch, StringArray, StructArray,
    TimestampMillisecondArray, UInt32Array, UInt64Array, UInt8Array,
};
use arrow_schema::{Field, FieldRef, Fields};

use super::describe::reason;
use super::model::{
    BackingCounts, BaselineStatus, Case, Edge, Finding, InputReport, Outsider, Person, Received, Report, Subject,
};

/// The tables, in the order [`tables`] returns them.
pub const TABLES: [&str; 5] = ["findings", "people", "cases", "inputs", "subjects"];

/// Columns of one struct (or one table) being assembled, each with its field.
#[derive(Default)]
struct Columns {
    fields: Vec<FieldRef>,
    arrays: Vec<ArrayRef>,
}

pub(crate) fn invalid(e: impl std::fmt::Display) -> io::Error {
    io::Error::other(format!("cannot build the Parquet table: {e}"))
}

impl Columns {
    fn add(mut self, name: &str, nullable: bool, array: ArrayRef) -> Self {
        self.fields.push(Arc::new(Field::new(name, array.data_type().clone(), nullable)));
        self.arrays.push(array);
        self
    }

    fn text<'a>(self, name: &str, values: impl Iterator<Item = &'a str>) -> Self {
        self.add(name, false, Arc::new(values.map(Some).collect::<StringArray>()))
    }

    fn maybe_text<'a>(self, name: &str, values: impl Iterator<Item = Option<&'a str>>) -> Self {
        self.add(name, true, Arc::new(values.collect::<StringArray>()))
    }

    fn count(self, name: &str, values: impl Iterator<Item = u64>) -> Self {
        self.add(name, false, Arc::new(values.collect::<UInt64Array>()))
    }

    fn maybe_count(self, name: &str, values: impl Iterator<Item = Option<u64>>) -> Self {
        self.add(name, true, Arc::new(values.collect::<UInt64Array>()))
    }

    fn small(self, name: &str, values: impl Iterator<Item = u32>) -> Self {
        self.add(name, false, Arc::new(values.collect::<UInt32Array>()))
    }

    fn score(self, name: &str, values: impl Iterator<Item = u8>) -> Self {
        self.add(name, false, Arc::new(values.collect::<UInt8Array>()))
    }

    fn real(self, name: &str, values: impl Iterator<Item = f64>) -> Self {
        self.add(name, false, Arc::new(values.collect::<Float64Array>()))
    }

    /// A list column: row `i` holds the next `lengths[i]` items of `items`.
    fn list(self, name: &str, items: ArrayRef, lengths: impl Iterator<Item = usize>) -> io::Result<Self> {
        let mut offsets = OffsetBufferBuilder::<i32>::new(0);
        for n in lengths {
            offsets.push_length(n);
        }
        let item = Arc::new(Field::new("item", items.data_type().clone(), false));
        let list = ListArray::try_new(item, offsets.finish(), items, None).map_err(invalid)?;
        Ok(self.add(name, false, Arc::new(list)))
    }

    /// A list of strings per row.
    fn texts<'a, I>(self, name: &str, rows: impl Iterator<Item = I> + Clone) -> io::Result<Self>
    where
        I: IntoIterator<Item = &'a String>,
    {
        let items: StringArray = rows.clone().flat_map(|r| r.into_iter().map(|s| Some(s.as_str()))).collect();
        self.list(name, Arc::new(items), rows.map(|r| r.into_iter().count()))
    }

    /// The assembled struct; rows where `present` is false are null.
    fn into_struct(self, present: Option<&[bool]>) -> io::Result<StructArray> {
        let nulls = present.map(|p| {
            let mut b = NullBufferBuilder::new(p.len());
            p.iter().for_each(|&v| b.append(v));
            b.finish()
        });
        StructArray::try_new(Fields::from(self.fields), self.arrays, nulls.flatten()).map_err(invalid)
    }
}

/// The recommendations' dates as UTC timestamps in milliseconds (Parquet's
/// `TIMESTAMP(MILLIS, UTC)`), read from the JSON's RFC 3339 text, which the report writes
/// from whole seconds, so nothing is lost.
fn created(list: &[&Edge]) -> io::Result<ArrayRef> {
    let millis = list
        .iter()
        .map(|e| match e.created.as_deref() {
            None => Ok(None),
            Some(text) => text
                .parse::<jiff::Timestamp>()
                .map(|t| Some(t.as_millisecond()))
                .map_err(|e| invalid(format!("the date {text:?} is not a timestamp: {e}"))),
        })
        .collect::<io::Result<Vec<Option<i64>>>>()?;
    Ok(Arc::new(TimestampMillisecondArray::from(millis).with_timezone("UTC")))
}

fn edges(list: &[&Edge]) -> io::Result<ArrayRef> {
    let source = Columns::default()
        .text("path", list.iter().map(|e| e.source.path.as_str()))
        .count("line", list.iter().map(|e| e.source.line))
        .into_struct(None)?;
    let columns = Columns::default()
        .text("from", list.iter().map(|e| e.from.as_str()))
        .text("to", list.iter().map(|e| e.to.as_str()))
        .add("created", true, created(list)?)
        .maybe_text("relationship", list.iter().map(|e| e.relationship.as_deref()))
        .add("source", false, Arc::new(source))
        .add("weight", true, Arc::new(list.iter().map(|e| e.weight).collect::<Float64Array>()))
        .maybe_text("kind", list.iter().map(|e| e.kind.as_deref()))
        .maybe_text("context", list.iter().map(|e| e.context.as_deref()))
        .maybe_text("text", list.iter().map(|e| e.text.as_deref()));
    Ok(Arc::new(columns.into_struct(None)?))
}

/// A list-of-edges column, one list per row.
fn edge_lists<'a>(columns: Columns, name: &str, rows: impl Iterator<Item = &'a [Edge]> + Clone) -> io::Result<Columns> {
    let flat: Vec<&Edge> = rows.clone().flatten().collect();
    columns.list(name, edges(&flat)?, rows.map(<[Edge]>::len))
}

/// A list-of-outsiders column (beneficiaries or donors), one list per row.
fn outsider_lists<'a>(
    columns: Columns,
    name: &str,
    rows: impl Iterator<Item = &'a [Outsider]> + Clone,
) -> io::Result<Columns> {
    let flat: Vec<&Outsider> = rows.clone().flatten().collect();
    let items = Columns::default()
        .text("name", flat.iter().map(|o| o.name.as_str()))
        .count("with_ring", flat.iter().map(|o| o.with_ring))
        .count("of_total", flat.iter().map(|o| o.of_total))
        .text("reason", flat.iter().map(|o| o.reason.as_str()));
    let items = edge_lists(items, "edges", flat.iter().map(|o| o.edges.as_slice()))?.into_struct(None)?;
    columns.list(name, Arc::new(items), rows.map(<[Outsider]>::len))
}

fn findings(list: &[Finding]) -> io::Result<StructArray> {
    let signals: Vec<_> = list.iter().flat_map(|f| &f.signals).collect();
    let signal_items = Columns::default()
        .text("name", signals.iter().map(|s| s.name.as_str()))
        .text("value", signals.iter().map(|s| s.value.to_string()).collect::<Vec<_>>().iter().map(String::as_str))
        .text("baseline", signals.iter().map(|s| s.baseline.to_string()).collect::<Vec<_>>().iter().map(String::as_str))
        .add("fired", false, Arc::new(signals.iter().map(|s| Some(s.fired)).collect::<BooleanArray>()))
        .add("points", false, Arc::new(signals.iter().map(|s| s.points).collect::<Int32Array>()))
        .text("explanation", signals.iter().map(|s| s.explanation.as_str()))
        .into_struct(None)?;
    let present: Vec<bool> = list.iter().map(|f| f.baseline.is_some()).collect();
    let baseline = Columns::default()
        .text(
            "status",
            list.iter().map(|f| match f.baseline {
                Some(BaselineStatus::Escalated { .. }) => "escalated",
                _ => "new",
            }),
        )
        .maybe_text(
            "from",
            list.iter().map(|f| match f.baseline {
                Some(BaselineStatus::Escalated { from }) => Some(from.as_str()),
                _ => None,
            }),
        )
        .into_struct(Some(&present))?;
    let reasons: Vec<String> = list.iter().map(reason).collect();
    let columns = Columns::default()
        .text("id", list.iter().map(|f| f.id.as_str()))
        .text("kind", list.iter().map(|f| f.kind.as_str()))
        .texts("members", list.iter().map(|f| &f.members))?;
    let columns = edge_lists(columns, "edges", list.iter().map(|f| f.edges.as_slice()))?
        .score("score", list.iter().map(|f| f.score))
        .text("severity", list.iter().map(|f| f.severity.as_str()))
        .list("signals", Arc::new(signal_items), list.iter().map(|f| f.signals.len()))?
        .maybe_text("suppressed_by", list.iter().map(|f| f.suppressed_by.as_deref()))
        .maybe_text("part_of", list.iter().map(|f| f.part_of.as_deref()))
        .texts("parts", list.iter().map(|f| &f.parts))?
        .maybe_text("case", list.iter().map(|f| f.case.as_deref()))
        .add("baseline", true, Arc::new(baseline));
    let columns = outsider_lists(columns, "beneficiaries", list.iter().map(|f| f.beneficiaries.as_slice()))?;
    outsider_lists(columns, "donors", list.iter().map(|f| f.donors.as_slice()))?
        .text("reason", reasons.iter().map(String::as_str))
        .into_struct(None)
}

fn backing(rows: &[Option<&BackingCounts>]) -> io::Result<ArrayRef> {
    let of = |pick: fn(&BackingCounts) -> u64| rows.iter().map(move |b| b.map_or(0, pick));
    let present: Vec<bool> = rows.iter().map(Option::is_some).collect();
    let columns = Columns::default()
        .count("employment", of(|b| b.employment))
        .count("claimed", of(|b| b.claimed))
        .count("hollow_claim", of(|b| b.hollow_claim))
        .count("uncorroborated", of(|b| b.uncorroborated))
        .count("contradicted", of(|b| b.contradicted))
        .count("unknown", of(|b| b.unknown));
    Ok(Arc::new(columns.into_struct(Some(&present))?))
}

/// People as a struct column; a `None` row is null (a candidate who is not in the data).
fn people(rows: &[Option<&Person>]) -> io::Result<StructArray> {
    let some: Vec<&Person> = rows.iter().map(|p| p.unwrap_or(&PLACEHOLDER)).collect();
    let present: Vec<bool> = rows.iter().map(Option::is_some).collect();
    let ev = |pick: fn(&Person) -> u32| some.iter().map(move |p| pick(p));
    let evidence = Columns::default()
        .small("flagged_findings", ev(|p| p.evidence.flagged_findings))
        .count("flagged_score_sum", some.iter().map(|p| p.evidence.flagged_score_sum))
        .small("partners", ev(|p| p.evidence.partners))
        .small("returns", ev(|p| p.evidence.returns))
        .small("fast_returns", ev(|p| p.evidence.fast_returns))
        .maybe_text("ring_role", some.iter().map(|p| p.evidence.ring_role.as_deref()))
        .small("reciprocal_partners", ev(|p| p.evidence.reciprocal_partners))
        .count("received_unreturned", some.iter().map(|p| p.evidence.received_unreturned))
        .real("fast_return_share", some.iter().map(|p| p.evidence.fast_return_share))
        .real("strength", some.iter().map(|p| p.evidence.strength))
        .into_struct(None)?;
    let received_backing: Vec<_> = some.iter().map(|p| p.received_by_backing.as_ref()).collect();
    let given_backing: Vec<_> = some.iter().map(|p| p.given_by_backing.as_ref()).collect();
    Columns::default()
        .text("name", some.iter().map(|p| p.name.as_str()))
        .count("given", some.iter().map(|p| p.given))
        .count("received", some.iter().map(|p| p.received))
        .count("received_traded", some.iter().map(|p| p.received_traded))
        .count("given_traded", some.iter().map(|p| p.given_traded))
        .real("traded_share", some.iter().map(|p| p.traded_share))
        .score("risk", some.iter().map(|p| p.risk))
        .add("received_by_backing", true, backing(&received_backing)?)
        .add("given_by_backing", true, backing(&given_backing)?)
        .text("verdict", some.iter().map(|p| p.verdict.as_str()))
        .text("reason", some.iter().map(|p| p.reason.as_str()))
        .add("evidence", false, Arc::new(evidence))
        .maybe_text("case", some.iter().map(|p| p.case.as_deref()))
        .into_struct(Some(&present))
}

/// What fills a null person's child columns (never read: the row is null).
static PLACEHOLDER: Person = Person {
    name: String::new(),
    given: 0,
    received: 0,
    received_traded: 0,
    given_traded: 0,
    traded_share: 0.0,
    risk: 0,
    received_by_backing: None,
    given_by_backing: None,
    verdict: super::model::Verdict::Pass,
    reason: String::new(),
    evidence: super::model::PersonEvidence {
        flagged_findings: 0,
        flagged_score_sum: 0,
        partners: 0,
        returns: 0,
        fast_returns: 0,
        ring_role: None,
        reciprocal_partners: 0,
        received_unreturned: 0,
        fast_return_share: 0.0,
        strength: 0.0,
    },
    case: None,
};

fn cases(list: &[Case]) -> io::Result<StructArray> {
    let by = |pick: fn(&Case) -> u64| list.iter().map(pick);
    let by_severity = Columns::default()
        .count("info", by(|c| c.by_severity.info))
        .count("low", by(|c| c.by_severity.low))
        .count("medium", by(|c| c.by_severity.medium))
        .count("high", by(|c| c.by_severity.high))
        .into_struct(None)?;
    let columns = Columns::default()
        .text("id", list.iter().map(|c| c.id.as_str()))
        .text("severity", list.iter().map(|c| c.severity.as_str()))
        .score("score", list.iter().map(|c| c.score))
        .texts("members", list.iter().map(|c| &c.members))?
        .count("findings", list.iter().map(|c| c.findings))
        .add("by_severity", false, Arc::new(by_severity))
        .texts("listed", list.iter().map(|c| &c.listed))?
        .maybe_count("split_from", list.iter().map(|c| c.split_from));
    let columns = outsider_lists(columns, "beneficiaries", list.iter().map(|c| c.beneficiaries.as_slice()))?;
    outsider_lists(columns, "donors", list.iter().map(|c| c.donors.as_slice()))?
        .text("reason", list.iter().map(|c| c.reason.as_str()))
        .into_struct(None)
}

fn inputs(list: &[InputReport]) -> io::Result<StructArray> {
    let reasons: Vec<(&String, &u64)> = list.iter().flat_map(|i| &i.skipped_reasons).collect();
    let reason_items = Columns::default()
        .text("reason", reasons.iter().map(|(r, _)| r.as_str()))
        .count("rows", reasons.iter().map(|(_, n)| **n))
        .into_struct(None)?;
    Columns::default()
        .text("path", list.iter().map(|i| i.path.as_str()))
        .text("sha256", list.iter().map(|i| i.sha256.as_str()))
        .count("rows", list.iter().map(|i| i.rows))
        .count("used", list.iter().map(|i| i.used))
        .count("duplicates", list.iter().map(|i| i.duplicates))
        .count("self_loops", list.iter().map(|i| i.self_loops))
        .count("skipped", list.iter().map(|i| i.skipped))
        .list("skipped_reasons", Arc::new(reason_items), list.iter().map(|i| i.skipped_reasons.len()))?
        .count("undated_bad_date", list.iter().map(|i| i.undated_bad_date))
        .into_struct(None)
}

fn subjects(list: &[Subject]) -> io::Result<StructArray> {
    let received: Vec<&Received> = list.iter().flat_map(|s| &s.received).collect();
    let received_edges: Vec<&Edge> = received.iter().map(|r| &r.edge).collect();
    let received_items = Columns::default()
        .add("edge", false, edges(&received_edges)?)
        .text("backing", received.iter().map(|r| r.backing.as_str()))
        .text("backing_text", received.iter().map(|r| r.backing_text.as_str()))
        .add("traded", false, Arc::new(received.iter().map(|r| Some(r.traded)).collect::<BooleanArray>()))
        .into_struct(None)?;
    let persons: Vec<Option<&Person>> = list.iter().map(|s| s.person.as_ref()).collect();
    Columns::default()
        .text("query", list.iter().map(|s| s.query.as_str()))
        .text("status", list.iter().map(|s| s.status.as_str()))
        .text("reason", list.iter().map(|s| s.reason.as_str()))
        .maybe_text("worst_severity", list.iter().map(|s| s.worst_severity.map(|w| w.as_str())))
        .add("person", true, Arc::new(people(&persons)?))
        .texts("findings", list.iter().map(|s| &s.findings))?
        .texts("suggestions", list.iter().map(|s| &s.suggestions))?
        .list("received", Arc::new(received_items), list.iter().map(|s| s.received.len()))?
        .into_struct(None)
}

/// The report's tables, in the order of [`TABLES`].
pub fn tables(report: &Report) -> io::Result<Vec<RecordBatch>> {
    let everyone: Vec<Option<&Person>> = report.people.iter().map(Some).collect();
    let no_subjects = Vec::new();
    let structs = [
        findings(&report.findings)?,
        people(&everyone)?,
        cases(&report.cases)?,
        inputs(&report.inputs)?,
        subjects(report.subjects.as_ref().unwrap_or(&no_subjects))?,
    ];
    structs.into_iter().map(batch).collect()
}

/// A struct of columns as a table (a table has no null rows).
fn batch(table: StructArray) -> io::Result<RecordBatch> {
    let (fields, columns, nulls) = table.into_parts();
    if nulls.is_some_and(|n| n.null_count() > 0) {
        return Err(invalid("a table row is null"));
    }
    RecordBatch::try_new(Arc::new(arrow_schema::Schema::new(fields)), columns).map_err(invalid)
}

/// The people table of `rows` alone, and a person with nothing against them (for the
/// Parquet tests).
#[cfg(test)]
pub(crate) fn people_batch(rows: &[Person]) -> io::Result<RecordBatch> {
    batch(people(&rows.iter().map(Some).collect::<Vec<_>>())?)
}

#[cfg(test)]
pub(crate) fn placeholder() -> Person {
    PLACEHOLDER.clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn null_people_keep_the_row_and_its_schema() {
        let array = people(&[None]).unwrap();
        assert_eq!(array.len(), 1);
        assert!(array.is_null(0));
        assert!(array.column_by_name("evidence").is_some());
        assert!(batch(array).is_err(), "a null row is not a table row");
    }
}
