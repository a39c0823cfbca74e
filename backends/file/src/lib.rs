//! `staunch-file`: the embedded durable backend (in progress).
