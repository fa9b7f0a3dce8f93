//! Tests of `ncf` on small hand-made data: a two-taste toy set, the backward pass against finite
//! differences, chunking and fold-in.

use super::grads::Grads;
use super::net::{self, Scratch};
use super::shape::{Net, Shape};
use super::*;
use crate::rng::{below, rng_for, Stream};

/// Two tastes over 40 items: users 0..20 pick about half of items 0..20, users 20..40 of 20..40.
fn two_tastes(seed: u32) -> TrainSet {
    let mut rng = rng_for(seed, Stream::Split);
    let rows: Vec<Vec<u32>> = (0..40u32)
        .map(|u| {
            let base = if u < 20 { 0 } else { 20 };
            let mut r: Vec<u32> = (0..20)
                .filter(|_| below(&mut rng, 2) == 0)
                .map(|i| base + i)
                .collect();
            if r.is_empty() {
                r.push(base);
            }
            r
        })
        .collect();
    TrainSet::new(
        Interactions::from_rows(rows.iter().map(|r| r.as_slice())),
        40,
    )
}

fn params(epochs: u32) -> NcfParams {
    NcfParams {
        factors: 4,
        lr: 0.02,
        epochs,
        negatives: 2,
        reg: 0.0,
    }
}

fn trained(train: &TrainSet, epochs: u32, budget: usize) -> Ncf {
    let mut m = Ncf::new(params(epochs), train, rng_for(1, Stream::TargetModel));
    while !m.train_step(train, budget) {}
    m
}

/// Share of (own item, other-taste item) pairs the scores order correctly.
fn pair_auc(scores: &[f32], own: impl Fn(usize) -> bool) -> f64 {
    let (mut good, mut all) = (0usize, 0usize);
    for (_, &a) in scores.iter().enumerate().filter(|(i, _)| own(*i)) {
        for (_, &b) in scores.iter().enumerate().filter(|(j, _)| !own(*j)) {
            all += 1;
            good += usize::from(a > b);
        }
    }
    good as f64 / all.max(1) as f64
}

#[test]
fn trained_model_ranks_a_users_items_above_random_ones() {
    let train = two_tastes(3);
    let m = trained(&train, 20, usize::MAX);
    let all: Vec<u32> = (0..40).collect();
    let (mut own_auc, mut taste_auc) = (0.0, 0.0);
    for u in 0..40 {
        let s = m.score(&train, Who::Member, u, &all);
        let row = train.interactions.row(u);
        let seen = |i: usize| row.binary_search(&(i as u32)).is_ok();
        own_auc += pair_auc(&s, seen) / 40.0;
        // Generalisation: the taste's items the user never picked still rank above the other
        // taste's (own items left out of the comparison).
        let base = if u < 20 { 0 } else { 20 };
        let unseen: Vec<f32> = (0..40).filter(|&i| !seen(i)).map(|i| s[i]).collect();
        let is_taste: Vec<bool> = (0..40)
            .filter(|&i| !seen(i))
            .map(|i| (base..base + 20).contains(&i))
            .collect();
        taste_auc += pair_auc(&unseen, |j| is_taste[j]) / 40.0;
    }
    eprintln!("own {own_auc} taste {taste_auc}");
    assert!(own_auc > 0.95, "mean AUC of own items {own_auc}");
    assert!(
        taste_auc > 0.8,
        "mean AUC of the taste's unseen items {taste_auc}"
    );
    // An untrained model does neither: the test can fail.
    let fresh = Ncf::new(params(1), &train, rng_for(1, Stream::TargetModel));
    let s = fresh.score(&train, Who::Member, 0, &all);
    assert!(pair_auc(&s, |i| i < 20) < 0.8);
}

#[test]
fn loss_decreases_over_epochs() {
    let train = two_tastes(3);
    let mut m = Ncf::new(params(30), &train, rng_for(1, Stream::TargetModel));
    let mut losses: Vec<f64> = Vec::new();
    while !m.train_step(&train, 1) {
        if let (_, Some(l)) = m.status() {
            if losses.last() != Some(&l) {
                losses.push(l);
            }
        }
    }
    losses.push(m.final_loss().unwrap());
    assert_eq!(losses.len(), 30, "{losses:?}");
    let (first, last) = (losses[0], losses[29]);
    // BCE of a coin is ln 2 ≈ 0.69; the model must get far below it.
    assert!(first > 0.45 && last < first * 0.6, "{first} -> {last}");
}

#[test]
fn chunking_does_not_change_training_or_fold_in() {
    let train = two_tastes(4);
    let rows: [&[u32]; 3] = [&[0, 3, 5, 7], &[22, 25], &[1, 30]];
    let run = |budget: usize| {
        let mut m = trained(&train, 6, budget);
        m.begin_fold_in(
            &train,
            Interactions::from_rows(rows),
            rng_for(1, Stream::TargetFoldIn),
        );
        while !m.fold_in_step(&train, budget) {}
        let f = m.fold.take().unwrap();
        (m.net.dense, m.users, m.items, f.users, m.schedule.last_loss)
    };
    let a = run(1);
    assert_eq!(a, run(usize::MAX));
    assert_eq!(a, run(5_000));
}

#[test]
fn folded_in_users_get_their_tastes_items_first() {
    let train = two_tastes(3);
    let mut m = trained(&train, 40, usize::MAX);
    let items_before = m.items.clone();
    let dense_before = m.net.dense.clone();
    let rows: [&[u32]; 2] = [&[0, 2, 4, 6, 8, 10], &[21, 23, 25, 27, 29, 31]];
    m.begin_fold_in(
        &train,
        Interactions::from_rows(rows),
        rng_for(2, Stream::TargetFoldIn),
    );
    let all: Vec<u32> = (0..40).collect();
    let before = m.score(&train, Who::NewUser, 0, &all);
    while !m.fold_in_step(&train, 1000) {}
    assert_eq!(
        (m.items.clone(), m.net.dense.clone()),
        (items_before, dense_before)
    );
    for (u, base) in [(0usize, 0u32), (1, 20)] {
        let s = m.score(&train, Who::NewUser, u, &all);
        let seen = rows[u];
        let unseen: Vec<(f32, u32)> = all
            .iter()
            .filter(|i| !seen.contains(i))
            .map(|&i| (s[i as usize], i))
            .collect();
        let top = crate::recommend::top_n(unseen.into_iter(), &[], 8);
        assert!(
            top.iter().all(|&i| (base..base + 20).contains(&i)),
            "new user {u}: top {top:?}"
        );
    }
    // Before fitting, the new user's random embedding does not know the taste.
    assert!(pair_auc(&before, |i| i < 20) < 0.9);
}

/// The L2 penalty of the gradient check.
const REG: f32 = 0.1;

/// Summed loss of one batch with fresh gradient buffers: (loss, grads).
fn batch(sh: Shape, dense: &[f32], user: &[f32], items: &[f32], s: &[(u32, f32)]) -> (f64, Grads) {
    let mut g = Grads::new(sh, 1, items.len() / sh.row());
    let l = net::train_chunk(
        &Net::new(sh, dense.to_vec()),
        0,
        user,
        items,
        s,
        REG,
        &mut g,
        &mut Scratch::new(),
    );
    (l, g)
}

#[test]
fn backward_pass_matches_finite_differences() {
    // A tiny network of uneven sizes (the general path), and the default shape (its own
    // compiled path, see `net::specialise`).
    gradient_check(Shape {
        g: 3,
        m: 2,
        h1: 4,
        h2: 3,
    });
    // That the config's defaults take this path is `config::compose`'s test.
    gradient_check(Shape::DEFAULT);
}

fn gradient_check(sh: Shape) {
    let mut rng = rng_for(5, Stream::TargetModel);
    // Larger weights than training starts with, so that every unit carries gradient.
    let mut dense = init_dense(sh, &mut rng);
    for (v, x) in dense.iter_mut().zip(uniform(&mut rng, sh.n_dense(), 0.3)) {
        *v += x;
    }
    let mut user = uniform(&mut rng, sh.row(), 0.8);
    let mut items = uniform(&mut rng, 4 * sh.row(), 0.8);
    // Item 2 appears twice; item 3 never (its gradient must stay zero).
    let samples = [(0, 1.0), (2, 0.0), (1, 1.0), (2, 1.0), (1, 0.0)];
    let (_, g) = batch(sh, &dense, &user, &items, &samples);
    assert!(g.items.get(3).iter().all(|&x| x == 0.0));
    let mut touched = g.items.touched.clone();
    touched.sort();
    assert_eq!(touched, vec![0, 1, 2]);
    let h = 1e-2f32;
    let mut checked = 0;
    let mut check = |analytic: f32, plus: f64, minus: f64, what: String| {
        let numeric = ((plus - minus) / (2.0 * f64::from(h))) as f32;
        let tol = 2e-3 + 2e-2 * numeric.abs().max(analytic.abs());
        assert!(
            (analytic - numeric).abs() < tol,
            "{what}: analytic {analytic}, numeric {numeric}"
        );
        checked += 1;
    };
    for k in 0..dense.len() {
        let v = dense[k];
        dense[k] = v + h;
        let plus = batch(sh, &dense, &user, &items, &samples).0;
        dense[k] = v - h;
        let minus = batch(sh, &dense, &user, &items, &samples).0;
        dense[k] = v;
        check(g.dense[k], plus, minus, format!("dense {k}"));
    }
    let gu0 = g.users.get(0);
    for k in 0..user.len() {
        let v = user[k];
        user[k] = v + h;
        let plus = batch(sh, &dense, &user, &items, &samples).0;
        user[k] = v - h;
        let minus = batch(sh, &dense, &user, &items, &samples).0;
        user[k] = v;
        check(gu0[k], plus, minus, format!("user {k}"));
    }
    for k in 0..3 * sh.row() {
        let v = items[k];
        items[k] = v + h;
        let plus = batch(sh, &dense, &user, &items, &samples).0;
        items[k] = v - h;
        let minus = batch(sh, &dense, &user, &items, &samples).0;
        items[k] = v;
        check(
            g.items.get(k / sh.row())[k % sh.row()],
            plus,
            minus,
            format!("item weight {k}"),
        );
    }
    assert_eq!(checked, sh.n_dense() + 4 * sh.row());
    // Fold-in's pass (item half precomputed, user gradient only) gives the same user gradient.
    let pre = net::all_item_parts(sh, &dense, &items);
    let mut gu = vec![0.0; sh.row()];
    let mut s = Scratch::new();
    let net = Net::new(sh, dense.clone());
    let l = net::fold_chunk(&net, &user, &items, &pre, &samples, REG, &mut gu, &mut s);
    // Its loss is training's without the frozen items' L2 terms.
    let item_l2: f64 = samples
        .iter()
        .map(|&(i, _)| {
            let it = &items[i as usize * sh.row()..(i as usize + 1) * sh.row()];
            f64::from(0.5 * REG * crate::mf::dot(it, it))
        })
        .sum();
    let full = batch(sh, &dense, &user, &items, &samples).0;
    assert!(
        (l - (full - item_l2)).abs() < 1e-5,
        "{l} vs {full} - {item_l2}"
    );
    for (a, b) in gu.iter().zip(&gu0) {
        assert!((a - b).abs() < 1e-5, "{gu:?} vs {gu0:?}");
    }
}

#[test]
fn bce_is_stable_and_its_derivative_is_sigma_minus_target() {
    let (l, g) = net::bce(0.0, 1.0);
    assert!((l - std::f32::consts::LN_2).abs() < 1e-6 && (g + 0.5).abs() < 1e-6);
    let (l, g) = net::bce(100.0, 0.0);
    assert!((l - 100.0).abs() < 1e-3 && (g - 1.0).abs() < 1e-6);
    let (l, g) = net::bce(-100.0, 0.0);
    assert!(l.abs() < 1e-6 && g.abs() < 1e-6);
}
