//! The properties the fuzz targets check, shared with the stable replay test
//! (`tests/suite/parse_regressions.rs`) so that every input kept in `tests/fuzz_regressions/` is checked by
//! `cargo test` exactly as the fuzzer checked it. Included with `#[path]`, not a test target itself.

#![allow(dead_code)]

use memberlens::{Config, Dataset, Error};

/// Longest message any error may give (characters): inputs are echoed shortened, so a huge field or
/// key must not make a huge message (error::MESSAGE_MAX plus the file name or key around it).
pub const MESSAGE_LIMIT: usize = 1200;

/// An error message is one short line without control characters (no raw terminal escape codes).
pub fn message_is_clean(e: &Error) {
    let m = e.to_string();
    let n = m.chars().count();
    assert!(n <= MESSAGE_LIMIT, "message of {n} characters");
    assert_eq!(m.lines().count(), 1, "message of several lines: {m:?}");
    assert!(
        !m.chars().any(|c| c.is_control()),
        "control character in message {m:?}"
    );
    assert!(
        !m.contains(['\u{2028}', '\u{2029}', '\u{202e}']),
        "line separator or bidi override in message {m:?}"
    );
}

/// `Dataset::parse` never panics; what parses round-trips through the bundle to an equal data set,
/// and a bundle that parses is the one canonical encoding of its data set.
pub fn data(bytes: &[u8]) {
    const NAME: &str = "fuzz.dat";
    match Dataset::parse(bytes, NAME) {
        Ok(d) => {
            assert!(d.n_users() > 0 && d.n_items() > 0);
            assert!(d.n_interactions() >= d.n_users() && d.n_interactions() >= d.n_items());
            assert!(d.ratings >= d.n_interactions());
            if !bytes.starts_with(memberlens::data::BUNDLE_MAGIC) {
                assert_eq!(
                    d.ratings,
                    text_records(bytes),
                    "records were dropped or invented"
                );
            }
            let b = d.to_bundle();
            let back = match Dataset::parse(&b, NAME) {
                Ok(back) => back,
                Err(e) => panic!("the bundle of a parsed data set does not parse: {e}"),
            };
            assert_eq!(back, d);
            if bytes.starts_with(memberlens::data::BUNDLE_MAGIC) {
                assert_eq!(b, bytes, "a bundle that parses re-encodes to other bytes");
            }
        }
        Err(e) => message_is_clean(&e),
    }
}

/// Records in a text file that parsed, counted independently of the parser: the non-blank pieces
/// between line ends (LF, CR, or both), less the header line of a CSV.
fn text_records(bytes: &[u8]) -> usize {
    let mut pieces = bytes
        .split(|&b| b == b'\n' || b == b'\r')
        .filter(|l| !l.iter().all(|&b| b == b' '));
    let Some(first) = pieces.next() else {
        return 0;
    };
    let csv = !first.windows(2).any(|w| w == b"::") && !first.contains(&b'\t');
    pieces.count() + usize::from(!csv)
}

/// `Config::from_json` never panics on any JSON; a config it accepts is valid and round-trips.
pub fn config(bytes: &[u8]) {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(bytes) else {
        return;
    };
    match Config::from_json(value) {
        Ok(c) => {
            c.check().expect("an accepted config is valid");
            let again = Config::from_json(serde_json::to_value(&c).expect("config serialises"))
                .expect("a serialised config parses");
            assert_eq!(again, c);
        }
        Err(e) => message_is_clean(&e),
    }
}

/// An audit's lists file (`audit::read_lists`, every form: CSV, JSON Lines, a JSON array) never
/// panics; it is read or refused with a clean one-line message naming the file; every record read
/// starts on a line of the file and has a list; and matching it against a small data set (ids
/// 1 … 9), stopping at unknown ids or skipping them, gives dense indices or a clean message.
pub fn audit_lists(bytes: &[u8]) {
    const NAME: &str = "fuzz.lists";
    let raw = match memberlens::audit::input::parse_lists(bytes, NAME) {
        Ok(raw) => raw,
        Err(e) => {
            message_is_clean(&e);
            assert!(e.to_string().starts_with(NAME), "{e}");
            return;
        }
    };
    assert!(!raw.records.is_empty());
    let lines = 1 + bytes.iter().filter(|&&b| b == b'\n' || b == b'\r').count();
    for r in &raw.records {
        assert!((1..=lines).contains(&r.line), "line {} of {lines}", r.line);
        assert!(!r.list.is_empty());
    }
    let mut csv = String::from("userId,movieId,rating\n");
    for u in 1..=9 {
        for i in 1..=9 {
            csv.push_str(&format!("{u},{i},4\n"));
        }
    }
    let data = Dataset::parse(csv.as_bytes(), "r.csv").unwrap();
    for skip in [false, true] {
        match memberlens::audit::read_lists(bytes, NAME, &data, skip) {
            Ok(l) => {
                assert_eq!(l.users.len(), l.lists.len());
                assert!(l.users.iter().all(|&u| (u as usize) < data.n_users()));
                let items = l.lists.iter().chain(l.new_user_list.iter()).flatten();
                assert!(items.copied().all(|i| (i as usize) < data.n_items()));
            }
            Err(e) => message_is_clean(&e),
        }
    }
}
