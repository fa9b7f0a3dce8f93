//! Regression tests of issue 9 for the data parsers ("no silent wrong answer"): every record of
//! every format is read or refused, never dropped; line numbers are physical lines whatever the
//! line ends; the bundle decoder is as strict as the text parser; messages are one short, escaped
//! line. Also replays every input the fuzzers ever failed on (`tests/fuzz_regressions/`).

#[path = "../fuzz_regressions/check.rs"]
mod check;
use crate::common;

use memberlens::data::BUNDLE_MAGIC;
use memberlens::{Dataset, Error};

const ENDINGS: [(&str, &str); 3] = [("LF", "\n"), ("CRLF", "\r\n"), ("CR", "\r")];

/// The parse error's (line, message), failing the test on success or another error kind.
fn parse_err(bytes: &[u8], file: &str) -> (usize, String) {
    match Dataset::parse(bytes, file) {
        Err(Error::Parse {
            file: f,
            line,
            message,
        }) => {
            assert_eq!(f, file);
            (line, message)
        }
        Err(e) => panic!("expected a parse error, got {e}"),
        Ok(d) => panic!("expected a parse error, got {:?}", d.summary()),
    }
}

/// Three records (users 1, 2, 3 on items 10, 20, 30) in each text format, one line per record.
fn formats() -> Vec<(&'static str, Option<&'static str>, [&'static str; 3])> {
    vec![
        (
            "ratings.csv",
            Some("userId,movieId,rating,timestamp"),
            ["1,10,4.0,964982703", "2,20,3.5,964982703", "3,30,5,1"],
        ),
        (
            "u.data",
            None,
            ["1\t10\t4\t881250949", "2\t20\t3\t881250949", "3\t30\t5\t1"],
        ),
        (
            "ratings.dat",
            None,
            ["1::10::4::978300760", "2::20::3::978300760", "3::30::5::1"],
        ),
    ]
}

fn join(header: Option<&str>, lines: &[&str], eol: &str, final_eol: bool) -> Vec<u8> {
    let mut all: Vec<&str> = header.into_iter().collect();
    all.extend_from_slice(lines);
    let mut s = all.join(eol);
    if final_eol {
        s.push_str(eol);
    }
    s.into_bytes()
}

#[test]
fn every_record_is_read_with_any_line_end_in_every_format() {
    for (file, header, lines) in formats() {
        for (label, eol) in ENDINGS {
            for final_eol in [true, false] {
                let bytes = join(header, &lines, eol, final_eol);
                let d = Dataset::parse(&bytes, file)
                    .unwrap_or_else(|e| panic!("{file} {label} final_eol={final_eol}: {e}"));
                assert_eq!(
                    (
                        d.ratings,
                        d.n_interactions(),
                        d.user_ids.clone(),
                        d.item_ids.clone()
                    ),
                    (3, 3, vec![1, 2, 3], vec![10, 20, 30]),
                    "{file} {label} final_eol={final_eol}"
                );
                // ...and the bundle of it gives the same data set back.
                assert_eq!(Dataset::parse(&d.to_bundle(), file).unwrap(), d);
            }
        }
    }
}

#[test]
fn the_issue_example_cr_only_ratings_dat_has_three_interactions() {
    let d = Dataset::parse(b"1::1::4::1\r2::2::4::1\r3::3::4::1\r", "cr.dat").unwrap();
    assert_eq!((d.n_users(), d.n_interactions(), d.ratings), (3, 3, 3));
}

#[test]
fn mixed_line_ends_and_blank_lines_keep_every_record() {
    let bytes = b"userId,movieId,rating,timestamp\r\n1,10,4,1\n\r\n2,20,4,1\r\r3,30,4,1\n\n";
    let d = Dataset::parse(bytes, "r.csv").unwrap();
    assert_eq!((d.ratings, d.user_ids.clone()), (3, vec![1, 2, 3]));
}

#[test]
fn extra_fields_are_refused_with_their_line() {
    let (line, m) = parse_err(b"1::10::4::1\n2::20::4::1::9\n", "ratings.dat");
    assert_eq!(line, 2, "{m}");
    assert!(m.contains("found 5"), "{m}");
    let (line, m) = parse_err(b"1\t10\t4\t1\n2\t20\t4\t1\t9\n", "u.data");
    assert_eq!(line, 2, "{m}");
    assert!(m.contains("found 5"), "{m}");
    let (line, m) = parse_err(
        b"userId,movieId,rating,timestamp\n1,10,4,1\n2,20,4,1,extra\n",
        "r.csv",
    );
    assert_eq!(line, 3, "{m}");
    assert!(m.contains("found 5"), "{m}");
    // a trailing delimiter is an extra (empty) field too
    let (line, m) = parse_err(b"userId,movieId,rating\n1,10,4,\n", "r.csv");
    assert_eq!(line, 2, "{m}");
    assert!(m.contains("found 4"), "{m}");
}

#[test]
fn missing_fields_are_refused_with_their_line() {
    let (line, m) = parse_err(
        b"userId,movieId,rating,timestamp\n1,10,4,1\n2,20,4\n",
        "r.csv",
    );
    assert_eq!(line, 3, "{m}");
    assert!(m.contains("found 3"), "{m}");
    let (line, m) = parse_err(b"1::10::4::1\n2::20\n", "ratings.dat");
    assert_eq!(line, 2, "{m}");
    assert!(m.contains("found 2"), "{m}");
    let (line, _) = parse_err(b"1\t10\t4\t1\n2\t20\n", "u.data");
    assert_eq!(line, 2);
}

#[test]
fn whitespace_only_delimiter_lines_are_records_not_blank_lines() {
    // "\t\t\t" in u.data is a record of four empty fields: refused, not skipped as blank.
    let (line, m) = parse_err(b"1\t10\t4\t1\n\t\t\t\n", "u.data");
    assert_eq!(line, 2, "{m}");
}

/// Error line numbers are the physical line in the file for every line end, also after blank lines.
#[test]
fn error_lines_are_physical_lines() {
    for (file, header, lines) in formats() {
        for (label, eol) in ENDINGS {
            // header?, record, blank, blank, record, blank, bad record
            let bad = lines[2].replacen('3', "x", 1);
            let body = [lines[0], "", "", lines[1], "", bad.as_str()];
            let bytes = join(header, &body, eol, true);
            let expected = body.len() + usize::from(header.is_some());
            let (line, m) = parse_err(&bytes, file);
            assert_eq!(line, expected, "{file} {label}: {m}");
            assert!(m.contains("'x'"), "{file} {label}: {m}");
        }
    }
}

#[test]
fn crlf_csv_error_is_not_off_by_one() {
    let (line, m) = parse_err(
        b"userId,movieId,rating,timestamp\r\n1,2,4.0,1\r\n1,3,abc,1\r\n",
        "r.csv",
    );
    assert_eq!((line, m.as_str()), (3, "rating 'abc' is not a number"));
}

#[test]
fn invalid_utf8_is_reported_at_its_physical_line() {
    for (label, eol) in ENDINGS {
        let mut bytes = join(Some("userId,movieId"), &["1,2", "", "3,4"], eol, true);
        bytes.extend_from_slice(b"\xff,5");
        let (line, m) = parse_err(&bytes, "r.csv");
        assert_eq!(line, 5, "{label}: {m}");
        assert!(m.contains("UTF-8"), "{m}");
    }
}

#[test]
fn timestamps_are_checked_too() {
    let (line, m) = parse_err(b"1::10::4::1\n2::20::4::yesterday\n", "ratings.dat");
    assert_eq!(line, 2);
    assert!(m.contains("'yesterday'"), "{m}");
    let (line, _) = parse_err(b"userId,movieId,rating,timestamp\n1,2,3,4.5\n", "r.csv");
    assert_eq!(line, 2);
}

#[test]
fn quoted_csv_fields_are_read_and_broken_quotes_refused() {
    let d = Dataset::parse(
        b"\"userId\",\"movieId\",\"rating\"\r\n\"1\",2,\"4.5\"\r\n",
        "r.csv",
    )
    .unwrap();
    assert_eq!((d.user_ids.clone(), d.item_ids.clone()), (vec![1], vec![2]));
    let (line, m) = parse_err(b"userId,movieId,rating\n1,2,4\n\"3,4,5\n", "r.csv");
    assert_eq!(line, 3, "{m}");
    assert!(m.contains("quote"), "{m}");
}

#[test]
fn a_utf8_bom_is_not_part_of_the_header() {
    let d = Dataset::parse(b"\xef\xbb\xbfuserId,movieId,rating\n1,2,3\n", "r.csv").unwrap();
    assert_eq!(d.ratings, 1);
}

#[test]
fn headers_only_and_empty_files_are_refused() {
    for bytes in [
        &b""[..],
        b"\n\r\n\r",
        b"userId,movieId,rating,timestamp\r\n",
        b"userId,movieId,rating,timestamp\n\n\n",
    ] {
        let (line, m) = parse_err(bytes, "r.csv");
        assert_eq!(line, 0, "{m}");
    }
}

// ---------------------------------------------------------------------------------------------
// Messages

fn assert_clean(m: &str) {
    assert!(m.len() < 300, "message of {} bytes", m.len());
    assert!(!m.chars().any(char::is_control), "{m:?}");
}

#[test]
fn a_huge_field_gives_a_short_message() {
    let mut bytes = b"userId,movieId,rating\n1,".to_vec();
    bytes.extend(std::iter::repeat_n(b'7', 50_000_000));
    bytes.extend_from_slice(b"x,4\n");
    let (line, m) = parse_err(&bytes, "r.csv");
    assert_eq!(line, 2);
    assert_clean(&m);
    assert!(m.contains(&format!("'{}…'", "7".repeat(40))), "{m}");
}

#[test]
fn terminal_escapes_and_line_breaks_in_input_are_escaped() {
    let (line, m) = parse_err(b"1::2::4::1\n\x1b[2J\x1b]0;owned\x07::1::4::1\n", "x.dat");
    assert_eq!(line, 2);
    assert_clean(&m);
    assert!(m.contains("\\u{1b}[2J"), "{m}");
    // A file name is input too (the page passes the name the user's file had).
    let e = Dataset::parse(b"1::x::4::1\n", "evil\x1b[31m\nname.dat").unwrap_err();
    let shown = e.to_string();
    assert_clean(&shown);
    assert_eq!(shown.lines().count(), 1);
    // The bidi override would reorder what the terminal shows.
    let (_, m) = parse_err("1::2\u{202e}::4::1\n".as_bytes(), "x.dat");
    assert!(m.contains("\\u{202e}"), "{m}");
}

#[test]
fn config_errors_echo_input_shortened_and_escaped() {
    let huge = format!("\x1b[2J{}", "a".repeat(10_000_000));
    for json in [
        serde_json::json!({ "k": huge }),
        serde_json::json!({ huge.clone(): 1 }),
    ] {
        let e = memberlens::Config::from_json(json).unwrap_err();
        let m = e.to_string();
        assert!(m.len() < 2000, "{} bytes", m.len());
        assert!(!m.chars().any(char::is_control), "{m:?}");
        assert!(m.starts_with("config: "), "{m}");
    }
}

// ---------------------------------------------------------------------------------------------
// Bundle

fn varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// A bundle from raw header values and body values (each one varint).
fn bundle(values: &[u64]) -> Vec<u8> {
    let mut b = BUNDLE_MAGIC.to_vec();
    for &v in values {
        varint(&mut b, v);
    }
    b
}

/// users 1 and 5; items 10, 20, 30; user 1 has items 10, 30; user 5 has item 20; 4 ratings.
const GOOD: [u64; 14] = [2, 3, 3, 4, 1, 4, 10, 10, 10, 2, 0, 2, 1, 1];

fn bundle_err(bytes: &[u8], needle: &str) {
    let (line, m) = parse_err(bytes, "data.bin");
    assert_eq!(line, 0, "{m}");
    assert!(m.contains("byte "), "no byte offset: {m}");
    assert!(m.contains(needle), "expected '{needle}' in: {m}");
    assert_clean(&m);
}

fn with(changes: &[(usize, u64)]) -> Vec<u8> {
    let mut v = GOOD.to_vec();
    for &(i, x) in changes {
        v[i] = x;
    }
    bundle(&v)
}

#[test]
fn a_valid_hand_made_bundle_decodes_and_is_canonical() {
    let d = Dataset::parse(&bundle(&GOOD), "data.bin").unwrap();
    assert_eq!(d.user_ids, vec![1, 5]);
    assert_eq!(d.item_ids, vec![10, 20, 30]);
    assert_eq!(d.user_items(0), &[0, 2]);
    assert_eq!(d.user_items(1), &[1]);
    assert_eq!(d.ratings, 4);
    assert_eq!(d.to_bundle(), bundle(&GOOD));
}

#[test]
fn bundle_counts_must_be_sane() {
    bundle_err(&bundle(&[0, 0, 0, 0]), "no users");
    bundle_err(&bundle(&[1, 0, 0, 0, 1]), "no items");
    // user 5 has no items: 2 users, 1 item, 1 interaction
    bundle_err(&bundle(&[2, 1, 1, 1, 1, 4, 10, 1, 0, 0]), "no items");
    // counts that do not add up
    bundle_err(&with(&[(2, 4)]), "interactions");
    bundle_err(&with(&[(2, 2)]), "interactions");
    // fewer ratings than distinct interactions
    bundle_err(&with(&[(3, 2)]), "ratings");
    // an item no user has (4 items, index 3 unused)
    bundle_err(
        &bundle(&[2, 4, 3, 3, 1, 4, 10, 10, 10, 10, 2, 0, 2, 1, 1]),
        "item id 40",
    );
    // a user with more items than there are
    bundle_err(&with(&[(9, 4)]), "items");
}

#[test]
fn bundle_ids_must_be_strictly_ascending_without_overflow() {
    bundle_err(&with(&[(5, 0)]), "user ids");
    bundle_err(&with(&[(7, 0)]), "item ids");
    bundle_err(&with(&[(5, u64::MAX)]), "user ids");
    // item index deltas: a repeated index (delta 0 after the first)
    bundle_err(&with(&[(11, 0)]), "item indices");
    // item index out of range
    bundle_err(&with(&[(13, 3)]), "out of range");
    bundle_err(&with(&[(11, 1 << 40)]), "out of range");
}

#[test]
fn bundle_varints_must_be_minimal_and_fit_u64() {
    let good = bundle(&GOOD);
    let at = BUNDLE_MAGIC.len();
    let splice = |code: &[u8]| {
        let mut b = good[..at].to_vec();
        b.extend_from_slice(code);
        b.extend_from_slice(&good[at + 1..]);
        b
    };
    // n_users = 2 written in two bytes
    bundle_err(&splice(&[0x82, 0x00]), "varint");
    // eleven bytes
    let mut long = vec![0x82];
    long.extend([0x80; 9]);
    long.push(0x00);
    bundle_err(&splice(&long), "varint");
    // ten bytes overflowing u64 (2^64)
    let mut over = vec![0x80; 9];
    over.push(0x02);
    bundle_err(&splice(&over), "varint");
    // u64::MAX itself is a valid varint (then refused as a count, not as a varint)
    let mut max = vec![0xff; 9];
    max.push(0x01);
    let (_, m) = parse_err(&splice(&max), "data.bin");
    assert!(!m.contains("varint"), "{m}");
}

#[test]
fn bundle_trailing_bytes_and_truncation_are_refused() {
    let mut b = bundle(&GOOD);
    b.push(0);
    bundle_err(&b, "trailing");
    let good = bundle(&GOOD);
    for cut in BUNDLE_MAGIC.len()..good.len() {
        bundle_err(&good[..cut], "");
    }
    let (_, m) = parse_err(b"MEMBERLENS-BUNDLE-2\n\x01", "data.bin");
    assert!(m.contains("version"), "{m}");
}

// ---------------------------------------------------------------------------------------------
// Real data and fuzz regressions

#[test]
fn real_ratings_csv_has_the_documented_size_and_physical_error_lines() {
    let path = common::real_ratings_path();
    let bytes = std::fs::read(&path).unwrap();
    assert!(
        bytes.windows(2).any(|w| w == b"\r\n"),
        "ml-latest-small ratings.csv is CRLF"
    );
    let d = Dataset::parse(&bytes, "ratings.csv").unwrap();
    assert_eq!(
        (d.n_users(), d.n_items(), d.n_interactions(), d.ratings),
        (610, 9724, 100_836, 100_836)
    );
    // Break the rating of physical line 50 001 (a CRLF file): the error names that line.
    let starts: Vec<usize> = std::iter::once(0)
        .chain(
            bytes
                .iter()
                .enumerate()
                .filter(|(_, &b)| b == b'\n')
                .map(|(i, _)| i + 1),
        )
        .collect();
    let line = &bytes[starts[50_000]..starts[50_001]];
    let comma = starts[50_000] + line.iter().rposition(|&b| b == b',').unwrap();
    let mut broken = bytes.clone();
    broken[comma - 1] = b'?';
    let (at, m) = parse_err(&broken, "ratings.csv");
    assert_eq!(at, 50_001, "{m}");
}

fn replay(dir: &str, check: fn(&[u8])) -> usize {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz_regressions")
        .join(dir);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let mut failed = Vec::new();
    for f in &files {
        let bytes = std::fs::read(f).unwrap();
        if std::panic::catch_unwind(|| check(&bytes)).is_err() {
            failed.push(f.display().to_string());
        }
    }
    assert!(failed.is_empty(), "fuzz regressions fail: {failed:?}");
    files.len()
}

#[test]
fn every_kept_fuzz_input_passes_the_fuzz_checks() {
    let n = replay("parse", check::data);
    assert!(n > 0, "tests/fuzz_regressions/parse is empty");
    let n = replay("config", check::config);
    assert!(n > 0, "tests/fuzz_regressions/config is empty");
    let n = replay("audit_lists", check::audit_lists);
    assert!(n > 0, "tests/fuzz_regressions/audit_lists is empty");
}

/// The audit's lists parser on hostile input: each refusal names the file, the line and the field
/// in one clean line (no echoed escape codes, no megabyte message, no stack overflow).
#[test]
fn hostile_audit_lists_are_refused_with_file_line_and_field() {
    use memberlens::audit::input::parse_lists;
    let refuse = |bytes: &[u8]| {
        let e = parse_lists(bytes, "lists.csv").expect_err("refused");
        check::message_is_clean(&e);
        e.to_string()
    };
    let m = refuse(b"user,list\n1,2\n\x1b[31mevil,3\n");
    assert!(m.starts_with("lists.csv:3: user: "), "{m}");
    let mut long = b"user,list\n1,".to_vec();
    long.extend(std::iter::repeat_n(b'9', 200_000));
    let m = refuse(&long);
    assert!(m.starts_with("lists.csv:2: list: "), "{m}");
    assert!(m.len() < 400, "{} characters", m.len());
    let m = refuse(&[b'['; 100_000]);
    assert!(m.starts_with("lists.csv:1: "), "{m}");
    let m = refuse(b"{\"user\":1,\"list\":[1]}\n{\"user\":2,\"list\":[[[[1]]]]}\n");
    assert!(m.starts_with("lists.csv:2: list: "), "{m}");
    let m = refuse(b"user,list\n1\x00,2\n");
    assert!(m.starts_with("lists.csv:2: user: "), "{m}");
    let m = refuse("[{\"user\":1,\"list\":[1],\"a\u{2028}b\":1}]".as_bytes());
    assert!(m.starts_with("lists.csv:1: unknown field "), "{m}");
    let m = refuse("\u{feff}".as_bytes());
    assert_eq!(m, "lists.csv:0: the file is empty");
    // users and items the ratings do not hold: named with their lines, never dropped silently
    let data = Dataset::parse(b"userId,movieId,rating\n1,1,4\n2,2,4\n", "r.csv").unwrap();
    let e = memberlens::audit::read_lists(b"user,list\n1,1\n99,2\n", "lists.csv", &data, false)
        .expect_err("unknown user");
    assert!(e.to_string().starts_with("lists.csv:3: user: "), "{e}");
    let e = memberlens::audit::read_lists(b"user,list\n99,1\n98,2\n", "lists.csv", &data, true)
        .expect_err("nothing left");
    check::message_is_clean(&e);
}
