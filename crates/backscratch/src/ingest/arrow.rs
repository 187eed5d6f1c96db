//! Arrow tables as input (the Python package's pandas and Polars DataFrames and pyarrow
//! Tables, handed over through the Arrow C stream interface): the record batches become one
//! in-memory [`Table`], which is then read, accounted and hashed as every table is.
//!
//! Columns are taken by their Arrow type, the way the Parquet reader takes the same types:
//! strings (`utf8`, `large_utf8`, `utf8_view`) as they are; integers as their digits (SNAP's
//! integer ids are names); floats as a number (an integral float as its digits, so `3.0` from
//! a pandas column with a gap is the id `3`; NaN is an empty cell, as pandas means it);
//! booleans as `true`/`false`; dates and timestamps as Unix seconds (a timestamp without a
//! zone is UTC, as a date without an offset is in text); dictionary-encoded columns (pandas
//! categoricals) by their values. A null is an empty cell, so a null name is a skipped row
//! with its reason. A column of any other type (binary, lists, structs) is an error that
//! names it and its type.

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Date64Type, Float32Type, Float64Type, Int16Type, Int32Type, Int64Type, Int8Type,
    TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType, TimestampSecondType, UInt16Type,
    UInt32Type, UInt64Type, UInt8Type,
};
use arrow_array::{Array, ArrowPrimitiveType, RecordBatch};
use arrow_schema::{DataType, Schema, TimeUnit};

use super::table::{Column, Table};
use crate::error::Error;

/// The table that `batches` (all of `schema`) hold, called `name` in the report.
pub fn table(name: &str, schema: &Schema, batches: &[RecordBatch]) -> Result<Table, Error> {
    let rows: usize = batches.iter().map(RecordBatch::num_rows).sum();
    let mut columns = Vec::with_capacity(schema.fields().len());
    for (i, field) in schema.fields().iter().enumerate() {
        let bytes = batches.iter().filter_map(|b| b.columns().get(i)).map(|a| text_bytes(a.as_ref())).sum();
        let mut cells = Column::with_capacity(field.name().as_str(), rows, bytes);
        for batch in batches {
            let array = batch.columns().get(i).ok_or_else(|| Error::Format {
                path: name.into(),
                message: format!("a batch of the table has no column {} ('{}')", i + 1, field.name()),
            })?;
            cells_of(array.as_ref(), &mut cells).map_err(|what| Error::Format {
                path: name.into(),
                message: format!(
                    "column '{}' holds {what}; names, dates and weights must be text, numbers, booleans, dates or timestamps",
                    field.name()
                ),
            })?;
        }
        columns.push(cells);
    }
    Ok(Table { name: name.to_string(), columns })
}

/// About how many bytes of text `array` becomes (exact for strings, a guess for numbers).
fn text_bytes(array: &dyn Array) -> usize {
    match array.data_type() {
        DataType::Utf8 => array.as_string::<i32>().values().len(),
        DataType::LargeUtf8 => array.as_string::<i64>().values().len(),
        _ => array.len() * 8,
    }
}

/// Append the cells of `array` to `out`; `Err` names a type that is not read.
fn cells_of(array: &dyn Array, out: &mut Column) -> Result<(), String> {
    match array.data_type() {
        DataType::Null => out.extend((0..array.len()).map(|_| None::<&str>)),
        DataType::Utf8 => out.extend(array.as_string::<i32>().iter()),
        DataType::LargeUtf8 => out.extend(array.as_string::<i64>().iter()),
        DataType::Utf8View => out.extend(array.as_string_view().iter()),
        DataType::Boolean => array.as_boolean().iter().for_each(|b| out.push_display(b)),
        DataType::Int8 => digits::<Int8Type>(array, out),
        DataType::Int16 => digits::<Int16Type>(array, out),
        DataType::Int32 => digits::<Int32Type>(array, out),
        DataType::Int64 => digits::<Int64Type>(array, out),
        DataType::UInt8 => digits::<UInt8Type>(array, out),
        DataType::UInt16 => digits::<UInt16Type>(array, out),
        DataType::UInt32 => digits::<UInt32Type>(array, out),
        DataType::UInt64 => digits::<UInt64Type>(array, out),
        DataType::Float32 => {
            array.as_primitive::<Float32Type>().iter().for_each(|v| out.push_display(v.and_then(|v| real(v.into()))))
        }
        DataType::Float64 => {
            array.as_primitive::<Float64Type>().iter().for_each(|v| out.push_display(v.and_then(real)))
        }
        DataType::Date32 => seconds::<Date32Type>(array, out, 86_400, 1),
        DataType::Date64 => seconds::<Date64Type>(array, out, 1, 1_000),
        DataType::Timestamp(TimeUnit::Second, _) => seconds::<TimestampSecondType>(array, out, 1, 1),
        DataType::Timestamp(TimeUnit::Millisecond, _) => seconds::<TimestampMillisecondType>(array, out, 1, 1_000),
        DataType::Timestamp(TimeUnit::Microsecond, _) => seconds::<TimestampMicrosecondType>(array, out, 1, 1_000_000),
        DataType::Timestamp(TimeUnit::Nanosecond, _) => {
            seconds::<TimestampNanosecondType>(array, out, 1, 1_000_000_000)
        }
        DataType::Dictionary(_, _) => {
            let dictionary = array.as_any_dictionary();
            let mut values = Column::with_capacity("", dictionary.values().len(), text_bytes(dictionary.values()));
            cells_of(dictionary.values().as_ref(), &mut values)?;
            let keys = dictionary.normalized_keys();
            for (i, &k) in keys.iter().enumerate() {
                out.push(if array.is_null(i) { None } else { values.get(k) });
            }
        }
        other => return Err(other.to_string()),
    }
    Ok(())
}

fn digits<T: ArrowPrimitiveType>(array: &dyn Array, out: &mut Column)
where
    T::Native: std::fmt::Display,
{
    array.as_primitive::<T>().iter().for_each(|v| out.push_display(v));
}

/// A float as the text a CSV would hold.
enum Real {
    /// An integral value below 2^53: its digits.
    Integral(i64),
    /// Any other finite or infinite value, as Rust writes it.
    Other(f64),
}

impl std::fmt::Display for Real {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Real::Integral(v) => write!(f, "{v}"),
            Real::Other(v) => write!(f, "{v}"),
        }
    }
}

/// `v` as a CSV would hold it; NaN is an empty cell.
fn real(v: f64) -> Option<Real> {
    if v.is_nan() {
        None
    } else if v.fract() == 0.0 && v.abs() < 9_007_199_254_740_992.0 {
        Some(Real::Integral(v as i64))
    } else {
        Some(Real::Other(v))
    }
}

/// A date or timestamp column as whole Unix seconds: each value times `times`, divided
/// (towards the past) by `per`.
fn seconds<T: ArrowPrimitiveType>(array: &dyn Array, out: &mut Column, times: i64, per: i64)
where
    T::Native: Into<i64>,
{
    let secs = |v: T::Native| v.into().saturating_mul(times).div_euclid(per);
    array.as_primitive::<T>().iter().for_each(|v| out.push_display(v.map(secs)));
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_array::{
        types::Int32Type, DictionaryArray, Float64Array, Int64Array, ListArray, StringArray, TimestampMillisecondArray,
    };
    use arrow_schema::Field;

    use super::*;

    fn batch(columns: Vec<(&str, Arc<dyn Array>)>) -> (Schema, RecordBatch) {
        let schema =
            Schema::new(columns.iter().map(|(n, a)| Field::new(*n, a.data_type().clone(), true)).collect::<Vec<_>>());
        let batch =
            RecordBatch::try_new(Arc::new(schema.clone()), columns.into_iter().map(|(_, a)| a).collect()).unwrap();
        (schema, batch)
    }

    #[test]
    fn columns_become_the_cells_a_csv_would_hold() {
        let (schema, b) = batch(vec![
            ("from", Arc::new(StringArray::from(vec![Some("Zoë"), None, Some("b")]))),
            ("to", Arc::new(Int64Array::from(vec![Some(7), Some(8), None]))),
            ("weight", Arc::new(Float64Array::from(vec![3.0, f64::NAN, 0.5]))),
            ("date", Arc::new(TimestampMillisecondArray::from(vec![Some(1_500), Some(-1), None]).with_timezone("UTC"))),
            ("kind", Arc::new(DictionaryArray::<Int32Type>::from_iter([Some("x"), None, Some("x")]))),
        ]);
        let t = table("<dataframe>", &schema, &[b.clone(), b.slice(1, 2)]).unwrap();
        let col = |k: usize| t.columns[k].cells().collect::<Vec<_>>();
        assert_eq!(t.rows(), 5);
        assert_eq!(col(0), [Some("Zoë"), None, Some("b"), None, Some("b")]);
        assert_eq!(col(1), [Some("7"), Some("8"), None, Some("8"), None]);
        assert_eq!(col(2), [Some("3"), None, Some("0.5"), None, Some("0.5")]);
        assert_eq!(col(3), [Some("1"), Some("-1"), None, Some("-1"), None], "seconds, towards the past");
        assert_eq!(col(4), [Some("x"), None, Some("x"), None, Some("x")]);
        assert_eq!(t.columns[4].name(), "kind");
    }

    #[test]
    fn a_nested_column_is_an_error_naming_it() {
        let list = ListArray::from_iter_primitive::<Int32Type, _, _>([Some(vec![Some(1)])]);
        let (schema, b) = batch(vec![("from", Arc::new(list))]);
        let e = table("<dataframe>", &schema, &[b]).unwrap_err().to_string();
        assert!(e.contains("column 'from' holds List"), "{e}");
    }
}
