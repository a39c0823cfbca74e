//! Shared helpers for the workspace-level tests.

#![allow(dead_code)]

pub mod diff;
