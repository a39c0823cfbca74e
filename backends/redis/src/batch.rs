//! Batches: many commands in one round trip, as a plain pipeline or inside `MULTI`/`EXEC`.
//!
//! - `atomic: true` wraps the whole batch in `MULTI`/`EXEC`. Redis runs blocking commands
//!   inside a transaction without blocking, as the contract asks. A command Redis rejects while
//!   queueing it (wrong arguments) aborts the transaction: that command gets its error and every
//!   other one an `InvalidInput` error naming `EXECABORT`.
//! - `atomic: false` sends a plain pipeline. Each blocking command in it is wrapped in its own
//!   `MULTI`/`EXEC`, the one way to make Redis run it without blocking, so a batch never stalls
//!   the shared connection.
//! - Compound operations are sent as `EVAL` with the script's source: a pipeline cannot react
//!   to `NOSCRIPT` half-way, and `EVAL` also caches the script for later `EVALSHA`s.
//! - A command that cannot be planned (`Unsupported`) is not sent; its result is that error.
//!
//! Every command error is that command's result; only a failure of the whole round trip (an
//! outage, a timeout) is the outer `Err`.

use redis::Value;
use staunch_core::{Command, Error, ErrorKind, Reply, Result};

use crate::connection::SharedConnection;
use crate::decode::{server_error, to_reply};
use crate::encode::{Plan, plan};
use crate::scripts;

/// Where one command of a batch went.
enum Slot {
    /// Not sent: planning failed.
    Failed(Error),
    /// Sent as the pipeline command at `index`; `wrapped` when inside its own MULTI/EXEC.
    Sent {
        index: usize,
        wrapped: bool,
        script: Option<scripts::Script>,
    },
}

pub(crate) async fn run(
    shared: &SharedConnection,
    commands: &[Command],
    atomic: bool,
) -> Result<Vec<Result<Reply>>> {
    let mut pipe = redis::pipe();
    let mut slots = Vec::with_capacity(commands.len());
    let mut sent = 0;
    for command in commands {
        let (cmd, wrapped, script) = match plan(command) {
            Err(e) => {
                slots.push(Slot::Failed(e));
                continue;
            }
            Ok(Plan::Plain(cmd)) => (cmd, false, None),
            Ok(Plan::Blocking { cmd, .. }) => (cmd, !atomic, None),
            Ok(Plan::Script { script, keys, args }) => {
                (Plan::eval(script, &keys, &args), false, Some(script))
            }
        };
        if wrapped {
            pipe.cmd("MULTI");
            sent += 1;
        }
        slots.push(Slot::Sent {
            index: sent,
            wrapped,
            script,
        });
        pipe.add_command(cmd);
        sent += 1;
        if wrapped {
            pipe.cmd("EXEC");
            sent += 1;
        }
    }
    let mut values: Vec<Option<Result<Value>>> = if sent == 0 {
        Vec::new()
    } else if atomic {
        pipe.atomic();
        exec_transaction(shared, &pipe, sent).await?
    } else {
        shared
            .query_pipeline(&pipe, 0, sent)
            .await?
            .into_iter()
            .map(|v| Some(Ok(v)))
            .collect()
    };
    let mut results = Vec::with_capacity(slots.len());
    for slot in slots {
        results.push(match slot {
            Slot::Failed(e) => Err(e),
            Slot::Sent {
                index,
                wrapped,
                script,
            } => {
                let value = values
                    .get_mut(index)
                    .and_then(Option::take)
                    .unwrap_or_else(|| Err(Error::new(ErrorKind::Protocol, "batch reply missing")));
                let value = if wrapped {
                    // [MULTI: OK] [cmd: QUEUED or its error] [EXEC: [reply] or EXECABORT]
                    match value {
                        Ok(Value::ServerError(e)) => Err(server_error(&e)),
                        _ => values
                            .get_mut(index + 1)
                            .and_then(Option::take)
                            .unwrap_or_else(|| {
                                Err(Error::new(ErrorKind::Protocol, "EXEC reply missing"))
                            })
                            .and_then(first_of_exec),
                    }
                } else {
                    value
                };
                value.and_then(to_reply).and_then(|reply| match script {
                    Some(script) => script.finish(reply),
                    None => Ok(reply),
                })
            }
        });
    }
    Ok(results)
}

/// The only reply inside the `EXEC` of a single wrapped command.
fn first_of_exec(value: Value) -> Result<Value> {
    match value {
        Value::Array(mut items) if items.len() == 1 => Ok(items.remove(0)),
        Value::ServerError(e) => Err(server_error(&e)),
        other => Err(Error::new(
            ErrorKind::Protocol,
            format!("unexpected EXEC reply: {other:?}"),
        )),
    }
}

/// Runs an atomic pipeline of `count` commands and returns one result per command.
async fn exec_transaction(
    shared: &SharedConnection,
    pipe: &redis::Pipeline,
    count: usize,
) -> Result<Vec<Option<Result<Value>>>> {
    match shared.query_pipeline_raw(pipe, count + 1, 1).await? {
        Ok(mut replies) => match replies.pop() {
            Some(Value::Array(items)) if items.len() == count => {
                Ok(items.into_iter().map(|v| Some(Ok(v))).collect())
            }
            Some(Value::ServerError(e)) => {
                let error = server_error(&e);
                Ok((0..count).map(|_| Some(Err(error.clone()))).collect())
            }
            other => Err(Error::new(
                ErrorKind::Protocol,
                format!("unexpected EXEC reply: {other:?}"),
            )),
        },
        Err(aborted) => {
            // Redis rejected some commands while queueing them, so nothing ran.
            let mut results: Vec<Option<Result<Value>>> = (0..count)
                .map(|_| {
                    Some(Err(Error::new(
                        ErrorKind::InvalidInput,
                        "EXECABORT Transaction discarded because of previous errors.",
                    )))
                })
                .collect();
            for (index, error) in aborted.iter() {
                if let Some(slot) = results.get_mut(*index) {
                    *slot = Some(Err(server_error(error)));
                }
            }
            Ok(results)
        }
    }
}
