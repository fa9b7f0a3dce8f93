//! "Would it spot you?": reading and checking the picks, the reader's placement, determinism.

use super::*;
use crate::experiment::pipeline::Halves;

fn picks(ids: &[u64]) -> Vec<Pick> {
    ids.iter()
        .enumerate()
        .map(|(i, &id)| Pick { id, line: i + 1 })
        .collect()
}

fn small() -> (Arc<Dataset>, Config) {
    let data = crate::synth::dataset(60, 80, 1_500, 3);
    let cfg = Config {
        epochs: 2,
        vector_epochs: 2,
        attack_epochs: 2,
        ..Config::default()
    };
    (data, cfg)
}

fn run(data: &Dataset, cfg: &Config, ids: &[u64]) -> YouReport {
    let mut y = You::new(data, cfg.clone(), &picks(ids), "picks").unwrap();
    while !y.step().unwrap().done {}
    y.report().unwrap().clone()
}

#[test]
fn one_id_per_line_with_any_line_end_and_blank_lines() {
    let p = parse_picks(b"10\r\n\r\n20\n 30 \r40\n", "you.txt").unwrap();
    let got: Vec<(u64, usize)> = p.iter().map(|p| (p.id, p.line)).collect();
    assert_eq!(got, vec![(10, 1), (20, 3), (30, 4), (40, 5)]);
}

#[test]
fn csv_with_a_movie_id_column_and_quoted_commas() {
    let text = "title,movieId,genres\n\"Heat, the\",6,Action\n\"Toy Story\",1,Comedy\n";
    let p = parse_picks(text.as_bytes(), "movies.csv").unwrap();
    assert_eq!(p, vec![Pick { id: 6, line: 2 }, Pick { id: 1, line: 3 }]);
}

#[test]
fn bad_files_are_refused_naming_the_line() {
    let e = |text: &str| {
        parse_picks(text.as_bytes(), "you.txt")
            .unwrap_err()
            .to_string()
    };
    assert_eq!(
        e("1\n2\nthree\n"),
        "you.txt:3: 'three' is not a movie id (a whole number)"
    );
    assert_eq!(
        e("title,genres\nx,y\n"),
        "you.txt:1: neither a movie id nor a CSV header with a movieId column"
    );
    assert_eq!(
        e("movieId,title\n5,x\n,y\n"),
        "you.txt:3: '' is not a movie id (a whole number)"
    );
    assert!(e("\n\n").starts_with("you.txt:0: no movie ids"));
}

#[test]
fn picks_are_checked_against_the_data_set() {
    let (data, _) = small();
    let ids: Vec<u64> = data.item_ids[..21].to_vec();
    let e = |p: &[Pick]| resolve(&data, p, "you.txt").unwrap_err().to_string();
    assert_eq!(
        e(&picks(&ids[..4])),
        "you.txt:0: 4 movies picked: pick 5 to 20 distinct movies"
    );
    assert_eq!(
        e(&picks(&ids)),
        "you.txt:0: 21 movies picked: pick 5 to 20 distinct movies"
    );
    let mut twice = ids[..6].to_vec();
    twice[4] = twice[1];
    assert_eq!(
        e(&picks(&twice)),
        format!(
            "you.txt:5: movie {} is picked twice (pick each movie once)",
            twice[1]
        )
    );
    let unknown = data.item_ids.last().unwrap() + 1;
    let mut bad = ids[..6].to_vec();
    bad[2] = unknown;
    assert_eq!(
        e(&picks(&bad)),
        format!("you.txt:3: movie {unknown} is not in the data set (nobody rated it)")
    );
    let ok = resolve(
        &data,
        &picks(&[ids[7], ids[2], ids[5], ids[0], ids[9]]),
        "p",
    )
    .unwrap();
    assert_eq!(ok, vec![0, 2, 5, 7, 9]);
}

#[test]
fn the_reader_joins_the_target_and_everyone_else_is_split_as_usual() {
    let (data, cfg) = small();
    let plain = Halves::split(&data, &cfg).unwrap();
    let with_you = data.with_user(&[1, 4, 9]);
    let n = data.n_users() as u32;
    assert_eq!(with_you.user_items(n as usize), &[1, 4, 9]);
    for member in [true, false] {
        let h = Halves::split_placing(&with_you, &cfg, Some(member)).unwrap();
        assert_eq!(h.shadow.users, plain.shadow.users);
        let (mut m, mut nm) = (
            plain.target.users.members.clone(),
            plain.target.users.non_members.clone(),
        );
        if member {
            m.push(n)
        } else {
            nm.push(n)
        }
        assert_eq!(
            (
                h.target.users.members.clone(),
                h.target.users.non_members.clone()
            ),
            (m, nm)
        );
        // Every other member's held-out items are the ordinary run's.
        let k = plain.target.heldout.len();
        assert_eq!(h.target.heldout[..k], plain.target.heldout[..]);
    }
}

#[test]
fn the_same_picks_give_the_same_report_and_the_two_runs_place_the_reader() {
    let (data, cfg) = small();
    let ids: Vec<u64> = [3, 8, 15, 22, 40, 51]
        .iter()
        .map(|&i| data.item_ids[i])
        .collect();
    let a = run(&data, &cfg, &ids);
    assert_eq!(a, run(&data, &cfg, &ids));
    assert!(a.as_member.member && !a.as_non_member.member);
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    assert_eq!(a.picks, sorted);
    for s in [&a.as_member, &a.as_non_member] {
        // Lists come from the items the service knows (here fewer than top_n).
        assert!(!s.list.is_empty() && s.list.len() <= cfg.top_n as usize);
        assert_eq!(
            s.member_scores.len() + s.non_member_scores.len() + 1,
            s.users
        );
        assert_eq!(s.flagged, s.score >= s.threshold);
        let below = s
            .member_scores
            .iter()
            .chain(&s.non_member_scores)
            .filter(|&&x| x < s.score)
            .count();
        assert_eq!(s.percentile, 100.0 * below as f64 / (s.users - 1) as f64);
        assert!(s.rank >= 1 && s.rank <= s.users);
    }
    // Other picks, another member list.
    let other: Vec<u64> = [1, 2, 5, 30, 60]
        .iter()
        .map(|&i| data.item_ids[i])
        .collect();
    assert_ne!(run(&data, &cfg, &other).as_member.list, a.as_member.list);
}
