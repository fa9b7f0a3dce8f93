//! The lists parser's tests: the three forms read the same records; every bad record is refused
//! with its file, line and field.

use super::*;

fn err(text: &str) -> String {
    parse_lists(text.as_bytes(), "l.csv")
        .unwrap_err()
        .to_string()
}

#[test]
fn the_three_forms_read_the_same_records() {
    let csv = "user,member,list,reference_list\n7,true,3 1 2,1 2\n9,,4 5,4\n*new*,,1 4,\n";
    let jsonl = "{\"user\":7,\"member\":true,\"list\":[3,1,2],\"reference_list\":[1,2]}\n\n\
                 {\"user\":\"9\",\"list\":[\"4\",5],\"reference_list\":[4]}\n{\"user\":\"*new*\",\"list\":[1,4]}\n";
    let json = "[\n {\"user\":7,\"member\":true,\"list\":[3,1,2],\"reference_list\":[1,2],\n  \"score\":0.5,\"pca\":[1,2]},\n {\"user\":9,\"member\":null,\"list\":[4,5],\"reference_list\":[4]},\n {\"user\":\"*new*\",\"list\":[1,4]}\n]\n";
    let want_lines = |a: usize, b: usize| RawLists {
        records: vec![
            RawRecord {
                line: a,
                user: 7,
                member: Some(true),
                list: vec![3, 1, 2],
                reference_list: Some(vec![1, 2]),
            },
            RawRecord {
                line: b,
                user: 9,
                member: None,
                list: vec![4, 5],
                reference_list: Some(vec![4]),
            },
        ],
        new_user: None,
    };
    let mut want = want_lines(2, 3);
    want.new_user = Some((4, vec![1, 4]));
    assert_eq!(parse_lists(csv.as_bytes(), "l.csv").unwrap(), want);
    let mut want = want_lines(1, 3);
    want.new_user = Some((4, vec![1, 4]));
    assert_eq!(parse_lists(jsonl.as_bytes(), "l.jsonl").unwrap(), want);
    let mut want = want_lines(2, 4);
    want.new_user = Some((5, vec![1, 4]));
    assert_eq!(parse_lists(json.as_bytes(), "l.json").unwrap(), want);
    // CRLF and CR line ends count the same lines; a BOM and quotes round fields are fine
    let crlf = "\u{feff}user,list\r\n\"7\",\"3 1\"\r\n\r\n9,4\r\n";
    let r = parse_lists(crlf.as_bytes(), "l.csv").unwrap();
    assert_eq!((r.records[0].line, r.records[1].line), (2, 4));
    let cr = "user,list\r7,3\r\r9,4\r";
    let r = parse_lists(cr.as_bytes(), "l.csv").unwrap();
    assert_eq!((r.records[0].line, r.records[1].line), (2, 4));
    // an empty array element list: `[]` holds no user
    assert_eq!(
        parse_lists(b"[ ]", "l.json").unwrap_err().to_string(),
        "l.json:0: no audited user in the file"
    );
}

#[test]
fn bad_records_are_refused_with_file_line_and_field() {
    let cases = [
        ("", "l.csv:0: the file is empty"),
        ("user,list,score\n", "l.csv:1: header: unknown column 'score' (allowed: user, member, list, reference_list)"),
        ("user,member\n", "l.csv:1: header: the columns 'user' and 'list' are required (optional: member, reference_list)"),
        ("user,list,list\n", "l.csv:1: header: column 'list' appears twice"),
        ("user,list\n1,2\n3,4,5\n", "l.csv:3: 3 fields, the header has 2 (a list separates its ids with spaces, not commas)"),
        ("user,list\nx,2\n", "l.csv:2: user: 'x' is not a user id (a whole number, as in the ratings file, or *new*)"),
        ("user,list\n1,2 b 3\n", "l.csv:2: list: 'b' is not an item id (a whole number, as in the ratings file)"),
        ("user,list\n1,  \n", "l.csv:2: list: empty: a list needs at least one item id"),
        ("user,member,list\n1,maybe,2\n", "l.csv:2: member: 'maybe' is not true, false, 1, 0 or empty (unknown)"),
        ("user,member,list\n*new*,true,2\n", "l.csv:2: member: the *new* record (the list a new account got) has a list only"),
        ("user,list\n*new*,2\n*new*,3\n", "l.csv:3: user: a second *new* record (the first is at line 2)"),
        ("user,list\n*new*,2\n", "l.csv:0: no audited user in the file"),
        ("user,list\n1,-2\n", "l.csv:2: list: '-2' is not an item id (a whole number, as in the ratings file)"),
        ("user,list\n1,99999999999999999999999\n", "l.csv:2: list: '99999999999999999999999' is not an item id (a whole number, as in the ratings file)"),
    ];
    for (text, want) in cases {
        assert_eq!(err(text), want, "{text:?}");
    }
    let json = |t: &str| parse_lists(t.as_bytes(), "l.json").unwrap_err().to_string();
    assert_eq!(json("[{\"user\":1,\"list\":[2]},\n{\"user\":2,\n\"list\":[3],\"lst\":[1]}]"), "l.json:2: unknown field 'lst' (allowed: user, member, list, reference_list, and the other fields of `memberlens run --users` records)");
    assert_eq!(
        json("[{\"user\":1,\"list\":[2]},\n\n{\"user\":2,\n\"list\":[3,]}]"),
        "l.json:4: not valid JSON: trailing comma"
    );
    assert_eq!(
        json("[{\"user\":1,\"list\":[2]}\n"),
        "l.json:2: the JSON array is not closed"
    );
    assert_eq!(
        json("[{\"user\":1,\"list\":[2]},]"),
        "l.json:1: not valid JSON: an empty element"
    );
    assert_eq!(
        json("[{\"user\":1,\"list\":[2]}] x"),
        "l.json:1: not valid JSON: something after the closing ]"
    );
    assert_eq!(
        json("[{\"user\":1}]"),
        "l.json:1: list: missing (the ranked item ids the user was served)"
    );
    assert_eq!(
        json("[{\"user\":1.5,\"list\":[2]}]"),
        "l.json:1: user: '1.5' is not a user id (a whole number, as in the ratings file, or *new*)"
    );
    assert_eq!(
        json("[{\"user\":1,\"list\":[2],\"member\":\"yes\"}]"),
        "l.json:1: member: \"yes\" is not true, false or null"
    );
    assert_eq!(
        json("[{\"user\":1,\"list\":[2.5]}]"),
        "l.json:1: list: '2.5' is not an item id (a whole number, as in the ratings file)"
    );
    assert_eq!(
        json("[{\"user\":1,\"list\":[]}]"),
        "l.json:1: list: empty: a list needs at least one item id"
    );
    assert_eq!(
        json("[{\"user\":1,\"list\":7}]"),
        "l.json:1: list: must be an array of item ids"
    );
    assert_eq!(
        json("[1]"),
        "l.json:1: a record must be a JSON object with 'user' and 'list'"
    );
    // a string holding brackets and commas does not split the array
    let ok = parse_lists(
        b"[{\"user\":1,\"list\":[2],\"history\":[\"],[\\\"\"]}]",
        "l.json",
    )
    .unwrap();
    assert_eq!(ok.records[0].list, vec![2]);
    assert_eq!(
        parse_lists(&[b'u', 0xff], "l.csv").unwrap_err().to_string(),
        "l.csv:1: the file is not UTF-8 text"
    );
    let jsonl = parse_lists(
        b"{\"user\":1,\"list\":[2]}\n{\"user\":1,\"list\":[2]\n",
        "l.jsonl",
    )
    .unwrap_err();
    assert_eq!(
        jsonl.to_string(),
        "l.jsonl:2: not valid JSON: EOF while parsing an object"
    );
}
