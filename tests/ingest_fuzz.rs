//! Bad input never panics: arbitrary bytes, and arbitrary mixes of delimiters, quotes, line
//! breaks, comments and dates, either scan or fail with a typed error naming the file. The
//! same holds for every other reader a hostile file reaches: dates (with and without a
//! `--date-format`), employment histories, zstd streams and LinkedIn export archives.

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
        "\r",
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
    let mut options = IngestOptions::default();
    options.strict = strict;
    match read_inputs(&[f.path().to_path_buf()], &options) {
        Ok(ingested) => {
            let total: u64 = ingested.inputs.iter().map(|i| i.rows).sum();
            assert!(total > 0, "an input that reads fine has rows");
        }
        Err(e) => assert!(e.to_string().contains(&f.path().display().to_string()), "{e}"),
    }
    let mut config = ScanConfig::default();
    config.inputs = vec![f.path().to_path_buf()];
    config.max_cycle_len = Some(5);
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

/// Bytes that start like a Zstandard stream (a data frame or a skippable one).
fn zstd_like() -> impl Strategy<Value = Vec<u8>> {
    (
        prop::sample::select(vec![vec![0x28u8, 0xb5, 0x2f, 0xfd], vec![0x50, 0x2a, 0x4d, 0x18]]),
        prop::collection::vec(any::<u8>(), 0..300),
    )
        .prop_map(|(magic, rest)| [magic, rest].concat())
}

/// A zip archive with entries of export names and arbitrary contents, or damaged bytes.
fn zip_like() -> impl Strategy<Value = Vec<u8>> {
    let names = prop::sample::select(vec![
        "Profile.csv",
        "Recommendations_Given.csv",
        "x/recommendations_received.CSV",
        "a\\Positions.csv",
        "Endorsement_Received_Info.csv",
        "../evil.csv",
        "Connections.csv",
    ]);
    let entries = prop::collection::vec((names, edgy_text()), 0..5);
    (entries, any::<bool>(), any::<u16>()).prop_map(|(entries, damage, at)| {
        let mut out = std::io::Cursor::new(Vec::new());
        {
            let mut zip = zip::ZipWriter::new(&mut out);
            for (name, text) in entries {
                // The writer refuses a name twice; such archives are made by hand elsewhere.
                if zip.start_file(name, zip::write::SimpleFileOptions::default()).is_ok() {
                    zip.write_all(text.as_bytes()).unwrap();
                }
            }
            zip.finish().unwrap();
        }
        let mut bytes = out.into_inner();
        if damage && !bytes.is_empty() {
            let i = at as usize % bytes.len();
            bytes[i] ^= 0x5a;
        }
        bytes
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn dates_never_panic(text in "\\PC{0,40}", format in prop::option::of("[%a-zA-Z./ :-]{0,12}")) {
        let _ = backscratch::ingest::date::parse_date(&text);
        if let Some(f) = format {
            let _ = backscratch::ingest::date::parse_date_with(&text, Some(&f));
        }
    }

    #[test]
    fn employment_files_never_panic(text in edgy_text(), bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        for content in [text.as_bytes(), &bytes[..]] {
            let f = write_temp(content);
            if let Err(e) = backscratch::score::employment::Employment::read(f.path()) {
                prop_assert!(e.to_string().contains(&f.path().display().to_string()), "{}", e);
            }
        }
    }

    #[test]
    fn zstd_streams_never_panic(bytes in zstd_like()) {
        check_no_panic(&bytes, false);
    }

    #[test]
    fn export_archives_never_panic(bytes in zip_like()) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("export.zip");
        std::fs::write(&path, &bytes).unwrap();
        let mut config = ScanConfig::default();
        config.inputs = vec![path.clone()];
        match scan(&config) {
            Ok(outcome) => {
                for i in &outcome.report.inputs {
                    prop_assert_eq!(i.rows, i.used + i.duplicates + i.self_loops + i.skipped);
                }
            }
            Err(e) => prop_assert!(e.to_string().contains("export.zip"), "{}", e),
        }
    }
}
