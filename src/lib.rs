//! optlab: compare gradient-based optimizers side by side.
//!
//! Layers, arrows pointing one way: `optim`, `objective`, `data` (pure math) →
//! `engine` (runs and labs) → `scenario`, `report` (files in and out) → the
//! front ends (`tui`, `main.rs`).

pub mod catalog;
pub mod data;
pub mod engine;
pub mod objective;
pub mod optim;
pub mod report;
pub mod scenario;
pub mod shard;
pub mod text;
pub mod tui;
pub mod tune;
