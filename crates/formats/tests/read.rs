//! What every parser shares: line numbers whatever the line breaks,
//! records that are not UTF-8 or too large, and the rules for values, in
//! each CSV format (médiation, SILL CSV, Archipel CSV) and the JSON ones.

use archipel_content::Content;
use archipel_formats::{flat, mediation, native, sill, ImportContext, Parsed, MAX_RECORD_BYTES};

fn content() -> Content {
    Content::embedded().expect("embedded content")
}

/// One CSV format: how to parse it, its header, a valid record, a valid
/// record with a multi-line field (`{NL}` is where the line break goes),
/// an invalid record, and the field the invalid one is reported at.
struct Format {
    name: &'static str,
    parse: fn(&[u8], &ImportContext<'_>) -> Parsed,
    header: &'static str,
    valid: fn(usize) -> String,
    multiline: fn(usize) -> String,
    invalid: fn(usize) -> String,
    field: &'static str,
}

const MEDIATION_HEADER: &str =
    "id,pivot,nom,commune,code_postal,adresse,date_maj,presentation_resume";

fn formats() -> Vec<Format> {
    vec![
        Format {
            name: "mediation",
            parse: mediation::parse,
            header: MEDIATION_HEADER,
            valid: |i| format!("l{i},43493312300029,Lieu {i},Brest,29200,1 rue,2024-01-02,court"),
            multiline: |i| {
                format!("l{i},43493312300029,Lieu {i},Brest,29200,1 rue,2024-01-02,\"deux{{NL}}lignes\"")
            },
            invalid: |i| format!("l{i},43493312300029,Lieu {i},Brest,2920,1 rue,2024-01-02,"),
            field: "code_postal",
        },
        Format {
            name: "sill csv",
            parse: sill::parse,
            header: "ID,nom,fonction",
            valid: |i| format!("{i},Logiciel {i},Édition"),
            multiline: |i| format!("{i},Logiciel {i},\"Édition{{NL}}de textes\""),
            invalid: |i| format!("{i},,Édition"),
            field: "nom",
        },
        Format {
            name: "archipel csv",
            parse: flat::parse,
            header: "id,name,nature,description,lat,lon",
            valid: |i| format!("actor:t:a{i},A{i},organisation,,,"),
            multiline: |i| format!("actor:t:a{i},A{i},organisation,\"deux{{NL}}lignes\",,"),
            invalid: |i| format!("actor:t:a{i},A{i},organisation,,north,2"),
            field: "lat",
        },
    ]
}

/// The line of a record: where its own text starts.
fn record_line(e: &archipel_domain::Entity) -> u64 {
    e.provenance().line.expect("a line")
}

/// LF, CRLF and CR-only files, with and without a byte order mark and
/// blank lines: problems and provenance name the line each record starts
/// on, as an editor numbers it.
#[test]
fn lines_are_counted_whatever_the_line_breaks() {
    let content = content();
    for format in formats() {
        for nl in ["\n", "\r\n", "\r"] {
            for (bom, blank) in [(false, false), (true, false), (false, true)] {
                let mut text = String::new();
                if bom {
                    text.push('\u{FEFF}');
                }
                let mut line = 1u64;
                if blank {
                    text.push_str(nl);
                    line += 1;
                }
                text.push_str(format.header);
                text.push_str(nl);
                line += 1;
                // valid, invalid, multi-line valid, invalid, valid
                let mut valid_lines = Vec::new();
                let mut invalid_lines = Vec::new();
                for i in 0..5 {
                    let (rec, breaks) = match i {
                        1 | 3 => ((format.invalid)(i), 0),
                        2 => ((format.multiline)(i), 1),
                        _ => ((format.valid)(i), 0),
                    };
                    if matches!(i, 1 | 3) {
                        invalid_lines.push(line);
                    } else {
                        valid_lines.push(line);
                    }
                    text.push_str(&rec.replace("{NL}", nl));
                    text.push_str(nl);
                    if blank && i == 2 {
                        text.push_str(nl);
                        line += 1;
                    }
                    line += 1 + breaks;
                }
                let ctx = ImportContext::new("x.csv", "t", &content);
                let parsed = (format.parse)(text.as_bytes(), &ctx);
                let case = format!("{} {nl:?} bom={bom} blank={blank}", format.name);
                let lines: Vec<(u64, &str)> = parsed
                    .problems
                    .iter()
                    .map(|p| (p.line, p.field.as_str()))
                    .collect();
                let expected: Vec<(u64, &str)> =
                    invalid_lines.iter().map(|&l| (l, format.field)).collect();
                assert_eq!(lines, expected, "{case}: {:?}", parsed.problems);
                let mut stored: Vec<u64> = parsed.entities.iter().map(record_line).collect();
                stored.dedup();
                assert_eq!(stored, valid_lines, "{case}");
                // The multi-line field keeps its line break as written.
                let multi = nl.to_string();
                let kept = parsed.entities.iter().any(|e| {
                    serde_json::to_string(e)
                        .unwrap()
                        .contains(serde_json::to_string(&multi).unwrap().trim_matches('"'))
                });
                assert!(kept, "{case}");
                // The rejects file holds the header and the two invalid
                // records as they were written.
                let rejects = String::from_utf8(parsed.rejects.to_bytes()).unwrap();
                let expected = format!(
                    "{}{nl}{}{nl}{}{nl}",
                    format.header,
                    (format.invalid)(1),
                    (format.invalid)(3)
                );
                assert_eq!(rejects, expected, "{case}");
            }
        }
    }
}

/// A record that is not UTF-8 (a Latin-1 `é`) is rejected on its line,
/// with the column, its bytes kept as they were, and the records after it
/// are read; the first such problem says how to convert the file.
#[test]
fn a_record_that_is_not_utf8_is_rejected_and_reading_goes_on() {
    let content = content();
    for format in formats() {
        let mut text = format!("{}\n", format.header).into_bytes();
        for i in 0..1000 {
            let rec = (format.valid)(i);
            let mut bytes = rec.into_bytes();
            if i == 500 || i == 700 {
                // "Lieu"/"Logiciel"/"A" + Latin-1 é in the name column.
                let comma = bytes.iter().position(|&b| b == b',').unwrap();
                let second = comma
                    + 1
                    + if format.name == "mediation" {
                        bytes[comma + 1..].iter().position(|&b| b == b',').unwrap() + 1
                    } else {
                        0
                    };
                bytes.insert(second, 0xE9);
            }
            text.extend_from_slice(&bytes);
            text.push(b'\n');
        }
        let ctx = ImportContext::new("x.csv", "t", &content);
        let parsed = (format.parse)(&text, &ctx);
        assert_eq!(parsed.records, 1000, "{}", format.name);
        assert_eq!(parsed.rejected, 2, "{}", format.name);
        assert!(!parsed.stopped);
        let shown: Vec<String> = parsed.problems.iter().map(|p| p.to_string()).collect();
        assert_eq!(shown.len(), 2, "{shown:?}");
        let name = if format.name == "archipel csv" {
            "name"
        } else {
            "nom"
        };
        assert!(
            shown[0].starts_with(&format!("x.csv:502: {name}: not UTF-8 text (byte 0xE9")),
            "{shown:?}"
        );
        assert!(
            shown[0].contains("iconv -f WINDOWS-1252 -t UTF-8"),
            "{shown:?}"
        );
        assert!(
            shown[1].starts_with(&format!("x.csv:702: {name}: not UTF-8")),
            "{shown:?}"
        );
        assert!(!shown[1].contains("iconv"), "said once: {shown:?}");
        // The valid records after it are all there.
        let mut lines: Vec<u64> = parsed.entities.iter().map(record_line).collect();
        lines.dedup();
        assert_eq!(lines.len(), 998, "{}", format.name);
        assert_eq!(lines.last(), Some(&1001));
        // The rejects file has the two records byte for byte.
        let rejects = parsed.rejects.to_bytes();
        let mut expected = format!("{}\n", format.header).into_bytes();
        for line in text.split(|&b| b == b'\n').filter(|l| l.contains(&0xE9)) {
            expected.extend_from_slice(line);
            expected.push(b'\n');
        }
        assert_eq!(rejects, expected, "{}", format.name);
    }
}

/// A JSON file that is not UTF-8 stops with its line and the advice; so
/// does one whose header cannot be read.
#[test]
fn a_json_file_that_is_not_utf8_stops_with_its_line() {
    let content = content();
    let ctx = ImportContext::new("x.json", "t", &content);
    let text = b"[\n{\"id\": \"1\", \"i\": \"7zip\"},\n{\"id\": \"2\", \"i\": \"Caf\xE9\"}\n]\n";
    let parsed = sill::parse(text, &ctx);
    assert!(parsed.stopped);
    let p = parsed.problems[0].to_string();
    assert!(
        p.starts_with("x.json:3: not UTF-8 text (byte 0xE9 after `\"id\": \"2\", \"i\": \"Caf`)"),
        "{p}"
    );
    assert!(
        p.contains("iconv -f WINDOWS-1252 -t UTF-8 in.json > out.json"),
        "{p}"
    );
    let parsed = native::parse(b"{\r\n\"format\": \"archipel\",\r\n\"x\": \"\xE9\"}", &ctx);
    assert!(parsed.stopped);
    assert_eq!(parsed.problems[0].line, 3);
    let parsed = mediation::parse(b"id,n\xE9,x\nz", &ctx);
    assert!(parsed.stopped);
    assert!(parsed.problems[0]
        .to_string()
        .starts_with("x.json:1: header: not UTF-8"));
}

/// A record larger than the limit is rejected naming its largest field;
/// the records after it are read.
#[test]
fn an_oversized_record_is_rejected_naming_its_largest_field() {
    let content = content();
    let ctx = ImportContext::new("x.csv", "t", &content);
    let huge = "x".repeat(MAX_RECORD_BYTES + 10);
    let text = format!(
        "{MEDIATION_HEADER}\r\nl1,43493312300029,Lieu,Brest,29200,1 rue,2024-01-02,\"{huge}\"\r\n\
         l2,43493312300029,Lieu,Brest,29200,1 rue,2024-01-02,court\r\n"
    );
    let parsed = mediation::parse(text.as_bytes(), &ctx);
    assert_eq!(parsed.problems.len(), 1);
    let p = parsed.problems[0].to_string();
    let n = MAX_RECORD_BYTES + 10;
    assert!(
        p.starts_with(&format!(
            "x.csv:2: presentation_resume: {n} bytes in this field; the record takes"
        )),
        "{p}"
    );
    assert_eq!(parsed.rejected, 1);
    assert!(parsed
        .entities
        .iter()
        .any(|e| e.id().as_str() == "place:t:l2"));
}

/// Empty files, files with another separator and header problems say so
/// once, stop the file, and echo nothing unbounded or raw.
#[test]
fn file_level_problems_are_said_once() {
    let content = content();
    let ctx = ImportContext::new("x.csv", "t", &content);
    for empty in ["", "\n\n", "\u{FEFF}", "  \r\n"] {
        for parse in [mediation::parse, sill::parse, flat::parse] {
            let parsed = parse(empty.as_bytes(), &ctx);
            assert!(parsed.stopped);
            let shown: Vec<String> = parsed.problems.iter().map(|p| p.to_string()).collect();
            assert_eq!(shown, ["x.csv: the file is empty"], "{empty:?}");
        }
    }
    let long_header = MEDIATION_HEADER.replace(',', ";") + &";colonne".repeat(500);
    let semicolons = format!("{long_header}\nl1;43493312300029;Lieu\n");
    for parse in [mediation::parse, sill::parse, flat::parse] {
        let parsed = parse(semicolons.as_bytes(), &ctx);
        assert!(parsed.stopped);
        let shown: Vec<String> = parsed.problems.iter().map(|p| p.to_string()).collect();
        assert_eq!(shown.len(), 1, "{shown:?}");
        assert!(
            shown[0].starts_with(
                "x.csv:1: the header is a single column: the separator looks like `;`"
            ),
            "{shown:?}"
        );
        assert!(!shown[0].contains("colonne"), "the header is not echoed");
    }
    // An unknown column's name is shown bounded and escaped.
    let evil = format!(
        "{MEDIATION_HEADER},\u{1b}]0;pwned\u{7}{}\nl1\n",
        "x".repeat(10_000)
    );
    let parsed = mediation::parse(evil.as_bytes(), &ctx);
    assert!(parsed.stopped);
    let shown = parsed.problems[0].to_string();
    assert!(
        shown.starts_with("x.csv:1: \\u{1b}]0;pwned\\u{7}xxx"),
        "{shown}"
    );
    assert!(shown.len() < 300, "{}", shown.len());
    assert!(!shown.chars().any(char::is_control));
}
