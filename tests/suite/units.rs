//! Jobs as units (experiment::units): the frontier on 1, 2 and 3 threads gives the stepped
//! frontier's report bit for bit; pieces aggregated in any order, after a trip through JSON values,
//! give the same report; missing, repeated or foreign pieces are refused; the CLI's
//! `frontier --jobs` prints the same JSON for 1 and 2 jobs.

#![cfg(not(target_arch = "wasm32"))]

use crate::common;

use std::process::Command;

use memberlens::config::Protocol;
use memberlens::defence::DefenceKind as D;
use memberlens::experiment::frontier::{Frontier, FrontierPart};
use memberlens::experiment::parallel::{self, Workers};
use memberlens::experiment::units::{JobSpec, Piece, Plan, Report, Unit};
use memberlens::recommender::RecommenderKind as K;
use memberlens::sweep::Sweep;

const DEFENCES: [D; 2] = [D::ScoreNoise, D::DpSgd];
const PROTOCOLS: [Protocol; 2] = [Protocol::Popular, Protocol::FoldIn];
const STRENGTHS: [f64; 3] = [0.0, 0.5, 1.0];
const SEEDS: [u32; 2] = [0, 1];
// 5 is the base epoch count: that natural point is the undefended run itself.
const NATURAL: [u32; 3] = [3, 5, 8];

fn frontier_spec() -> JobSpec {
    JobSpec::Frontier {
        defences: DEFENCES.to_vec(),
        strengths: STRENGTHS.to_vec(),
        seeds: SEEDS.to_vec(),
        natural_epochs: NATURAL.to_vec(),
        protocols: PROTOCOLS.to_vec(),
    }
}

fn json<T: serde::Serialize>(r: &T) -> String {
    serde_json::to_string(r).unwrap()
}

/// Runs every unit of `plan` alone and returns the pieces.
fn pieces(plan: &Plan, fine: bool) -> Vec<Piece> {
    plan.units(fine)
        .iter()
        .map(|u| {
            let mut run = plan.start(u.unit, None).unwrap();
            while !run.step().unwrap().done {}
            run.piece().unwrap().clone()
        })
        .collect()
}

fn data_again() -> std::sync::Arc<memberlens::Dataset> {
    common::synthetic(120, 200, 11)
}

#[test]
fn frontier_reports_are_identical_for_1_2_and_3_jobs_and_equal_the_stepped_frontier() {
    let data = data_again();
    let reports: Vec<String> = [1, 2, 3]
        .iter()
        .map(|&jobs| {
            json(
                &parallel::frontier(
                    data.clone(),
                    common::small_config(),
                    &PROTOCOLS,
                    &DEFENCES,
                    &STRENGTHS,
                    &SEEDS,
                    &NATURAL,
                    Workers::new(jobs),
                )
                .unwrap(),
            )
        })
        .collect();
    // Without a clock every timing is 0 (`wall` too), so the whole JSON text can be compared.
    assert_eq!(reports[0], reports[1], "1 vs 2 jobs");
    assert_eq!(reports[0], reports[2], "1 vs 3 jobs");
    let mut stepped = Frontier::panels(
        data,
        common::small_config(),
        &PROTOCOLS,
        &DEFENCES,
        &STRENGTHS,
        &SEEDS,
        &NATURAL,
    )
    .unwrap();
    while !stepped.step().unwrap().done {}
    let mut stepped_json: serde_json::Value = serde_json::to_value(stepped.report()).unwrap();
    stepped_json["timings_ms"]
        .as_object_mut()
        .unwrap()
        .insert("wall".into(), 0.0.into());
    // As values (key order aside), built from the reports: no float parsed back from text.
    let v = serde_json::to_value(
        parallel::frontier(
            data_again(),
            common::small_config(),
            &PROTOCOLS,
            &DEFENCES,
            &STRENGTHS,
            &SEEDS,
            &NATURAL,
            Workers::new(2),
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(v, stepped_json);
    // The points differ from each other: the comparison is not between constants.
    // (Recall: with centred factors the attack reads ROC-AUC 1.0 at several of these points.)
    for panel in 0..2 {
        let p = &v["panels"][panel];
        let dp = &p["defences"][1]["points"];
        assert_ne!(
            dp[0]["runs"][0]["recall_at_n"],
            dp[2]["runs"][0]["recall_at_n"]
        );
        assert_ne!(
            dp[2]["runs"][0]["recall_at_n"],
            dp[2]["runs"][1]["recall_at_n"]
        );
        // Under the config's init, then the other: the base point of the other init trains.
        let natural = p["natural"].as_array().unwrap();
        assert_eq!(natural.len(), 6);
        assert_eq!(natural[1]["runs"], p["undefended"]["runs"]);
        assert_ne!(natural[4]["runs"], p["undefended"]["runs"]);
        assert_eq!(natural[1]["init"], "centred");
        assert_eq!(natural[4]["init"], "positive");
        assert_eq!(natural[4]["epochs"], natural[1]["epochs"]);
    }
    assert_ne!(
        v["panels"][0]["undefended"]["runs"],
        v["panels"][1]["undefended"]["runs"]
    );
}

#[test]
fn pieces_in_any_order_after_a_trip_through_json_values_give_the_same_report() {
    let data = common::synthetic(100, 160, 3);
    let plan = Plan::new(data.clone(), common::small_config(), &frontier_spec()).unwrap();
    let fine = pieces(&plan, true);
    // Per protocol and seed: base, one dp-sgd point per strength > 0, natural 3 and 8 under the
    // config's init and 3, 8 and the base epochs under the other.
    assert_eq!(fine.len(), 2 * 2 * (1 + 2 + 2 + 3));
    let coarse = pieces(&plan, false);
    assert_eq!(coarse.len(), 4);
    let strip = |r: Report| {
        let mut v = serde_json::to_value(&r).unwrap();
        v.as_object_mut().unwrap().remove("timings_ms");
        v.to_string()
    };
    let want = strip(plan.aggregate(&coarse).unwrap());
    // Reversed and rotated, and through serde_json::Value (f64 kept exactly, no text parsing).
    let mut shuffled: Vec<Piece> = fine
        .iter()
        .rev()
        .map(|p| serde_json::from_value(serde_json::to_value(p).unwrap()).unwrap())
        .collect();
    shuffled.rotate_left(3);
    assert_eq!(strip(plan.aggregate(&shuffled).unwrap()), want);

    // So far (issue 18: the page draws the frontier while it runs): nothing before a panel's
    // undefended runs are all in; then the points whose every seed is in, with the final numbers.
    let slot = |p: &Piece| match p.unit {
        Unit::Frontier { seed_index, .. } => seed_index,
        _ => unreachable!(),
    };
    let base = |p: &Piece| {
        matches!(
            p.unit,
            Unit::Frontier {
                part: FrontierPart::Base,
                ..
            }
        )
    };
    let so_far = |ps: Vec<Piece>| {
        let Report::Frontier(f) = plan.frontier_so_far(&ps).unwrap() else {
            panic!("not a frontier")
        };
        serde_json::to_value(&f).unwrap()
    };
    let full = serde_json::to_value(plan.aggregate(&fine).unwrap()).unwrap();
    let v = so_far(fine.iter().filter(|p| slot(p) == 0).cloned().collect());
    assert_eq!(v["panels"].as_array().unwrap().len(), 0, "one of two seeds");
    // Slot 0 whole, slot 1's base part only: popular's serving-level points and dp-sgd's strength 0.
    let v = so_far(
        fine.iter()
            .filter(|p| slot(p) == 0 || (slot(p) == 1 && base(p)))
            .cloned()
            .collect(),
    );
    let (got, want) = (&v["panels"][0], &full["panels"][0]);
    assert_eq!(v["panels"].as_array().unwrap().len(), 1);
    assert_eq!(got["undefended"], want["undefended"]);
    assert_eq!(
        got["defences"][0], want["defences"][0],
        "score-noise: every point"
    );
    assert_eq!(got["defences"][1]["points"].as_array().unwrap().len(), 1);
    assert_eq!(
        got["defences"][1]["points"][0],
        want["defences"][1]["points"][0]
    );
    assert_eq!(got["notes"].as_array().unwrap().len(), 0);
    // Every piece: the final panels, notes aside.
    let mut v = so_far(fine.clone());
    for (g, w) in v["panels"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .zip(full["panels"].as_array().unwrap())
    {
        g["notes"] = w["notes"].clone();
        g["chart_note"] = w["chart_note"].clone();
    }
    assert_eq!(v["panels"], full["panels"]);

    // A missing or repeated piece is an error, never a silent report.
    let e = plan.aggregate(&fine[1..]).unwrap_err().to_string();
    assert!(e.contains("not every point has one run per seed"), "{e}");
    let mut twice = fine.clone();
    twice[1] = fine[0].clone();
    assert!(plan.aggregate(&twice).is_err());

    // A sweep: pieces of another job are refused; any order gives the stepped report.
    let spec = JobSpec::Sweep {
        param: "k".into(),
        values: vec![4.0, 8.0],
        seeds: vec![0, 1],
    };
    let sweep = Plan::new(data.clone(), common::small_config(), &spec).unwrap();
    let e = sweep.aggregate(&fine[..4]).unwrap_err().to_string();
    assert!(e.contains("none for Run"), "{e}");
    let mut runs = pieces(&sweep, true);
    runs.reverse();
    let mut stepped = Sweep::new(data, common::small_config(), "k", &[4.0, 8.0], &[0, 1]).unwrap();
    while !stepped.step().unwrap().done {}
    let Report::Sweep(r) = sweep.aggregate(&runs).unwrap() else {
        panic!("a sweep report")
    };
    assert_eq!(json(&r.points), json(&stepped.report().unwrap().points));
    // A value's point alone equals that point of the report.
    assert_eq!(
        json(&sweep.sweep_point(1, &runs[..2]).unwrap()),
        json(&r.points[1])
    );
    assert!(sweep.start(Unit::Run { run: 4 }, None).is_err());
    let part = FrontierPart::Train {
        defence: 0,
        strength: 1,
    };
    // Score noise is a serving defence: it has no training-level part.
    let e = plan
        .start(
            Unit::Frontier {
                seed_index: 0,
                part,
            },
            None,
        )
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("is not a part of this frontier"), "{e}");
}

#[test]
fn a_matrix_is_the_same_stepped_coarse_fine_and_on_1_2_3_threads() {
    use memberlens::experiment::matrix::Matrix;
    use memberlens::experiment::served::ServedCache;
    use std::sync::Arc;
    let data = common::synthetic(100, 160, 4);
    let kinds = [K::Lfm, K::Popularity, K::ItemKnn];
    let spec = JobSpec::Matrix {
        recommenders: kinds.to_vec(),
        seeds: vec![0, 1],
    };
    let cells =
        |m: &memberlens::experiment::matrix::MatrixReport| (json(&m.cells), json(&m.utility));
    let mut stepped = Matrix::new(data.clone(), common::small_config(), &kinds, &[0, 1]).unwrap();
    while !stepped.step().unwrap().done {}
    let want = cells(stepped.report().unwrap());

    // Coarse (one worker): a unit per seed. Aggregated in any order.
    let plan = Plan::new(data.clone(), common::small_config(), &spec).unwrap();
    let coarse = plan.units(false);
    assert_eq!(coarse.len(), 2);
    assert!(coarse.iter().all(|u| u.needs.is_empty()));
    let mut p = pieces(&plan, false);
    p.swap(0, 1);
    let Report::Matrix(m) = plan.aggregate(&p).unwrap() else {
        panic!("a matrix report")
    };
    assert_eq!(cells(&m), want, "coarse units");

    // Fine: per seed, a training unit per algorithm, then the seed's attack needing them.
    let fine = plan.units(true);
    let kinds_of: Vec<String> = fine.iter().map(|u| format!("{:?}", u.unit)).collect();
    assert_eq!(fine.len(), 8, "{kinds_of:?}");
    assert_eq!(fine[3].unit, Unit::Seed { seed_index: 0 });
    assert_eq!(fine[3].needs, vec![0, 1, 2]);
    assert_eq!(fine[7].needs, vec![4, 5, 6]);
    assert_eq!(fine[5].served, Some(5));
    // Worker A trains seed 0's algorithms; worker B gets two of the three lists sent (the third
    // it trains itself) and runs the seed's attack: the same numbers as trained in place.
    let a = Plan::new(data.clone(), common::small_config(), &spec)
        .unwrap()
        .with_cache(Arc::new(ServedCache::new(6)));
    let b_cache = Arc::new(ServedCache::new(6));
    let b = Plan::new(data.clone(), common::small_config(), &spec)
        .unwrap()
        .with_cache(b_cache.clone());
    let mut fine_pieces = Vec::new();
    for u in &fine[..3] {
        let mut run = a.start(u.unit, None).unwrap();
        while !run.step().unwrap().done {}
        assert!(!run.reused());
        fine_pieces.push(run.piece().unwrap().clone());
    }
    for u in &fine[..2] {
        b.import_served(u.unit, a.export_served(u.unit).expect("served on A"))
            .unwrap();
    }
    assert_eq!(b_cache.len(), 2);
    let mut attack = b.start(fine[3].unit, None).unwrap();
    let mut taken = 0;
    loop {
        let p = attack.step().unwrap();
        taken += usize::from(p.message.contains("trained by another unit"));
        if p.done {
            break;
        }
    }
    assert_eq!(
        taken, 4,
        "two algorithms' target and shadow halves came from the cache"
    );
    fine_pieces.push(attack.piece().unwrap().clone());
    // Seed 1 wholly on B: its attack finds every list in B's cache; a training unit run again
    // finds its lists there and trains nothing.
    for u in &fine[4..] {
        fine_pieces.push(run_unit(&b, u.unit));
    }
    let mut again = b.start(fine[4].unit, None).unwrap();
    let p = again.step().unwrap();
    assert!(p.done && again.reused());
    // Its progress places it in the whole matrix: seed 2 of 2.
    assert_eq!((p.run_index, p.run_count), (1, 2));
    fine_pieces.reverse();
    let Report::Matrix(m) = plan.aggregate(&fine_pieces).unwrap() else {
        panic!("a matrix report")
    };
    assert_eq!(cells(&m), want, "fine units across two workers");
    // A fine job misses a piece: refused, not aggregated as coarse.
    fine_pieces.remove(0);
    assert!(plan.aggregate(&fine_pieces).is_err());
    // Lists of one algorithm are refused for another.
    let lists = a.export_served(fine[0].unit).unwrap();
    assert!(b.import_served(fine[1].unit, lists).is_err());

    for jobs in [1, 2, 3] {
        let par = parallel::matrix(
            data.clone(),
            common::small_config(),
            &kinds,
            &[0, 1],
            Workers::new(jobs),
        )
        .unwrap();
        assert_eq!(cells(&par), want, "{jobs} threads");
    }
}

#[test]
fn cli_frontier_json_is_the_same_for_1_and_2_jobs() {
    let d = common::synthetic(80, 120, 5);
    let path = common::write_ratings_csv(&d, "front");
    let run = |jobs: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_memberlens"))
            .args(["frontier", "--defences", "score-noise,dp-sgd"])
            .args([
                "--strengths",
                "0,1",
                "--seeds",
                "0",
                "--natural-epochs",
                "3",
            ])
            .args(["--epochs", "5", "--top-n", "10", "--jobs", jobs, "--json"])
            .args(["--ratings", path.to_str().unwrap()])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert!(v["timings_ms"]["wall"].as_f64().unwrap() > 0.0);
        v.as_object_mut().unwrap().remove("timings_ms");
        v
    };
    let one = run("1");
    assert_eq!(one, run("2"));
    assert_eq!(one["panels"].as_array().unwrap().len(), 2);
    assert_eq!(one["panels"][0]["defences"].as_array().unwrap().len(), 2);
    std::fs::remove_file(&path).ok();
}

/// A k-sweep's plan (the attacker's vector length over 3 values, 2 seeds) on `data`.
fn k_sweep_plan(data: &std::sync::Arc<memberlens::Dataset>) -> (JobSpec, Plan) {
    let spec = JobSpec::Sweep {
        param: "vector_k".into(),
        values: vec![4.0, 8.0, 12.0],
        seeds: SEEDS.to_vec(),
    };
    let plan = Plan::new(data.clone(), common::small_config(), &spec).unwrap();
    (spec, plan)
}

fn run_unit(plan: &Plan, unit: Unit) -> Piece {
    let mut run = plan.start(unit, None).unwrap();
    while !run.step().unwrap().done {}
    run.piece().unwrap().clone()
}

#[test]
fn a_k_sweep_shares_each_seeds_recommenders_across_workers_with_the_same_numbers() {
    use memberlens::experiment::served::ServedCache;
    use std::sync::Arc;
    let data = data_again();
    let (spec, plain) = k_sweep_plan(&data);
    // Runs of one seed share `served` (the key of the seed's first run); a recommender sweep's
    // runs share nothing.
    let units = plain.units(true);
    let served: Vec<Option<usize>> = units.iter().map(|u| u.served).collect();
    assert_eq!(served, [0, 1, 0, 1, 0, 1].map(Some).to_vec());
    let lr = JobSpec::Sweep {
        param: "lr".into(),
        values: vec![0.01, 0.02],
        seeds: SEEDS.to_vec(),
    };
    let lr_plan = Plan::new(data.clone(), common::small_config(), &lr).unwrap();
    assert!(lr_plan.units(true).iter().all(|u| u.served.is_none()));

    // Worker A trains seed 1 (run 1) and exports what it served; worker B imports it and runs
    // seed 1's other values without training: every piece equals a fresh run's (timings aside).
    let fresh: Vec<Piece> = units.iter().map(|u| run_unit(&plain, u.unit)).collect();
    let same = |a: &Piece, b: &Piece| {
        assert_eq!(json(&a.outcome), json(&b.outcome));
        assert_eq!(a.unit, b.unit);
    };
    let a = Plan::new(data.clone(), common::small_config(), &spec)
        .unwrap()
        .with_cache(Arc::new(ServedCache::new(4)));
    same(&run_unit(&a, Unit::Run { run: 1 }), &fresh[1]);
    let lists = a
        .export_served(Unit::Run { run: 1 })
        .expect("seed 1 is served");
    assert!(
        a.export_served(Unit::Run { run: 0 }).is_none(),
        "seed 0 never ran here"
    );
    let b_cache = Arc::new(ServedCache::new(4));
    let b = Plan::new(data.clone(), common::small_config(), &spec)
        .unwrap()
        .with_cache(b_cache.clone());
    b.import_served(Unit::Run { run: 3 }, lists.clone())
        .unwrap();
    assert_eq!(b_cache.len(), 1);
    same(&run_unit(&b, Unit::Run { run: 3 }), &fresh[3]);
    same(&run_unit(&b, Unit::Run { run: 5 }), &fresh[5]);
    // Seed 0 was not sent: B trains it, as a fresh run would.
    same(&run_unit(&b, Unit::Run { run: 4 }), &fresh[4]);
    assert_eq!(b_cache.len(), 2);

    // Lists of another seed, or that do not fit the split, are refused with a reason.
    let e = b
        .import_served(Unit::Run { run: 0 }, lists.clone())
        .unwrap_err();
    assert!(e.to_string().contains("another setting"), "{e}");
    let mut short = lists.clone();
    short.target.lists.pop();
    let e = b.import_served(Unit::Run { run: 3 }, short).unwrap_err();
    assert!(e.to_string().contains("do not fit"), "{e}");
    let mut foreign = lists;
    foreign.target.lists[0][0] = u32::MAX;
    assert!(b.import_served(Unit::Run { run: 3 }, foreign).is_err());
}

#[test]
fn a_k_sweep_is_the_same_on_1_2_and_3_threads_and_equals_the_stepped_sweep() {
    let data = data_again();
    let (spec, _) = k_sweep_plan(&data);
    let reports: Vec<String> = [1, 2, 3]
        .iter()
        .map(|&jobs| {
            let mut r = parallel::run(
                data.clone(),
                common::small_config(),
                &spec,
                Workers::new(jobs),
            )
            .unwrap();
            r.timings_mut().clear();
            json(&r)
        })
        .collect();
    assert_eq!(reports[0], reports[1]);
    assert_eq!(reports[0], reports[2]);
    let mut stepped = Sweep::new(
        data.clone(),
        common::small_config(),
        "vector_k",
        &[4.0, 8.0, 12.0],
        &SEEDS,
    )
    .unwrap();
    while !stepped.step().unwrap().done {}
    let mut want = stepped.report().unwrap().clone();
    want.timings_ms.clear();
    assert_eq!(reports[0], json(&want));
}

/// A lira run: its reference models as units on 1, 2 and 3 threads, or trained on one worker and
/// sent to another through `export_served` / `import_served`, give the stepped run's report.
#[test]
fn a_lira_run_is_the_same_stepped_and_with_its_references_as_units() {
    use memberlens::attack::AttackKind;
    use memberlens::config::Config;
    use memberlens::experiment::served::ServedCache;
    use memberlens::pipeline::Pipeline;
    use std::sync::Arc;
    let data = common::synthetic(100, 160, 6);
    let cfg = Config {
        attack: AttackKind::Lira,
        lira_references: 4,
        protocol: Protocol::FoldIn,
        ..common::small_config()
    };
    let strip = |r: &memberlens::report::RunReport| {
        let mut v = serde_json::to_value(r).unwrap();
        v.as_object_mut().unwrap().remove("timings_ms");
        v
    };
    let mut stepped = Pipeline::new(data.clone(), cfg.clone()).unwrap();
    let want = strip(stepped.run_to_end().unwrap());
    // Not a constant score: the references made a ranking (the AUC of 4 references on this tiny
    // fold-in data set is near chance, which the comparison below does not need).
    assert!(want["roc"]["fpr"].as_array().unwrap().len() > 10, "{want}");
    for jobs in [1, 2, 3] {
        let r = parallel::single(data.clone(), cfg.clone(), Workers::new(jobs)).unwrap();
        assert_eq!(strip(&r), want, "{jobs} threads");
    }
    // Two workers: the references train on the first, their lists go to the second.
    let spec = JobSpec::Single {};
    let first = Plan::new(data.clone(), cfg.clone(), &spec)
        .unwrap()
        .with_cache(Arc::new(ServedCache::new(8)));
    let second = Plan::new(data.clone(), cfg.clone(), &spec)
        .unwrap()
        .with_cache(Arc::new(ServedCache::new(8)));
    let units = first.units(true);
    assert_eq!(units.len(), 5);
    assert_eq!(units[4].needs, vec![0, 1, 2, 3]);
    let mut pieces = Vec::new();
    let mut wrong = None;
    for u in &units[..4] {
        let mut run = first.start(u.unit, None).unwrap();
        while !run.step().unwrap().done {}
        assert!(!run.reused());
        pieces.push(run.piece().unwrap().clone());
        let sent = first.export_served(u.unit).expect("the reference's lists");
        wrong.get_or_insert_with(|| sent.clone());
        second.import_served(u.unit, sent).unwrap();
        // Sent, not copied: the worker that trained it keeps no reference model.
        assert!(first.export_served(u.unit).is_none());
    }
    assert!(second.import_served(units[1].unit, wrong.unwrap()).is_err());
    let mut run = second.start(Unit::Single, None).unwrap();
    while !run.step().unwrap().done {}
    pieces.push(run.piece().unwrap().clone());
    let Report::Single(r) = second.aggregate(&pieces).unwrap() else {
        panic!("a single report")
    };
    assert_eq!(strip(&r), want);
    // The run took its references out of the second worker's cache (a worker's memory stays
    // bounded): a reference unit started there trains again.
    let mut again = second.start(units[0].unit, None).unwrap();
    while !again.step().unwrap().done {}
    assert!(!again.reused());
}

// ---- a toy run mode defined here, outside the crate (docs/INTERFACES.md "Adding a run mode") ----

use memberlens::experiment::modes::sweep::SweepMode;
use memberlens::experiment::units::{Env, Mode, PlannedUnit, SharedFn, UnitRun};

/// "Sweep of one": one config key at one value, over seeds. Its units, their runs and the report
/// are a one-value sweep's (`SweepMode`); all a new mode needs is this module and the trait.
struct SweepOfOne(SweepMode);

impl SweepOfOne {
    fn new(
        data: &std::sync::Arc<memberlens::Dataset>,
        config: &memberlens::Config,
        param: &str,
        value: f64,
        seeds: &[u32],
    ) -> memberlens::Result<SweepOfOne> {
        Ok(SweepOfOne(SweepMode::new(
            data,
            config,
            param,
            &[value],
            seeds,
        )?))
    }
}

impl Mode for SweepOfOne {
    fn units(&self, fine: bool) -> Vec<PlannedUnit> {
        self.0.units(fine)
    }
    fn start(
        &self,
        env: &Env<'_>,
        unit: Unit,
        clock: Option<SharedFn>,
    ) -> memberlens::Result<UnitRun> {
        self.0.start(env, unit, clock)
    }
    fn served_key(&self, unit: Unit) -> Option<(String, memberlens::Config)> {
        self.0.served_key(unit)
    }
    fn aggregate(&self, pieces: &[Piece]) -> memberlens::Result<Report> {
        self.0.aggregate(pieces)
    }
}

#[test]
fn a_toy_mode_runs_through_the_generic_planner_with_a_one_value_sweeps_numbers() {
    let data = data_again();
    let cfg = common::small_config();
    let seeds = [0, 1, 2];
    let make = || {
        let toy = SweepOfOne::new(&data, &cfg, "vector_k", 6.0, &seeds)?;
        Ok(Plan::from_mode(data.clone(), cfg.clone(), Box::new(toy)))
    };
    let spec = JobSpec::Sweep {
        param: "vector_k".into(),
        values: vec![6.0],
        seeds: seeds.to_vec(),
    };
    let without_timings = |r: Report| {
        let mut v = serde_json::to_value(&r).unwrap();
        v.as_object_mut().unwrap().remove("timings_ms");
        v.to_string()
    };
    let want =
        without_timings(parallel::run(data.clone(), cfg.clone(), &spec, Workers::new(1)).unwrap());
    for jobs in [1, 2] {
        let got = without_timings(parallel::run_plans(&make, Workers::new(jobs)).unwrap());
        assert_eq!(got, want, "{jobs} threads");
    }
    // Unit by unit, in reverse order, as the page's pool would.
    let plan = make().unwrap();
    let mut ps = pieces(&plan, true);
    assert_eq!(ps.len(), seeds.len());
    ps.reverse();
    assert_eq!(without_timings(plan.aggregate(&ps).unwrap()), want);
    // A toy is checked like any mode: a bad value fails before any work.
    assert!(SweepOfOne::new(&data, &cfg, "vector_k", 2.5, &seeds).is_err());
}
