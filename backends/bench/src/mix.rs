//! The GET/SET 50/50 workload, run on staunch's memory store and on a `DashMap` alike.
//!
//! Every thread draws keys uniformly from a preloaded keyspace with the same generator on both
//! sides; half the operations are `GET`s, half `SET`s of a 64-byte value. Each `SET` hands the
//! store a freshly allocated `Bytes`, as a value read off the network would be: dashmap keeps
//! that allocation, staunch copies it into its own. (Handing both the same few shared `Bytes`
//! would let dashmap store no value at all, only a reference count on a handful of hot
//! buffers, which no real workload gives it.) Threads start together behind a barrier and the
//! figure is all operations over the wall time.

use std::future::Future;
use std::hint::black_box;
use std::pin::pin;
use std::sync::Barrier;
use std::task::{Context, Poll, Waker};
use std::time::Instant;

use bytes::Bytes;
use dashmap::DashMap;
use staunch_core::Strings;
use staunch_memory::MemoryStore;

use crate::dataset::{VALUE_SIZE, string_key};
use crate::table::per_second;

/// Distinct values the `SET`s cycle through.
const VALUES: usize = 1024;

/// The keys and values of one run.
pub struct Workload {
    keys: Vec<String>,
    values: Vec<Bytes>,
    /// `SET`s hand over clones of the 1024 pooled `Bytes` instead of fresh copies (for the
    /// reference row that shows what sharing buffers is worth to dashmap).
    pooled: bool,
}

impl Workload {
    /// `keys` keys named as in the string data set, and the values to write.
    pub fn new(keys: usize) -> Self {
        Workload {
            keys: (0..keys).map(string_key).collect(),
            values: (0..VALUES)
                .map(|i| Bytes::from(format!("{i:>width$}", width = VALUE_SIZE)))
                .collect(),
            pooled: false,
        }
    }

    /// The same workload, but every `SET` hands over a clone of one of 1024 pooled `Bytes`.
    pub fn pooled(mut self) -> Self {
        self.pooled = true;
        self
    }

    /// A fresh copy of value `i`, as if just received.
    fn fresh(&self, i: usize) -> Bytes {
        if self.pooled {
            self.values[i % VALUES].clone()
        } else {
            Bytes::copy_from_slice(&self.values[i % VALUES])
        }
    }

    /// Loads every key into `store`.
    pub fn load_staunch(&self, store: &MemoryStore) {
        for (i, key) in self.keys.iter().enumerate() {
            ready(store.set(key, self.fresh(i))).expect("loading the memory store");
        }
    }

    /// Loads every key into `map`.
    pub fn load_dashmap(&self, map: &DashMap<String, Bytes>) {
        for (i, key) in self.keys.iter().enumerate() {
            map.insert(key.clone(), self.fresh(i));
        }
    }

    /// Operations per second of the mix on `store` with `threads` threads doing `ops` each.
    pub fn run_staunch(&self, store: &MemoryStore, threads: usize, ops: usize) -> f64 {
        self.run(threads, ops, |key, value| match value {
            Some(value) => ready(store.set(key, value)).expect("SET"),
            None => {
                black_box(ready(store.get(key)).expect("GET"));
            }
        })
    }

    /// Operations per second of the mix on `map` with `threads` threads doing `ops` each.
    pub fn run_dashmap(&self, map: &DashMap<String, Bytes>, threads: usize, ops: usize) -> f64 {
        self.run(threads, ops, |key, value| match value {
            Some(value) => {
                map.insert(key.to_owned(), value);
            }
            None => {
                black_box(map.get(key).map(|v| v.value().clone()));
            }
        })
    }

    fn run(&self, threads: usize, ops: usize, op: impl Fn(&str, Option<Bytes>) + Sync) -> f64 {
        let barrier = Barrier::new(threads + 1);
        let elapsed = std::thread::scope(|scope| {
            for t in 0..threads {
                let (barrier, op) = (&barrier, &op);
                scope.spawn(move || {
                    let mut rng = 0x9e37_79b9_7f4a_7c15u64 ^ (t as u64 + 1);
                    barrier.wait();
                    for _ in 0..ops {
                        rng = rng
                            .wrapping_mul(6364136223846793005)
                            .wrapping_add(1442695040888963407);
                        let key = &self.keys[(rng >> 33) as usize % self.keys.len()];
                        if rng >> 63 == 1 {
                            op(key, Some(self.fresh((rng >> 20) as usize)));
                        } else {
                            op(key, None);
                        }
                    }
                });
            }
            barrier.wait();
            Instant::now()
        })
        .elapsed();
        per_second((threads * ops) as u64, elapsed)
    }
}

/// Runs a future that completes without waiting (every memory-store call does) to its end.
/// No executor is involved, as none is on the dashmap side.
pub fn ready<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut context = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut context) {
            return output;
        }
        std::thread::yield_now();
    }
}
