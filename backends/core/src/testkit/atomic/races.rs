//! Conformance cases for races between many tasks, each of which must win exactly as often as the
//! rules allow.

use std::collections::HashSet;
use std::time::Duration;

use super::super::TestStore;
use super::b;
use crate::ZMoveOptions;
use crate::prelude::*;

/// 32 tasks claiming one member at a time: every member is claimed exactly once.
pub async fn test_race_zmove_each_member_claimed_once(store: TestStore) {
    let members: Vec<String> = (0..200).map(|i| format!("job:{i:03}")).collect();
    store
        .zadd_options(
            "queue",
            members
                .iter()
                .enumerate()
                .map(|(i, m)| (i as f64, m.as_str())),
            ZAddOptions::new(),
        )
        .await
        .unwrap();
    let mut tasks = Vec::new();
    for worker in 0..32 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let mut claimed = Vec::new();
            loop {
                let moved = store
                    .zmove_by_score(
                        "queue",
                        "leased",
                        ZMoveOptions::new()
                            .limit(1)
                            .score(MoveScore::Fixed(worker as f64)),
                    )
                    .await
                    .unwrap();
                match moved.len() {
                    0 => return claimed,
                    1 => claimed.push(moved[0].0.clone()),
                    n => panic!("limit 1 moved {n} members"),
                }
            }
        }));
    }
    let mut seen = HashSet::new();
    let mut total = 0;
    for task in tasks {
        for member in task.await.unwrap() {
            total += 1;
            assert!(seen.insert(member.clone()), "{member:?} was claimed twice");
        }
    }
    assert_eq!(total, 200, "every member was claimed exactly once");
    assert_eq!(
        store.zcard("leased").await.unwrap(),
        200,
        "all are in the destination"
    );
    assert_eq!(
        store.exists_multiple(&["queue"]).await.unwrap(),
        0,
        "the source is gone"
    );
}

/// 32 tasks racing a compare-and-set from the same value: exactly one wins.
pub async fn test_race_cas_exactly_one_winner(store: TestStore) {
    store.set("state", "v0").await.unwrap();
    let mut tasks = Vec::new();
    for i in 0..32 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let won = store
                .compare_and_set("state", b("v0"), format!("task-{i}"), None)
                .await
                .unwrap();
            (i, won)
        }));
    }
    let mut winners = Vec::new();
    for task in tasks {
        let (i, won) = task.await.unwrap();
        if won {
            winners.push(i);
        }
    }
    assert_eq!(
        winners.len(),
        1,
        "exactly one CAS from v0 wins, got {winners:?}"
    );
    assert_eq!(
        store.get("state").await.unwrap(),
        b(&format!("task-{}", winners[0])),
        "the value is the winner's"
    );
}

/// 32 tasks racing a compare-and-delete of the same token: exactly one deletes.
pub async fn test_race_cad_exactly_one_winner(store: TestStore) {
    store.set("lock", "token").await.unwrap();
    let mut tasks = Vec::new();
    for _ in 0..32 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            store.compare_and_delete("lock", "token").await.unwrap()
        }));
    }
    let mut wins = 0;
    for task in tasks {
        wins += usize::from(task.await.unwrap());
    }
    assert_eq!(wins, 1, "exactly one CAD deletes the lock");
    assert_eq!(
        store.exists_multiple(&["lock"]).await.unwrap(),
        0,
        "the lock is gone"
    );
}

/// 32 tasks racing to move a hash field through a state machine: each step is won once.
pub async fn test_race_hcas_exactly_one_winner(store: TestStore) {
    store.hset("job", "state", "queued").await.unwrap();
    let mut tasks = Vec::new();
    for i in 0..32 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let claimed = store
                .hcompare_and_set("job", "state", b("queued"), format!("running:{i}"))
                .await
                .unwrap();
            let created = store
                .hcompare_and_set("job", "owner", None, format!("{i}"))
                .await
                .unwrap();
            (i, claimed, created)
        }));
    }
    let (mut claims, mut creates) = (Vec::new(), 0);
    for task in tasks {
        let (i, claimed, created) = task.await.unwrap();
        if claimed {
            claims.push(i);
        }
        creates += usize::from(created);
    }
    assert_eq!(
        claims.len(),
        1,
        "exactly one HCAS claims the job, got {claims:?}"
    );
    assert_eq!(
        creates, 1,
        "exactly one HCAS with expected None creates the field"
    );
    assert_eq!(
        store.hget("job", "state").await.unwrap(),
        b(&format!("running:{}", claims[0])),
        "the state is the winner's"
    );
}

/// Concurrent `IncrByEx` calls: the final value is the number of calls, with one TTL.
pub async fn test_race_incrbyex_counts_every_call(store: TestStore) {
    let mut tasks = Vec::new();
    for _ in 0..32 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let mut seen = Vec::new();
            for _ in 0..10 {
                seen.push(
                    store
                        .incr_by_ex("hits", 1, Duration::from_secs(60))
                        .await
                        .unwrap(),
                );
            }
            seen
        }));
    }
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await.unwrap());
    }
    all.sort();
    let want: Vec<i64> = (1..=320).collect();
    assert_eq!(
        all, want,
        "each concurrent IncrByEx returns a distinct count"
    );
    assert_eq!(
        store.get("hits").await.unwrap(),
        b("320"),
        "final value is 320 calls"
    );
    let ttl = store.ttl("hits").await.unwrap();
    assert!(
        (59..=60).contains(&ttl),
        "the window has the TTL of the first write, got {ttl}"
    );
}
