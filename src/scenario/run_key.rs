//! The `run_id` of every run: a hash of the run's resolved configuration.
//!
//! What is hashed is the resolved scenario (`scenario.toml`, every default
//! written out) narrowed to one run: every top-level key but the ones that
//! only name or count runs (`name`, `description`, `seeds`, the `[tune]`
//! search settings), the whole `[objective]` table (a CSV dataset by the
//! SHA-256 of its bytes, not by where it lies), the `[stop]` table, the run's
//! `[[optimizer]]` entry with its sweep values applied (without the lists of
//! values and search ranges, which other runs share), the events that apply
//! to it, its label, seed and steps. Adding seeds, sweep values or entries
//! therefore leaves the keys of the existing runs alone, while any change
//! that can change a run's numbers changes its key.
//!
//! The configuration is written in a canonical text of our own (tables with
//! sorted keys, strings length-prefixed, floats by their IEEE-754 bits) and
//! hashed with SHA-256: the same on every platform and Rust version, and
//! independent of how `to_toml` orders or formats its keys.

use super::Scenario;
use crate::data::DatasetSource;
use crate::engine::RunKey;
use crate::optim::Hyper;
use sha2::{Digest, Sha256};
use std::fmt::Write as _;
use toml::{Table, Value};

/// Versions the canonical text: bump it when its meaning changes.
const FORMAT: &str = "optlab-run-key-1\n";

/// Top-level keys that name or count runs but do not change any run's numbers.
const NOT_RUN_CONFIG: [&str; 6] = ["name", "description", "seeds", "optimizer", "event", "tune"];

/// Entry keys shared by all the runs of an entry that do not describe one run.
const NOT_ENTRY_CONFIG: [&str; 3] = ["label", "sweep", "tune"];

/// The key of every run, in run order (entry, sweep combination, seed).
pub(super) fn run_keys(s: &Scenario) -> Vec<RunKey> {
    // The resolved form parses back: a test of the scenario module proves it for every bundled scenario.
    let doc: Table = s.to_toml().parse().unwrap_or_else(|e| unreachable!("the resolved scenario parses: {e}"));
    let mut common = Table::new();
    for (key, value) in &doc {
        if !NOT_RUN_CONFIG.contains(&key.as_str()) {
            common.insert(key.clone(), value.clone());
        }
    }
    if let super::ObjectiveSpec::Model { dataset, .. } = &s.objective
        && let DatasetSource::Csv { path, .. } = &dataset.source
        && let Some(Value::Table(objective)) = common.get_mut("objective")
        && let Some(Value::Table(d)) = objective.get_mut("dataset")
    {
        // The data, not its location: the same file elsewhere is the same run. A file
        // that cannot be read keeps its path (loading it fails with its own error).
        let data = match std::fs::read(path) {
            Ok(bytes) => format!("sha256:{}", hex(&Sha256::digest(&bytes))),
            Err(_) => path.display().to_string(),
        };
        d.insert("csv".into(), Value::String(data));
    }
    let entries = match doc.get("optimizer") {
        Some(Value::Array(a)) => a.as_slice(),
        _ => &[],
    };

    let mut keys = Vec::with_capacity(s.run_count());
    for (i, entry) in s.optimizers.iter().enumerate() {
        let mut base = Table::new();
        if let Some(Value::Table(t)) = entries.get(i) {
            for (key, value) in t {
                if !NOT_ENTRY_CONFIG.contains(&key.as_str()) {
                    base.insert(key.clone(), value.clone());
                }
            }
        }
        for combo in entry.combinations() {
            let label = entry.run_label(&combo);
            let mut optimizer = base.clone();
            for (name, value) in &combo {
                optimizer.insert(name.clone(), hyper(*value));
            }
            let events: Vec<Value> = s
                .events
                .iter()
                .filter(|e| entry.event_applies(e, &label))
                .map(|e| {
                    let mut t = Table::new();
                    t.insert("step".into(), int(e.step));
                    let changes: Table = e.changes.iter().map(|c| (c.name.clone(), hyper(c.value))).collect();
                    t.insert("changes".into(), Value::Table(changes));
                    Value::Table(t)
                })
                .collect();
            let mut run = common.clone();
            run.insert("label".into(), Value::String(label));
            run.insert("optimizer".into(), Value::Table(optimizer));
            run.insert("events".into(), Value::Array(events));
            for i in 0..s.seeds {
                run.insert("run_seed".into(), int(s.seed.wrapping_add(i)));
                keys.push(key_of(&run));
            }
        }
    }
    keys
}

fn int(v: u64) -> Value {
    // Stored as its bits: seeds may use the whole u64 range.
    Value::Integer(v as i64)
}

fn hyper(h: Hyper) -> Value {
    match h {
        Hyper::Float(v) => Value::Float(v),
        Hyper::Bool(b) => Value::Boolean(b),
        Hyper::Choice(c) => Value::String(c.to_string()),
    }
}

fn key_of(run: &Table) -> RunKey {
    let mut text = String::from(FORMAT);
    canonical_table(run, &mut text);
    let digest = Sha256::digest(text.as_bytes());
    RunKey(digest[..6].iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b)))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

fn canonical_str(s: &str, out: &mut String) {
    let _ = write!(out, "s{}:{s}", s.len());
}

fn canonical_table(t: &Table, out: &mut String) {
    let mut keys: Vec<&String> = t.keys().collect();
    keys.sort();
    out.push('{');
    for k in keys {
        canonical_str(k, out);
        out.push('=');
        canonical(&t[k.as_str()], out);
        out.push(';');
    }
    out.push('}');
}

fn canonical(v: &Value, out: &mut String) {
    match v {
        Value::String(s) => canonical_str(s, out),
        Value::Integer(i) => {
            let _ = write!(out, "i{i}");
        }
        // The bits: exact, and free of any float formatting's history.
        Value::Float(f) => {
            let _ = write!(out, "f{:016x}", f.to_bits());
        }
        Value::Boolean(b) => out.push_str(if *b { "b1" } else { "b0" }),
        Value::Datetime(d) => canonical_str(&d.to_string(), out),
        Value::Array(items) => {
            out.push('[');
            for item in items {
                canonical(item, out);
                out.push(',');
            }
            out.push(']');
        }
        Value::Table(t) => canonical_table(t, out),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Origin;

    fn keys(text: &str) -> Vec<(String, u64, String)> {
        let s = Scenario::parse(text, Origin::Bundled("test")).unwrap_or_else(|e| panic!("{e}"));
        let specs = s.run_specs(2).unwrap();
        specs.iter().map(|r| (r.label.clone(), r.seed, r.key.to_string())).collect()
    }

    const BASE: &str = "name = \"a\"\nsteps = 50\nseeds = 2\n[objective]\nkind = \"rosenbrock\"\n\
                        [[optimizer]]\nkind = \"adam\"\nlabel = \"Adam\"\nsweep = { lr = [0.1, 0.01] }\n";

    #[test]
    fn the_canonical_text_and_its_hash_are_pinned() {
        // Pinned: other digits here mean every stored shard folder stops matching
        // its runs; bump FORMAT on purpose if the text must change.
        let run: Table =
            "label = \"Adam lr=0.1\"\nsteps = 50\nlr = 0.1\nok = true\nxs = [1.5, -2]\n[t]\nb = 1\na = \"é\"\n"
                .parse()
                .unwrap();
        let mut text = String::new();
        canonical_table(&run, &mut text);
        assert_eq!(
            text,
            "{s5:label=s11:Adam lr=0.1;s2:lr=f3fb999999999999a;s2:ok=b1;s5:steps=i50;s1:t={s1:a=s2:é;s1:b=i1;};\
             s2:xs=[f3ff8000000000000,i-2,];}"
        );
        assert_eq!(key_of(&run).to_string(), "57ca2185f35a", "the same digits as Python's hashlib.sha256");
    }

    #[test]
    fn every_run_has_its_own_key_written_as_12_hex_digits() {
        let k = keys(BASE);
        assert_eq!(k.len(), 4);
        let unique: std::collections::BTreeSet<&String> = k.iter().map(|r| &r.2).collect();
        assert_eq!(unique.len(), 4);
        assert!(k.iter().all(|r| RunKey::parse(&r.2).is_some_and(|p| p.to_string() == r.2)));
        assert_eq!(RunKey::parse("0123456789ab"), Some(RunKey(0x0123456789ab)));
        for bad in ["0123456789AB", "0123456789a", "0123456789abc", "g123456789ab", ""] {
            assert_eq!(RunKey::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn adding_runs_keeps_the_keys_of_the_others() {
        let before = keys(BASE);
        let grown = [
            BASE.replace("seeds = 2", "seeds = 5"),
            BASE.replace("[0.1, 0.01]", "[0.1, 0.03, 0.01]"),
            format!("{BASE}[[optimizer]]\nkind = \"sgd\"\nlabel = \"SGD\"\n"),
            BASE.replace("name = \"a\"", "name = \"renamed\"\ndescription = \"more\""),
        ];
        for text in grown {
            let after = keys(&text);
            for run in &before {
                assert!(after.contains(run), "{run:?} lost in {after:?}");
            }
        }
    }

    #[test]
    fn anything_that_changes_the_numbers_changes_the_key() {
        let before: Vec<String> = keys(BASE).into_iter().map(|r| r.2).collect();
        let changed = [
            BASE.replace("steps = 50", "steps = 51"),
            BASE.replace("seeds = 2", "seeds = 2\nseed = 7"),
            BASE.replace("kind = \"rosenbrock\"", "kind = \"rosenbrock\"\nstart = [1.0, 1.5]"),
            BASE.replace("kind = \"rosenbrock\"", "kind = \"rosenbrock\"\nnoise = 0.1"),
            BASE.replace("label = \"Adam\"", "label = \"Adam\"\nbeta2 = 0.99"),
            BASE.replace("label = \"Adam\"", "label = \"Adam\"\nschedule = { kind = \"cosine\" }"),
            format!("{BASE}[stop]\ntarget_loss = 1e-3\n"),
            format!("{BASE}[[event]]\nstep = 10\nrun = \"Adam\"\nbeta1 = 0.5\n"),
            BASE.replace("label = \"Adam\"", "label = \"Adam2\""),
        ];
        for text in changed {
            for key in keys(&text).into_iter().map(|r| r.2) {
                assert!(!before.contains(&key), "{key} kept after a change:\n{text}");
            }
        }
    }

    #[test]
    fn a_csv_dataset_is_keyed_by_its_content_not_its_place() {
        let dir = tempfile::tempdir().unwrap();
        let data = "a,b,y\n1,2,0\n2,1,1\n3,3,0\n4,1,1\n0,0,0\n";
        for sub in ["one", "two"] {
            std::fs::create_dir(dir.path().join(sub)).unwrap();
            std::fs::write(dir.path().join(sub).join("d.csv"), data).unwrap();
        }
        let text = "name = \"c\"\n[objective]\nkind = \"logistic\"\n[objective.dataset]\ncsv = \"d.csv\"\n\
                    [[optimizer]]\nkind = \"sgd\"\n";
        let key_in = |sub: &str| {
            let s = Scenario::parse(text, Origin::File(dir.path().join(sub).join("s.toml"))).unwrap();
            s.run_keys()
        };
        assert_eq!(key_in("one"), key_in("two"));
        std::fs::write(dir.path().join("two").join("d.csv"), data.replace("4,1,1", "4,1,0")).unwrap();
        assert_ne!(key_in("one"), key_in("two"));
    }
}
