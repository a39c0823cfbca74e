//! Prints the embedded engines' target table: every figure with its target and the measured
//! ratio side by side, measured in one run.
//!
//! ```text
//! cargo run --release -p staunch-bench --bin engines
//! ```

fn main() {
    // The rows are added section by section (memory engine, file store).
    println!("== embedded engines ==");
}
