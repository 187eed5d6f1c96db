//! Bad input never panics: arbitrary bytes, and arbitrary mixes of delimiters, quotes, line
//! breaks, comments and dates, either scan or fail with a typed error naming the file.

use std::io::Write;

use backscratch::ingest::{read_inputs, IngestOptions};
use backscratch::{scan, ScanConfig};
use proptest::prelude::*;

fn write_temp(bytes: &[u8]) -> tempfile::NamedTempFile {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    f.write_all(bytes).unwrap();
    f.flush().unwrap();
    f
}

/// Text made of the characters that matter to the parser.
fn edgy_text() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "a",
        "b",
        "ann",
        "bob",
        ",",
        "\t",
        " ",
        ";",
        "\"",
        "\"\"",
        "\n",
        "\r\n",
        "#",
        "2023-01-01",
        "12/09/22, 07:18 PM",
        "1289241911.5",
        "from,to,date\n",
        "é",
        "\u{feff}",
    ]);
    prop::collection::vec(pieces, 0..80).prop_map(|v| v.concat())
}

fn check_no_panic(bytes: &[u8], strict: bool) {
    let f = write_temp(bytes);
    let options = IngestOptions { strict, ..IngestOptions::default() };
    match read_inputs(&[f.path().to_path_buf()], &options) {
        Ok(ingested) => {
            let total: u64 = ingested.inputs.iter().map(|i| i.rows).sum();
            assert!(total > 0, "an input that reads fine has rows");
        }
        Err(e) => assert!(e.to_string().contains(&f.path().display().to_string()), "{e}"),
    }
    let config = ScanConfig { inputs: vec![f.path().to_path_buf()], max_cycle_len: Some(5), ..ScanConfig::default() };
    if let Ok(outcome) = scan(&config) {
        let i = &outcome.report.inputs[0];
        assert_eq!(i.rows, i.used + i.duplicates + i.self_loops + i.skipped);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400), strict in any::<bool>()) {
        check_no_panic(&bytes, strict);
    }

    #[test]
    fn edgy_text_never_panics(text in edgy_text(), strict in any::<bool>()) {
        check_no_panic(text.as_bytes(), strict);
    }
}
