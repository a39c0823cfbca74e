//! [`Command::QueueStep`]: the queue's complete-and-claim step, run under the engine's locks.
//!
//! The step derives job-hash keys from the ids it pops, so it runs with every shard locked
//! (see `Keyspace::lock_for`). It is built from the engine's own commands, so each part has
//! exactly the Redis semantics the Lua script on Redis gets from `redis.call`; the shared
//! definitions (key roles, events, fields) are in `staunch_core::queue_step`. The write log
//! records the step itself: replayed at its recorded time it takes the same jobs again.

use bytes::Bytes;
use staunch_core::command::Key;
use staunch_core::queue_step::{self, QueueStepKeys, field};
use staunch_core::{
    Command, Expiry, QueueClaimed, QueueStepOptions, QueueStepReply, Reply, Result, ScoreBound,
    ZAddOptions,
};

use super::context::WriteCtx;
use super::db::Db;

/// Runs the step; the events it publishes are left in `ctx` for the caller to deliver.
pub(crate) fn run(
    db: &mut Db,
    ctx: &mut WriteCtx,
    keys: &[Key],
    step: &QueueStepOptions,
) -> Result<Reply> {
    let keys = QueueStepKeys::parse(keys)?;
    let mut reply = QueueStepReply::default();
    if let Some(finish) = &step.finish {
        let task = keys.job(finish.id.as_bytes());
        let token = super::read(
            db,
            ctx.now,
            &Command::HGet {
                key: task.clone(),
                field: Key::from_static(field::TOKEN),
            },
        )?;
        let held =
            matches!(&token, Reply::Bulk(t) if t.as_ref() == finish.token.to_string().as_bytes());
        reply.finished = Some(held);
        if held {
            complete(db, ctx, &keys, step, &task)?;
        }
    }
    reply.paused = db.value(keys.paused, ctx.now).is_some();
    reply.due = super::read(
        db,
        ctx.now,
        &Command::ZCount {
            key: Key::from(keys.scheduled),
            min: ScoreBound::MIN,
            max: ScoreBound::Inclusive(step.now_ms as f64),
        },
    )?
    .into_int()?
    .max(0) as u64;
    if reply.paused || reply.due > 0 || step.claim == 0 {
        return Ok(reply.into_reply());
    }
    let popped = sub(
        db,
        ctx,
        Command::ZPopMin {
            key: Key::from(keys.pending),
            count: Some(step.claim),
        },
    )?
    .into_scored()?;
    if !popped.is_empty() {
        sub(
            db,
            ctx,
            Command::ZAdd {
                key: Key::from(keys.processing),
                members: popped
                    .iter()
                    .map(|(id, _)| (step.until_ms as f64, id.clone()))
                    .collect(),
                options: ZAddOptions::default(),
            },
        )?;
    }
    for (id, _) in popped {
        reply.jobs.push(claim(db, ctx, &keys, step, id)?);
    }
    if let (Some(channel), Some(message)) = (
        &step.events,
        queue_step::processing_event(
            &reply.jobs.iter().map(|j| j.id.clone()).collect::<Vec<_>>(),
            step.now_ms,
        ),
    ) {
        ctx.publish.push((channel.clone(), message));
    }
    Ok(reply.into_reply())
}

/// The completion's writes, once the token matched.
fn complete(
    db: &mut Db,
    ctx: &mut WriteCtx,
    keys: &QueueStepKeys<'_>,
    step: &QueueStepOptions,
    task: &[u8],
) -> Result<()> {
    let Some(finish) = &step.finish else {
        return Ok(());
    };
    let id = Bytes::from(finish.id.clone());
    sub(
        db,
        ctx,
        Command::ZRem {
            key: Key::from(keys.processing),
            members: vec![id.clone()],
        },
    )?;
    sub(
        db,
        ctx,
        Command::HSet {
            key: Key::from(task),
            fields: queue_step::finish_fields(step),
        },
    )?;
    if finish.keep_ms == 0 {
        sub(
            db,
            ctx,
            Command::Del {
                keys: vec![Key::from(task)],
            },
        )?;
    } else {
        sub(
            db,
            ctx,
            Command::ZAdd {
                key: Key::from(keys.completed),
                members: vec![(step.now_ms as f64, id.clone())],
                options: ZAddOptions::default(),
            },
        )?;
        let at = step
            .now_ms
            .saturating_add(i64::try_from(finish.keep_ms).unwrap_or(i64::MAX));
        sub(
            db,
            ctx,
            Command::Expire {
                key: Key::from(task),
                expiry: Expiry::AtMillis(at),
                condition: None,
            },
        )?;
    }
    sub(
        db,
        ctx,
        Command::HIncrBy {
            key: Key::from(keys.stats),
            field: Key::from_static(field::COMPLETED),
            delta: 1,
        },
    )?;
    if let Some(unique) = &finish.unique {
        sub(
            db,
            ctx,
            Command::CompareAndDelete {
                key: keys.unique_key(unique),
                expected: id,
            },
        )?;
    }
    if let Some(channel) = &step.events {
        ctx.publish.push((
            channel.clone(),
            queue_step::completed_event(&finish.id, step.now_ms),
        ));
    }
    Ok(())
}

/// Takes one popped job: bump its token (unless its fence is closed) and attempts, read it,
/// mark it processing.
fn claim(
    db: &mut Db,
    ctx: &mut WriteCtx,
    keys: &QueueStepKeys<'_>,
    step: &QueueStepOptions,
    id: Bytes,
) -> Result<QueueClaimed> {
    let task = keys.job(&id);
    let token = match sub(
        db,
        ctx,
        Command::HIncrBy {
            key: task.clone(),
            field: Key::from_static(field::TOKEN),
            delta: 1,
        },
    ) {
        Ok(reply) => u64::try_from(reply.into_int()?).unwrap_or(0),
        // Not an integer: a closed fence, left for the caller to settle.
        Err(_) => 0,
    };
    sub(
        db,
        ctx,
        Command::HIncrBy {
            key: task.clone(),
            field: Key::from_static(field::ATTEMPTS),
            delta: 1,
        },
    )?;
    let fields = super::read(db, ctx.now, &Command::HGetAll { key: task.clone() })?
        .into_pairs()?
        .into_iter()
        .map(|(f, v)| Ok((f.into_name()?, v.into_bytes()?)))
        .collect::<Result<Vec<_>>>()?;
    sub(
        db,
        ctx,
        Command::HSet {
            key: task,
            fields: queue_step::claim_fields(step),
        },
    )?;
    Ok(QueueClaimed::new(id, token, fields))
}

/// Runs one of the step's writes through the engine's own handler.
fn sub(db: &mut Db, ctx: &mut WriteCtx, command: Command) -> Result<Reply> {
    let mut inner = WriteCtx::new(ctx.now);
    super::write(db, &mut inner, &command)
}
