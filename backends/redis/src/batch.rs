//! Batches: many commands in one round trip, as a plain pipeline or inside `MULTI`/`EXEC`.
//!
//! - `atomic: true` wraps the whole batch in `MULTI`/`EXEC`. Redis runs blocking commands
//!   inside a transaction without blocking, as the contract asks. A command Redis rejects while
//!   queueing it (wrong arguments) aborts the transaction: that command gets its error and every
//!   other one an `InvalidInput` error naming `EXECABORT`.
//! - `atomic: false` sends a plain pipeline. Each blocking command in it is wrapped in its own
//!   `MULTI`/`EXEC`, the one way to make Redis run it without blocking, so a batch never stalls
//!   the shared connection.
//! - Compound operations are scripts. Inside `MULTI` they are always sent as `EVAL` with the
//!   source: an `EVALSHA` that meets `NOSCRIPT` inside `EXEC` would fail alone while the rest
//!   of the transaction ran, which breaks atomicity. In a plain pipeline a script the server is
//!   known to have cached (an `EVAL` or `EVALSHA` of it succeeded on this connection; see
//!   `connection::Handle`) is sent as `EVALSHA`, so the source (the `ZMoveByScore` script of
//!   every queue claim is about 1 KB) is neither sent nor hashed by the server again. The cache can only be lost under a live connection by `SCRIPT
//!   FLUSH`; then that command did not run: if it was the pipeline's last command it is
//!   repeated at once with `EVAL` (nothing after it could have observed the gap), otherwise its
//!   result is the `NOSCRIPT` error (kind `Internal`; the next batch sends the source again).
//! - A command that cannot be planned (`Unsupported`) is not sent; its result is that error.
//!
//! Every command error is that command's result; only a failure of the whole round trip (an
//! outage, a timeout) is the outer `Err`.

use redis::{Cmd, Pipeline, Value};
use staunch_core::{Command, Error, ErrorKind, Reply, Result};

use crate::connection::{Aborted, Handle, SharedConnection};
use crate::decode::{server_error, to_reply};
use crate::encode::{Plan, plan};
use crate::scripts::{self, Script};

/// Where a batch is sent: the shared connection of one server, or one node of a cluster.
#[async_trait::async_trait]
pub(crate) trait Conn: Send {
    /// True when the server is known to have `script` cached (then it may go as `EVALSHA`).
    async fn knows(&mut self, script: Script) -> Result<bool>;
    /// Records what the server said about `script` (see [`Handle::learn`]).
    fn learn(&mut self, script: Script, known: bool);
    /// Sends `pipeline` and returns `count` replies after skipping `offset`.
    async fn pipeline(
        &mut self,
        pipeline: &Pipeline,
        offset: usize,
        count: usize,
    ) -> Result<std::result::Result<Vec<Value>, Aborted>>;
    /// Sends one command.
    async fn query(&mut self, cmd: &Cmd) -> Result<Value>;
}

/// The shared connection of one server, taken at the first use: a batch of commands that all
/// fail to plan needs none.
struct Single<'a> {
    shared: &'a SharedConnection,
    handle: Option<Handle>,
}

impl Single<'_> {
    async fn handle(&mut self) -> Result<&mut Handle> {
        if self.handle.is_none() {
            self.handle = Some(self.shared.get().await?);
        }
        self.handle
            .as_mut()
            .ok_or_else(|| Error::new(ErrorKind::Internal, "no connection"))
    }
}

#[async_trait::async_trait]
impl Conn for Single<'_> {
    async fn knows(&mut self, script: Script) -> Result<bool> {
        Ok(self.handle().await?.knows(script))
    }

    fn learn(&mut self, script: Script, known: bool) {
        if let Some(handle) = &self.handle {
            handle.learn(script, known);
        }
    }

    async fn pipeline(
        &mut self,
        pipeline: &Pipeline,
        offset: usize,
        count: usize,
    ) -> Result<std::result::Result<Vec<Value>, Aborted>> {
        let shared = self.shared;
        let handle = self.handle().await?;
        shared.query_pipeline(handle, pipeline, offset, count).await
    }

    async fn query(&mut self, cmd: &Cmd) -> Result<Value> {
        let shared = self.shared;
        let handle = self.handle().await?;
        shared.query_on(handle, cmd).await
    }
}

/// Where one command of a batch went.
enum Slot {
    /// Not sent: planning failed.
    Failed(Error),
    /// Sent as the pipeline command at `index`; `wrapped` when inside its own MULTI/EXEC.
    Sent {
        index: usize,
        wrapped: bool,
        script: Option<Sent>,
    },
}

pub(crate) async fn run(
    shared: &SharedConnection,
    commands: &[Command],
    atomic: bool,
) -> Result<Vec<Result<Reply>>> {
    run_on(
        &mut Single {
            shared,
            handle: None,
        },
        commands,
        atomic,
    )
    .await
}

/// Runs a batch on `conn`. See the module docs.
pub(crate) async fn run_on(
    conn: &mut dyn Conn,
    commands: &[Command],
    atomic: bool,
) -> Result<Vec<Result<Reply>>> {
    let mut pipe = redis::Pipeline::with_capacity(commands.len());
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
                let by_sha = !atomic && conn.knows(script).await?;
                let cmd = if by_sha {
                    Plan::evalsha(script, &keys, &args)
                } else {
                    Plan::eval(script, &keys, &args)
                };
                let retry = if by_sha { Some((keys, args)) } else { None };
                (cmd, false, Some(Sent { script, retry }))
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
    if sent == 0 {
        // Every command failed to plan: their errors are the results, without a round trip.
        return Ok(slots
            .into_iter()
            .filter_map(|slot| match slot {
                Slot::Failed(e) => Some(Err(e)),
                Slot::Sent { .. } => None,
            })
            .collect());
    }
    let mut values: Vec<Option<Result<Value>>> = if atomic {
        pipe.atomic();
        exec_transaction(conn, &pipe, sent).await?
    } else {
        match conn.pipeline(&pipe, 0, sent).await? {
            Ok(values) => values.into_iter().map(|v| Some(Ok(v))).collect(),
            Err(errors) => {
                // Only a transaction can be aborted; a plain pipeline never gets here.
                let error = errors
                    .first()
                    .map(|(_, e)| server_error(e))
                    .unwrap_or_else(|| Error::new(ErrorKind::Protocol, "empty pipeline error"));
                return Err(error);
            }
        }
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
                match script {
                    None => value.and_then(to_reply),
                    Some(sent_script) => {
                        let last = index + 1 == sent;
                        finish_script(conn, sent_script, value, last).await
                    }
                }
            }
        });
    }
    Ok(results)
}

/// A script's `KEYS` and `ARGV`.
type ScriptArgs = (Vec<Vec<u8>>, Vec<Vec<u8>>);

/// A script command as it was sent.
struct Sent {
    script: scripts::Script,
    /// Its keys and arguments, kept only when it went as `EVALSHA` (to repeat it with `EVAL`
    /// after a `NOSCRIPT`).
    retry: Option<ScriptArgs>,
}

/// Turns a script's reply into its result, keeping the connection's script knowledge up to
/// date. A `NOSCRIPT` on the pipeline's `last` command is repeated with `EVAL` (see the module
/// docs).
async fn finish_script(
    conn: &mut dyn Conn,
    sent: Sent,
    value: Result<Value>,
    last: bool,
) -> Result<Reply> {
    let script = sent.script;
    let value = match value {
        Ok(Value::ServerError(e)) if e.code() == "NOSCRIPT" => {
            conn.learn(script, false);
            match sent.retry {
                Some((keys, args)) if last => {
                    let value = conn.query(&Plan::eval(script, &keys, &args)).await;
                    if value.is_ok() {
                        conn.learn(script, true);
                    }
                    value
                }
                _ => Err(server_error(&e)),
            }
        }
        Ok(value) => {
            // Any other reply (even the script's own error) means the server has it cached.
            conn.learn(script, true);
            Ok(value)
        }
        Err(e) => Err(e),
    };
    value
        .and_then(to_reply)
        .and_then(|reply| script.finish(reply))
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
    conn: &mut dyn Conn,
    pipe: &redis::Pipeline,
    count: usize,
) -> Result<Vec<Option<Result<Value>>>> {
    match conn.pipeline(pipe, count + 1, 1).await? {
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
