//! What durable backends need from the engine: snapshots of the keyspace and loading them back.
//! (Owned by the file backend work; see `backends/file`.)
