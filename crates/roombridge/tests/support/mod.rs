//! Shared support of the roombridge integration tests.

#![allow(dead_code, unreachable_pub)]

pub mod world;
