//! What the benchmark programs share: running two contenders alternately and comparing
//! medians, so drift in the machine's speed hits both sides alike. Included with
//! `#[path = "support/side_by_side.rs"] mod side_by_side;` (a directory without `main.rs` is not
//! an example of its own).

// Each example uses only some of these.
#![allow(dead_code)]

/// Rounds measured per contender, after one warm-up round each.
pub const ROUNDS: usize = 5;

/// The median of `samples` (the upper one for an even count).
pub fn median(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(|a, b| a.total_cmp(b));
    samples[samples.len() / 2]
}

/// Runs `a` and `b` alternately `ROUNDS` times after one warm-up each; each returns a rate.
/// Returns the two medians.
pub async fn pair<FA, FB, A, B>(mut a: FA, mut b: FB) -> (f64, f64)
where
    FA: FnMut() -> A,
    FB: FnMut() -> B,
    A: std::future::Future<Output = f64>,
    B: std::future::Future<Output = f64>,
{
    a().await;
    b().await;
    let (mut sa, mut sb) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        sa.push(a().await);
        sb.push(b().await);
    }
    (median(sa), median(sb))
}

/// "ok" when `ratio` meets `target`, "BELOW TARGET" otherwise.
pub fn verdict(ratio: f64, target: f64) -> &'static str {
    if ratio >= target {
        "ok"
    } else {
        "BELOW TARGET"
    }
}

/// Like [`pair`], but returns every round's pair of rates (after the warm-ups), so a caller can
/// print the spread of the per-round ratios next to the medians.
pub async fn pair_rounds<FA, FB, A, B>(mut a: FA, mut b: FB, rounds: usize) -> Vec<(f64, f64)>
where
    FA: FnMut() -> A,
    FB: FnMut() -> B,
    A: std::future::Future<Output = f64>,
    B: std::future::Future<Output = f64>,
{
    a().await;
    b().await;
    let mut out = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let x = a().await;
        let y = b().await;
        out.push((x, y));
    }
    out
}
