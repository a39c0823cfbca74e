//! `define_commands!`: what the command table generates for commands as data.
//!
//! Given every row of the table (see [`super::table`]), it writes the [`Command`] enum, its
//! metadata methods, its wire format and the borrowed [`CommandRef`]. Every method is one
//! `match` with one arm per row and no default arm, so a row that is missing a column does not
//! compile, and a command can never be silently treated like another.
//!
//! The wire format (the file store's log, `Failover`'s journal) encodes a command as its row's
//! frozen tag and then its fields in order: exactly what a derived enum wrote when the variants
//! were declared in tag order, so logs written before the table existed read back unchanged,
//! and rows can be grouped by family without renumbering anything.
//!
//! [`Command`]: super::Command
//! [`CommandRef`]: super::CommandRef

/// Generates the data side of the command table; invoked once, in `command/mod.rs`.
macro_rules! define_commands {
    ($(
        $section:ident $section_doc:literal [$($extra:tt)*] {
            $(
                $(#[doc = $doc:literal])*
                $tag:literal $variant:ident $({ $( $(#[doc = $fdoc:literal])* $field:ident : $fty:ty ),* $(,)? })?
                => $name:literal [
                    $access:tt, repeat $repeat:tt, keys [$($keys:tt)*], reply $reply:ident,
                    family $family:ident, time $time:tt, effects $effects:ident
                    $(, borrowed { $($bfield:ident : $bkind:ident),* $(,)? } => $bconv:tt)? $(,)?
                ] { $($methods:tt)* }
            )*
        }
    )*) => {
        /// One operation of the storage contract. See the module docs.
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum Command {
            $($(
                $(#[doc = $doc])*
                $variant $({ $( $(#[doc = $fdoc])* $field: $fty ),* })?,
            )*)*
        }

        impl Command {
            /// The Redis command name (or the compound operation's name).
            pub fn name(&self) -> &'static str {
                match self {
                    $($( Self::$variant { .. } => $name, )*)*
                }
            }

            /// Whether the command reads, writes, changes the whole keyspace, blocks or
            /// publishes.
            #[allow(unused_variables)]
            pub fn access(&self) -> $crate::command::Access {
                match self {
                    $($( Self::$variant $({ $($field),* })? => $crate::command::generate::access!($access), )*)*
                }
            }

            /// True when applying the command twice leaves the same state and reply as applying
            /// it once, so a retry after an ambiguous failure is safe: reads, `SET` without
            /// `GET` or a condition, `DEL`, `HSET`, `SADD`, `ZADD` without `INCR`, ...; not
            /// `INCRBY`, pushes or pops.
            #[allow(unused_variables)]
            pub fn is_idempotent(&self) -> bool {
                match self {
                    $($( Self::$variant $({ $($field),* })? => $repeat, )*)*
                }
            }

            /// The keys the command touches, in argument order (empty for `DBSIZE`, `FLUSHDB`,
            /// `SCAN` and `PUBLISH`).
            #[allow(unused_variables)]
            pub fn keys(&self) -> Vec<&[u8]> {
                let mut found: Vec<&$crate::command::Key> = Vec::new();
                match self {
                    $($( Self::$variant $({ $($field),* })? => {
                        $crate::command::generate::push_keys!(found, iter; $($keys)*);
                    } )*)*
                }
                found.into_iter().map(|key| key.as_bytes()).collect()
            }

            /// The keys the command touches, for rewriting in place (a key-prefix wrapper adds
            /// its prefix to each). Same order and coverage as [`Command::keys`].
            #[allow(unused_variables)]
            pub fn keys_mut(&mut self) -> Vec<&mut $crate::command::Key> {
                let mut found: Vec<&mut $crate::command::Key> = Vec::new();
                match self {
                    $($( Self::$variant $({ $($field),* })? => {
                        $crate::command::generate::push_keys!(found, iter_mut; $($keys)*);
                    } )*)*
                }
                found
            }

            /// The data type the command works on.
            pub fn family(&self) -> $crate::command::Family {
                match self {
                    $($( Self::$variant { .. } => $crate::command::Family::$family, )*)*
                }
            }

            /// The shape of the command's reply (see each variant for the details).
            pub fn reply_shape(&self) -> $crate::command::ReplyShape {
                match self {
                    $($( Self::$variant { .. } => $crate::command::ReplyShape::$reply, )*)*
                }
            }

            /// True when the command's result depends on the current time even where no key
            /// has a TTL: it sets a deadline (`SET PX`, `EXPIRE`, ...) or reports one (`TTL`).
            #[allow(unused_variables)]
            pub fn depends_on_clock(&self) -> bool {
                match self {
                    $($( Self::$variant $({ $($field),* })? => $crate::command::generate::time!(clock; $time), )*)*
                }
            }

            /// This command with every relative expiry (`EX`, `PX`, `EXPIRE`, `PEXPIRE`,
            /// `GETEX EX/PX`) turned into an absolute one (`PXAT`/`PEXPIREAT`) computed from
            /// `now_ms`, so it means the same whenever it is replayed from a log or a journal.
            /// Commands without an expiry come back unchanged. `IncrByEx` keeps its relative TTL:
            /// whether it applies depends on the key's state when it runs, which a replay at the
            /// recorded time reproduces.
            #[allow(unused_variables)]
            pub fn with_absolute_expiry(&self, now_ms: i64) -> Command {
                let mut command = self.clone();
                match &mut command {
                    $($( Self::$variant $({ $($field),* })? => {
                        $crate::command::generate::time!(absolute now_ms; $time);
                    } )*)*
                }
                command
            }

            /// How a successful write is recorded for replay (see `command/effects.rs`).
            pub(crate) fn effects_rule(&self) -> $crate::command::effects::Rule {
                match self {
                    $($( Self::$variant { .. } => $crate::command::generate::effects!($effects), )*)*
                }
            }

            /// The timeout of a blocking command (zero: forever); `None` for others.
            pub fn block_timeout(&self) -> Option<$crate::options::BlockTimeout> {
                let found: Option<&$crate::options::BlockTimeout> = match self {
                    $($( Self::$variant { .. } => $crate::command::generate::timeout!($access, self, $variant), )*)*
                };
                found.copied()
            }

            /// The timeout of a blocking command, for a caller that must bound or change the
            /// wait (`Failover` splits a long wait into short ones); `None` for others.
            pub fn block_timeout_mut(&mut self) -> Option<&mut $crate::options::BlockTimeout> {
                match self {
                    $($( Self::$variant { .. } => $crate::command::generate::timeout!($access, self, $variant), )*)*
                }
            }
        }

        /// The wire form of each command's fields: one struct per command, borrowed for
        /// writing and owned for reading, with the fields in row order.
        mod wire {
            pub(super) mod write {
                #[allow(unused_imports)]
                use super::super::*;
                $($( $(
                    #[derive(serde::Serialize)]
                    pub(in super::super) struct $variant<'a> { $( pub(in super::super) $field: &'a $fty ),* }
                )? )*)*
            }
            pub(super) mod read {
                #[allow(unused_imports)]
                use super::super::*;
                $($( $(
                    #[derive(serde::Deserialize)]
                    pub(in super::super) struct $variant { $( pub(in super::super) $field: $fty ),* }
                )? )*)*
            }
        }

        /// Every command's variant name, in tag order of the table's rows.
        const VARIANT_NAMES: &[&str] = &[$($( stringify!($variant), )*)*];

        /// Every row's tag and variant name, for the uniqueness test.
        #[cfg(test)]
        pub(crate) const TAGS: &[(u32, &str)] = &[$($( ($tag, stringify!($variant)), )*)*];

        impl serde::Serialize for Command {
            fn serialize<S: serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::core::result::Result<S::Ok, S::Error> {
                match self {
                    $($( Self::$variant $({ $($field),* })? => {
                        $crate::command::generate::serialize!(serializer, $tag, $variant $(; $($field),*)?)
                    } )*)*
                }
            }
        }

        impl<'de> serde::Deserialize<'de> for Command {
            fn deserialize<D: serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::core::result::Result<Self, D::Error> {
                /// A command's tag, read as a number (bincode) or a variant name (JSON).
                struct Tag(u32);

                impl<'de> serde::Deserialize<'de> for Tag {
                    fn deserialize<D: serde::Deserializer<'de>>(
                        deserializer: D,
                    ) -> ::core::result::Result<Self, D::Error> {
                        struct TagVisitor;
                        impl serde::de::Visitor<'_> for TagVisitor {
                            type Value = Tag;
                            fn expecting(
                                &self,
                                f: &mut ::core::fmt::Formatter<'_>,
                            ) -> ::core::fmt::Result {
                                f.write_str("a command tag or name")
                            }
                            fn visit_u64<E: serde::de::Error>(
                                self,
                                v: u64,
                            ) -> ::core::result::Result<Tag, E> {
                                u32::try_from(v).map(Tag).map_err(|_| {
                                    E::invalid_value(serde::de::Unexpected::Unsigned(v), &self)
                                })
                            }
                            fn visit_str<E: serde::de::Error>(
                                self,
                                v: &str,
                            ) -> ::core::result::Result<Tag, E> {
                                match v {
                                    $($( stringify!($variant) => Ok(Tag($tag)), )*)*
                                    _ => Err(E::unknown_variant(v, VARIANT_NAMES)),
                                }
                            }
                        }
                        deserializer.deserialize_identifier(TagVisitor)
                    }
                }

                struct CommandVisitor;
                impl<'de> serde::de::Visitor<'de> for CommandVisitor {
                    type Value = Command;
                    fn expecting(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                        f.write_str("a staunch command")
                    }
                    fn visit_enum<A: serde::de::EnumAccess<'de>>(
                        self,
                        data: A,
                    ) -> ::core::result::Result<Command, A::Error> {
                        use serde::de::VariantAccess;
                        let (Tag(tag), variant) = data.variant()?;
                        match tag {
                            $($( $tag => {
                                $crate::command::generate::deserialize!(variant, $variant $(; $($field),*)?)
                            } )*)*
                            other => Err(serde::de::Error::invalid_value(
                                serde::de::Unexpected::Unsigned(u64::from(other)),
                                &"the tag of a known command",
                            )),
                        }
                    }
                }
                deserializer.deserialize_enum("Command", VARIANT_NAMES, CommandVisitor)
            }
        }

        /// A borrowed form of a frequent command; each variant means exactly the [`Command`]
        /// that [`CommandRef::into_command`] builds (see that variant for the reply and
        /// `# Behavior`).
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum CommandRef<'a> {
            $($($(
                #[doc = concat!("[`Command::", stringify!($variant), "`] in its borrowed form.")]
                $variant {
                    $(
                        #[doc = concat!("The `", stringify!($bfield), "`.")]
                        $bfield: $crate::command::generate::borrowed_type!('a, $bkind)
                    ),*
                },
            )?)*)*
        }

        impl CommandRef<'_> {
            /// The owned command this one stands for.
            pub fn into_command(self) -> Command {
                match self {
                    $($($( Self::$variant { $($bfield),* } => {
                        $( let $bfield = $crate::command::generate::owned!($bkind, $bfield); )*
                        Command::$variant $bconv
                    } )?)*)*
                }
            }

            /// The Redis command name.
            pub fn name(&self) -> &'static str {
                match self {
                    $($($( Self::$variant { $($bfield: _),* } => $name, )?)*)*
                }
            }

            /// Whether the command reads or writes; the same as [`Command::access`] of
            /// [`CommandRef::into_command`].
            pub fn access(&self) -> $crate::command::Access {
                match self {
                    $($($( Self::$variant { $($bfield: _),* } => $crate::command::generate::access!($access), )?)*)*
                }
            }

            /// The one key the command touches.
            pub fn key(&self) -> &[u8] {
                match self {
                    $($($( Self::$variant { key, .. } => {
                        $crate::command::generate::discard!($($bfield)*);
                        key
                    } )?)*)*
                }
            }
        }
    };
}
pub(crate) use define_commands;

/// Expands to nothing: names metavariables only to say which rows a repetition is over.
macro_rules! discard {
    ($($tokens:tt)*) => {};
}
pub(crate) use discard;

/// An access class word as an [`Access`](super::Access), or an expression over the fields.
macro_rules! access {
    (Read) => { $crate::command::Access::Read };
    (Write) => { $crate::command::Access::Write };
    (Admin) => { $crate::command::Access::Admin };
    (Blocking) => { $crate::command::Access::Blocking };
    (Publish) => { $crate::command::Access::Publish };
    ({ $($expression:tt)* }) => { { $($expression)* } };
}
pub(crate) use access;

/// Pushes the keys a key spec names onto `$keys`, borrowed with `$iter` (`iter` or
/// `iter_mut`): a field, `all` of a `Vec` of keys, or the `firsts` of a `Vec` of pairs.
macro_rules! push_keys {
    ($keys:ident, $iter:ident;) => {};
    ($keys:ident, $iter:ident; all $field:ident $(, $($rest:tt)*)?) => {
        $keys.extend($field.$iter());
        $crate::command::generate::push_keys!($keys, $iter; $($($rest)*)?);
    };
    ($keys:ident, $iter:ident; firsts $field:ident $(, $($rest:tt)*)?) => {
        $keys.extend($field.$iter().map(|(key, _)| key));
        $crate::command::generate::push_keys!($keys, $iter; $($($rest)*)?);
    };
    ($keys:ident, $iter:ident; $field:ident $(, $($rest:tt)*)?) => {
        $keys.push($field);
        $crate::command::generate::push_keys!($keys, $iter; $($($rest)*)?);
    };
}
pub(crate) use push_keys;

/// The `time` column: whether the command depends on the clock, and making its relative
/// expiry absolute.
macro_rules! time {
    (clock; none) => { false };
    (clock; clock) => { true };
    (clock; ($($expiry:tt)+)) => {{
        use $crate::command::Deadline as _;
        ($($expiry)+).sets_deadline()
    }};
    (absolute $now:ident; none) => {};
    (absolute $now:ident; clock) => {};
    (absolute $now:ident; ($($expiry:tt)+)) => {{
        use $crate::command::Deadline as _;
        ($($expiry)+).make_absolute($now)
    }};
}
pub(crate) use time;

/// The `effects` column as an effects rule.
macro_rules! effects {
    (none) => {
        $crate::command::effects::Rule::None
    };
    (as_is) => {
        $crate::command::effects::Rule::AsIs
    };
    (if_changed) => {
        $crate::command::effects::Rule::IfChanged
    };
    (custom) => {
        $crate::command::effects::Rule::Custom
    };
}
pub(crate) use effects;

/// The timeout field of a blocking command (every blocking row has one named `timeout`).
macro_rules! timeout {
    (Blocking, $command:ident, $variant:ident) => {
        match $command {
            Self::$variant { timeout, .. } => Some(timeout),
            #[allow(unreachable_patterns)]
            _ => None,
        }
    };
    ($access:tt, $command:ident, $variant:ident) => {
        None
    };
}
pub(crate) use timeout;

/// Writes one command: its tag, then its fields (as the derived enum did).
macro_rules! serialize {
    ($serializer:ident, $tag:literal, $variant:ident) => {
        $serializer.serialize_unit_variant("Command", $tag, stringify!($variant))
    };
    ($serializer:ident, $tag:literal, $variant:ident; $($field:ident),*) => {
        $serializer.serialize_newtype_variant(
            "Command",
            $tag,
            stringify!($variant),
            &wire::write::$variant { $($field),* },
        )
    };
}
pub(crate) use serialize;

/// Reads one command's fields once its tag is known.
macro_rules! deserialize {
    ($access:ident, $variant:ident) => {{
        $access.unit_variant()?;
        Ok(Command::$variant)
    }};
    ($access:ident, $variant:ident; $($field:ident),*) => {{
        let wire::read::$variant { $($field),* } = $access.newtype_variant()?;
        Ok(Command::$variant { $($field),* })
    }};
}
pub(crate) use deserialize;

/// The type of a field of a borrowed command: names are borrowed, everything else as owned.
macro_rules! borrowed_type {
    ($lifetime:lifetime, Key) => {
        &$lifetime[u8]
    };
    ($lifetime:lifetime, Field) => {
        &$lifetime[u8]
    };
    ($lifetime:lifetime, $other:ident) => {
        $other
    };
}
pub(crate) use borrowed_type;

/// A field of a borrowed command made owned, for [`CommandRef::into_command`](super::CommandRef::into_command).
macro_rules! owned {
    (Key, $value:ident) => {
        <$crate::command::Key>::from($value)
    };
    (Field, $value:ident) => {
        <$crate::command::Field>::from($value)
    };
    ($other:ident, $value:ident) => {
        $value
    };
}
pub(crate) use owned;
