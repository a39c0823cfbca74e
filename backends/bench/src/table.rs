//! The printed table: one row per figure, with its target and the measured ratio side by side.

use std::time::Duration;

/// Which way a ratio is good.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Better {
    /// The target is a floor: staunch at least `target` times the peer (throughput).
    Higher,
    /// The target is a ceiling: staunch at most `target` times the peer (memory, latency).
    Lower,
}

/// One figure of the table.
#[derive(Debug, Clone)]
pub struct Row {
    /// What is measured, e.g. `memory GET/SET 50/50, 1 thread`.
    pub figure: String,
    /// The peer, e.g. `dashmap 6.2`.
    pub peer: String,
    /// The target ratio staunch/peer; `None` for a row printed for reference.
    pub target: Option<f64>,
    /// Which way the target goes.
    pub better: Better,
    /// staunch's figure, in `unit`.
    pub ours: f64,
    /// The peer's figure, in `unit`.
    pub theirs: f64,
    /// Unit of `ours` and `theirs`, e.g. `ops/s` or `B/key`.
    pub unit: &'static str,
    /// What else a reader needs: sizes, the spread of rounds.
    pub note: String,
}

impl Row {
    /// staunch's figure divided by the peer's.
    pub fn ratio(&self) -> f64 {
        self.ours / self.theirs
    }

    /// Whether the measured ratio meets the target (`None` without one).
    pub fn met(&self) -> Option<bool> {
        let target = self.target?;
        Some(match self.better {
            Better::Higher => self.ratio() >= target,
            Better::Lower => self.ratio() <= target,
        })
    }

    /// Prints the row: figure, both sides, ratio, target and verdict, then the note.
    pub fn print(&self) {
        let sign = match self.better {
            Better::Higher => ">=",
            Better::Lower => "<=",
        };
        let target = match self.target {
            Some(target) => format!("target {sign} {target:.2}x"),
            None => "(reference)".to_owned(),
        };
        let verdict = match self.met() {
            Some(true) => "met",
            Some(false) => "NOT MET",
            None => "",
        };
        println!(
            "{:<44} staunch {:>11.0} {:<5} {:<18} {:>11.0}  ratio {:>5.2}x  {target:<16} {verdict}",
            self.figure,
            self.ours,
            self.unit,
            self.peer,
            self.theirs,
            self.ratio(),
        );
        if !self.note.is_empty() {
            println!("{:<44}   ({})", "", self.note);
        }
    }
}

/// Operations per second for `ops` operations done in `elapsed`.
pub fn per_second(ops: u64, elapsed: Duration) -> f64 {
    ops as f64 / elapsed.as_secs_f64().max(1e-9)
}

/// Minimum, median and maximum of `values` (which must not be empty).
pub fn spread(values: &[f64]) -> (f64, f64, f64) {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    (
        sorted[0],
        sorted[sorted.len() / 2],
        sorted[sorted.len() - 1],
    )
}
