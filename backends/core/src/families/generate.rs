//! `define_typed!`: what the command table generates for the typed API.
//!
//! Given every row of the table (see `command/table`), it writes one trait per section
//! ([`Strings`](super::Strings), [`Hashes`](super::Hashes), ...) with a blanket implementation
//! for every [`Store`](crate::Store), the same methods on [`Pipeline`](super::Pipeline) and
//! [`Batch`](super::Batch), and (for the testkit) a list that calls every typed method once.
//! The parameter kinds of the rows (`Key`, `Values`, ...) become Rust types here, in
//! [`param_type`], [`owned`] and [`lent`]: the one place that knows that keys are `&impl AsRef<[u8]>` on the
//! way in and [`Key`](crate::command::Key) in a command.

/// Generates the typed side of the command table; invoked once, in `families/mod.rs`.
macro_rules! define_typed {
    ($(
        $section:ident $section_doc:literal [$($extra:tt)*] {
            $(
                $(#[doc = $doc:literal])*
                $tag:literal $variant:ident $({ $($fields:tt)* })? => $name:literal [$($meta:tt)*] {
                    $(
                        $(#[doc = $mdoc:literal])*
                        fn $method:ident ( $( $param:ident : $kind:tt ),* $(,)? ) -> $out:ty
                            $(as $decoder:ident)? = $build:tt ;
                    )*
                }
            )*
        }
    )*) => {
        $(
            #[doc = $section_doc]
            ///
            /// Implemented for every [`Store`]. The semantics, including the `# Behavior` rules
            /// the testkit asserts, are documented on the [`Command`] variant each method links
            /// to; the same methods build [`Pipeline`] and [`Batch`] steps.
            pub trait $section: Store {
                $($(
                    $(#[doc = $mdoc])*
                    ///
                    #[doc = concat!("Runs [`Command::", stringify!($variant), "`].")]
                    #[inline]
                    // One lifetime for every borrowed parameter, named even where only `self`
                    // has it, so the template fits every row.
                    #[allow(clippy::needless_lifetimes)]
                    fn $method<'a>(
                        &'a self,
                        $( $param: $crate::families::generate::param_type!('a, $kind) ),*
                    ) -> impl Future<Output = Result<$out>> + Send {
                        $crate::families::generate::typed_call!(
                            self, $variant, [$($param: $kind),*], $out, [$($decoder)?], $build
                        )
                    }
                )*)*

                $($extra)*
            }

            impl<S: Store + ?Sized> $section for S {}
        )*

        impl<'s, S: Store + ?Sized, Steps> Pipeline<'s, S, Steps> {
            $($($(
                $(#[doc = $mdoc])*
                ///
                #[doc = concat!("Adds [`Command::", stringify!($variant), "`] as the next step.")]
                pub fn $method(
                    self,
                    $( $param: $crate::families::generate::param_type!('_, $kind) ),*
                ) -> Pipeline<
                    's,
                    S,
                    <Steps as Append<$crate::families::generate::decoder_type!($out $(, $decoder)?)>>::Output,
                >
                where
                    Steps: Append<$crate::families::generate::decoder_type!($out $(, $decoder)?)>,
                {
                    let (command, decoder) = $crate::families::generate::owned_step!(
                        $variant, [$($param: $kind),*], $out, [$($decoder)?], $build
                    );
                    self.push(command, decoder)
                }
            )*)*)*
        }

        impl<S: Store + ?Sized> Batch<'_, S> {
            $($($(
                $(#[doc = $mdoc])*
                ///
                #[doc = concat!("Adds [`Command::", stringify!($variant), "`]; its reply is the returned step's.")]
                pub fn $method(
                    &mut self,
                    $( $param: $crate::families::generate::param_type!('_, $kind) ),*
                ) -> Step<$crate::families::generate::decoder_type!($out $(, $decoder)?)> {
                    let (command, decoder) = $crate::families::generate::owned_step!(
                        $variant, [$($param: $kind),*], $out, [$($decoder)?], $build
                    );
                    self.push(command, decoder)
                }
            )*)*)*
        }

        /// Every typed method called once with sample arguments: on its own, as a pipeline step
        /// and as a batch step. Each entry is the method's name and the call's outcome.
        #[cfg(feature = "testkit")]
        pub(crate) fn every_typed_call<'a, S: Store + ?Sized>(
            store: &'a S,
        ) -> Vec<(String, ::std::pin::Pin<Box<dyn Future<Output = Result<()>> + Send + 'a>>)> {
            use $crate::families::sample::Sample as _;
            let mut calls: Vec<(String, ::std::pin::Pin<Box<dyn Future<Output = Result<()>> + Send + 'a>>)> = Vec::new();
            $($($(
                calls.push((
                    stringify!($method).to_owned(),
                    Box::pin(async move {
                        store
                            .$method($($crate::families::generate::sample!($kind)),*)
                            .await
                            .map(drop)
                    }),
                ));
                calls.push((
                    concat!("pipeline ", stringify!($method)).to_owned(),
                    Box::pin(async move {
                        Execute::pipeline(store)
                            .$method($($crate::families::generate::sample!($kind)),*)
                            .run()
                            .await
                            .map(drop)
                    }),
                ));
                calls.push((
                    concat!("batch ", stringify!($method)).to_owned(),
                    Box::pin(async move {
                        let mut batch = Batch::transaction(store);
                        let step = batch.$method($($crate::families::generate::sample!($kind)),*);
                        batch.run().await?.take(step).map(drop)
                    }),
                ));
            )*)*)*
            calls
        }
    };
}
pub(crate) use define_typed;

/// The Rust type a parameter kind takes, borrowing names for `$lifetime`.
macro_rules! param_type {
    ($lifetime:lifetime, Key) => { &$lifetime (impl AsRef<[u8]> + ?Sized) };
    ($lifetime:lifetime, Field) => { &$lifetime (impl AsRef<[u8]> + ?Sized) };
    ($lifetime:lifetime, Channel) => { &$lifetime (impl AsRef<[u8]> + ?Sized) };
    ($lifetime:lifetime, Pattern) => { &$lifetime (impl AsRef<[u8]> + ?Sized) };
    ($lifetime:lifetime, Keys) => { impl IntoIterator<Item = impl AsRef<[u8]>> };
    ($lifetime:lifetime, Fields) => { impl IntoIterator<Item = impl AsRef<[u8]>> };
    ($lifetime:lifetime, Channels) => { impl IntoIterator<Item = impl AsRef<[u8]>> };
    ($lifetime:lifetime, Value) => { impl IntoValue };
    ($lifetime:lifetime, Values) => { impl IntoIterator<Item = impl IntoValue> };
    ($lifetime:lifetime, FieldValues) => {
        impl IntoIterator<Item = (impl Into<$crate::command::Field>, impl IntoValue)>
    };
    ($lifetime:lifetime, KeyValues) => {
        impl IntoIterator<Item = (impl Into<$crate::command::Key>, impl IntoValue)>
    };
    ($lifetime:lifetime, ScoreMembers) => { impl IntoIterator<Item = (f64, impl IntoValue)> };
    ($lifetime:lifetime, ($($type:tt)*)) => { $($type)* };
    ($lifetime:lifetime, $type:ty) => { $type };
}
pub(crate) use param_type;

/// A parameter converted to what an owned command holds.
macro_rules! owned {
    (Key, $p:ident) => {
        <$crate::command::Key>::from(<_ as AsRef<[u8]>>::as_ref($p))
    };
    (Field, $p:ident) => {
        <$crate::command::Field>::from(<_ as AsRef<[u8]>>::as_ref($p))
    };
    (Channel, $p:ident) => {
        $crate::Name::from(<_ as AsRef<[u8]>>::as_ref($p))
    };
    (Pattern, $p:ident) => {
        $crate::Name::from(<_ as AsRef<[u8]>>::as_ref($p))
    };
    (Keys, $p:ident) => {
        $p.into_iter()
            .map(|key| <$crate::command::Key>::from(AsRef::<[u8]>::as_ref(&key)))
            .collect::<Vec<$crate::command::Key>>()
    };
    (Fields, $p:ident) => {
        $p.into_iter()
            .map(|field| <$crate::command::Field>::from(AsRef::<[u8]>::as_ref(&field)))
            .collect::<Vec<$crate::command::Field>>()
    };
    (Channels, $p:ident) => {
        $p.into_iter()
            .map(|channel| $crate::Name::from(AsRef::<[u8]>::as_ref(&channel)))
            .collect::<Vec<$crate::Name>>()
    };
    (Value, $p:ident) => {
        IntoValue::into_value($p)
    };
    (Values, $p:ident) => {
        $p.into_iter()
            .map(IntoValue::into_value)
            .collect::<Vec<Bytes>>()
    };
    (FieldValues, $p:ident) => {
        $p.into_iter()
            .map(|(field, value)| (field.into(), value.into_value()))
            .collect::<Vec<($crate::command::Field, Bytes)>>()
    };
    (KeyValues, $p:ident) => {
        $p.into_iter()
            .map(|(key, value)| (key.into(), value.into_value()))
            .collect::<Vec<($crate::command::Key, Bytes)>>()
    };
    (ScoreMembers, $p:ident) => {
        $p.into_iter()
            .map(|(score, member)| (score, member.into_value()))
            .collect::<Vec<(f64, Bytes)>>()
    };
    ($other:tt, $p:ident) => {
        $p
    };
}
pub(crate) use owned;

/// A parameter as a borrowed command holds it: names stay borrowed.
macro_rules! lent {
    (Key, $p:ident) => {
        <_ as AsRef<[u8]>>::as_ref($p)
    };
    (Field, $p:ident) => {
        <_ as AsRef<[u8]>>::as_ref($p)
    };
    (Value, $p:ident) => {
        IntoValue::into_value($p)
    };
    ($other:tt, $p:ident) => {
        $p
    };
}
pub(crate) use lent;

/// The decoder type of a typed method: its own, or [`As`](super::As) its return type.
macro_rules! decoder_type {
    ($out:ty) => { As<$out> };
    ($out:ty, $decoder:ident) => { $decoder };
}
pub(crate) use decoder_type;

/// A typed method's future: the borrowed command when its row has one, the owned otherwise.
macro_rules! typed_call {
    ($store:ident, $variant:ident, [$($param:ident : $kind:tt),*], $out:ty, [], borrowed) => {{
        $( let $param = $crate::families::generate::lent!($kind, $param); )*
        Run::new($store, CommandRef::$variant { $($param),* }, As::<$out>::new())
    }};
    ($store:ident, $variant:ident, [$($param:ident : $kind:tt),*], $out:ty, [$($decoder:ident)?], $fields:tt) => {{
        let (command, decoder) = $crate::families::generate::owned_step!(
            $variant, [$($param: $kind),*], $out, [$($decoder)?], $fields
        );
        Run::new($store, command, decoder)
    }};
}
pub(crate) use typed_call;

/// The owned command of a typed method and its decoder.
macro_rules! owned_step {
    ($variant:ident, [$($param:ident : $kind:tt),*], $out:ty, [], borrowed) => {{
        $( let $param = $crate::families::generate::lent!($kind, $param); )*
        (CommandRef::$variant { $($param),* }.into_command(), As::<$out>::new())
    }};
    ($variant:ident, [$($param:ident : $kind:tt),*], $out:ty, [$($decoder:ident)?], { $($fields:tt)* }) => {{
        $( let $param = $crate::families::generate::owned!($kind, $param); )*
        let command = Command::$variant { $($fields)* };
        let decoder = <$crate::families::generate::decoder_type!($out $(, $decoder)?) as DecoderFor>::for_command(&command);
        (command, decoder)
    }};
}
pub(crate) use owned_step;

/// A sample argument of a parameter kind, for the call-every-method list.
#[cfg(feature = "testkit")]
macro_rules! sample {
    (Key) => { "k" };
    (Field) => { "f" };
    (Channel) => { "ch" };
    (Pattern) => { "*" };
    (Keys) => { ["k", "k2"] };
    (Fields) => { ["f", "g"] };
    (Channels) => { ["ch", "ch2"] };
    (Value) => { "v" };
    (Values) => { ["a", "b"] };
    (FieldValues) => { [("f", "v")] };
    (KeyValues) => { [("k", "v"), ("k2", "w")] };
    (ScoreMembers) => { [(1.0, "m")] };
    (($($type:tt)*)) => { <$($type)*>::sample() };
    ($type:ty) => { <$type>::sample() };
}
#[cfg(feature = "testkit")]
pub(crate) use sample;
