//! `optlab emit`: the scripts a batch engine runs, written ready to submit.
//!
//! Everything goes into one shared folder the user names (every node must see
//! it at the same path): a copy of the resolved scenario, the scripts, and
//! later the shard folders (`shards/`), the logs and the merged result
//! (`result/`). The scripts call optlab by the path given.

use super::{ShardError, io};
use crate::data::DatasetSource;
use crate::report::slug;
use crate::scenario::{ObjectiveSpec, Scenario};
use std::fs;
use std::path::{Path, PathBuf};

/// The batch engines optlab writes scripts for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    /// An sbatch job array and a merge job that depends on it.
    Slurm,
    /// A Kubernetes Indexed Job and a merge Job.
    K8s,
    /// GNU parallel (on one machine or over ssh).
    Parallel,
}

impl Engine {
    pub fn name(self) -> &'static str {
        match self {
            Engine::Slurm => "slurm",
            Engine::K8s => "k8s",
            Engine::Parallel => "parallel",
        }
    }
}

/// What to emit.
#[derive(Clone, Debug)]
pub struct EmitOptions {
    pub engine: Engine,
    pub shards: usize,
    /// The shared folder (made absolute).
    pub out: PathBuf,
    /// How the scripts call optlab (`None`: this program by its absolute path;
    /// for Kubernetes, a copy of it in the shared folder, `bin/optlab`).
    pub optlab: Option<String>,
    /// The container image of the Kubernetes pods.
    pub image: String,
    /// The PersistentVolumeClaim that holds the shared folder in Kubernetes.
    pub volume_claim: String,
}

/// What was written, and the command that submits it.
#[derive(Debug)]
pub struct Emitted {
    pub files: Vec<PathBuf>,
    pub submit: String,
    pub result: PathBuf,
}

/// What `optlab emit` wrote there, for the user.
const RECORD: &str = "optlab-cluster.toml";

/// A word for a POSIX shell, quoted when it needs to be.
pub fn sh_quote(word: &str) -> String {
    let plain = !word.is_empty() && word.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_./=:@%+,".contains(&b));
    if plain { word.to_string() } else { format!("'{}'", word.replace('\'', r"'\''")) }
}

/// A string for YAML, double-quoted with JSON's escapes (YAML's double-quoted style accepts them).
fn yaml_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A Kubernetes object name: lowercase letters, digits and `-`, at most 63 characters with `suffix`.
fn k8s_name(scenario: &Scenario, suffix: &str) -> String {
    let base: String = format!("optlab-{}", slug(&scenario.name)).chars().take(63 - suffix.len()).collect();
    format!("{}{suffix}", base.trim_end_matches('-'))
}

/// The scenario as the scripts run it: its data files by absolute path, so
/// the copy in the shared folder reads the same data from any working folder.
fn portable(scenario: &Scenario) -> Scenario {
    let mut s = scenario.clone();
    if let ObjectiveSpec::Model { dataset, .. } = &mut s.objective
        && let DatasetSource::Csv { path, .. } = &mut dataset.source
        && let Ok(abs) = std::path::absolute(&*path)
    {
        *path = abs;
    }
    s
}

/// Write the scripts of `options.engine` for `scenario` into `options.out`.
pub fn emit(scenario: &Scenario, options: &EmitOptions) -> Result<Emitted, ShardError> {
    if options.shards == 0 {
        return Err(ShardError::Usage("--shards must be at least 1".into()));
    }
    let dir = std::path::absolute(&options.out).map_err(io(&options.out))?;
    if options.engine == Engine::Slurm && dir.to_string_lossy().contains(|c: char| c.is_whitespace() || c == '%') {
        // #SBATCH lines are not read by a shell: they cannot quote, and `%` is a filename pattern.
        return Err(ShardError::Usage(format!(
            "--out {}: for SLURM the shared folder's path must not contain spaces or `%` (it goes into #SBATCH lines)",
            dir.display()
        )));
    }
    // Written in place (the shards and the result go into it later), by the rules of every optlab folder.
    crate::report::folder::check_replaceable(&dir)?;
    fs::create_dir_all(dir.join("logs")).map_err(io(&dir))?;
    crate::report::folder::write_marker(&dir)?;
    let mut files = Vec::new();
    let optlab_path = match (&options.optlab, options.engine) {
        (Some(p), _) => p.clone(),
        (None, engine) => {
            let exe = std::env::current_exe().map_err(io(Path::new("optlab")))?;
            if engine == Engine::K8s {
                // The pods see the shared folder, not this machine's programs.
                let bin = dir.join("bin");
                fs::create_dir_all(&bin).map_err(io(&bin))?;
                let copy = bin.join("optlab");
                let tmp = bin.join(format!(".optlab.tmp-{}", std::process::id()));
                fs::copy(&exe, &tmp).map_err(io(&tmp))?;
                fs::rename(&tmp, &copy).map_err(io(&copy))?;
                files.push(copy.clone());
                copy.display().to_string()
            } else {
                exe.display().to_string()
            }
        }
    };
    let mut write = |name: &str, text: String, executable: bool| -> Result<(), ShardError> {
        let path = dir.join(name);
        let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
        fs::write(&tmp, text).map_err(io(&tmp))?;
        if executable {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&tmp, fs::Permissions::from_mode(0o755)).map_err(io(&tmp))?;
        }
        fs::rename(&tmp, &path).map_err(io(&path))?;
        files.push(path);
        Ok(())
    };
    let n = options.shards;
    let scenario_path = dir.join("scenario.toml");
    let shards_dir = dir.join("shards");
    let result = dir.join("result");
    let q = |p: &Path| sh_quote(&p.display().to_string());
    let optlab = sh_quote(&optlab_path);
    let shard_glob = format!("{}/shard-*-of-{n}", q(&shards_dir));
    let merge_cmd = format!("{optlab} merge {shard_glob} --out {} --quiet", q(&result));
    let title = scenario.name.replace('\n', " ");

    write(
        RECORD,
        format!(
            "# Written by `optlab emit`: scripts for a batch engine.\n\
             engine = {}\nscenario = {}\nshards = {n}\noptlab = {}\n",
            yaml_str(options.engine.name()),
            yaml_str(&scenario.name),
            yaml_str(&optlab_path)
        ),
        false,
    )?;
    write("scenario.toml", portable(scenario).to_toml(), false)?;

    let submit = match options.engine {
        Engine::Slurm => {
            let job: String = format!("optlab-{}", slug(&scenario.name)).chars().take(40).collect();
            let job = job.trim_end_matches('-');
            write(
                "shard.sbatch",
                format!(
                    "#!/bin/bash\n\
                     #SBATCH --job-name={job}\n\
                     #SBATCH --array=0-{last}\n\
                     #SBATCH --cpus-per-task=1\n\
                     #SBATCH --output={logs}/shard-%a.out\n\
                     #SBATCH --requeue\n\
                     # One task per shard of \"{title}\": task i runs shard i+1 of {n}.\n\
                     # A failed or preempted task can be submitted again as it is: --resume keeps its finished runs.\n\
                     set -euo pipefail\n\
                     exec {optlab} run {scenario} --shard auto --resume --quiet --threads \"${{SLURM_CPUS_PER_TASK:-1}}\" --out {shards}\n",
                    last = n - 1,
                    logs = dir.join("logs").display(),
                    scenario = q(&scenario_path),
                    shards = q(&shards_dir),
                ),
                true,
            )?;
            write(
                "merge.sbatch",
                format!(
                    "#!/bin/bash\n\
                     #SBATCH --job-name={job}-merge\n\
                     #SBATCH --cpus-per-task=1\n\
                     #SBATCH --output={logs}/merge.out\n\
                     # Merges the {n} shards of \"{title}\" into {result}, as one machine would have written it.\n\
                     set -euo pipefail\n\
                     {merge_cmd}\n\
                     echo results in {result_q}\n",
                    logs = dir.join("logs").display(),
                    result = result.display(),
                    result_q = q(&result),
                ),
                true,
            )?;
            write(
                "submit.sh",
                format!(
                    "#!/bin/bash\n\
                     # Submits the job array of {n} shards and the merge job that waits for it to succeed.\n\
                     # Arguments go to both sbatch calls (e.g. --partition=short --time=1:00:00).\n\
                     set -euo pipefail\n\
                     array=$(sbatch --parsable \"$@\" {shard})\n\
                     array=${{array%%;*}}\n\
                     merge=$(sbatch --parsable \"$@\" --dependency=afterok:\"$array\" {merge})\n\
                     merge=${{merge%%;*}}\n\
                     echo \"job array $array ({n} shards), then merge job $merge\"\n\
                     echo results will be in {result}\n",
                    shard = q(&dir.join("shard.sbatch")),
                    merge = q(&dir.join("merge.sbatch")),
                    result = q(&result),
                ),
                true,
            )?;
            format!("bash {}", q(&dir.join("submit.sh")))
        }
        Engine::K8s => {
            let name = k8s_name(scenario, "");
            let merge_name = k8s_name(scenario, "-merge");
            let volume = |indent: &str| {
                format!(
                    "{indent}volumes:\n{indent}- name: shared\n{indent}  persistentVolumeClaim:\n{indent}    claimName: {}\n",
                    yaml_str(&options.volume_claim)
                )
            };
            let mount = format!(
                "        volumeMounts:\n        - name: shared\n          mountPath: {}\n",
                yaml_str(&dir.display().to_string())
            );
            let command = |words: &[String]| words.iter().map(|w| yaml_str(w)).collect::<Vec<_>>().join(", ");
            let shard_words: Vec<String> = [
                optlab_path.as_str(),
                "run",
                &scenario_path.display().to_string(),
                "--shard",
                "auto",
                "--shards",
                &n.to_string(),
                "--resume",
                "--quiet",
                "--threads",
                "1",
                "--out",
                &shards_dir.display().to_string(),
            ]
            .iter()
            .map(|s| s.to_string())
            .collect();
            write(
                "job.yaml",
                format!(
                    "# The {n} shards of \"{title}\" as a Kubernetes Indexed Job: pod i runs shard i+1.\n\
                     # Every pod mounts the shared folder {dir} (PersistentVolumeClaim {claim}) at that path.\n\
                     # A pod that fails is restarted and resumes: --resume keeps the runs it had finished.\n\
                     apiVersion: batch/v1\n\
                     kind: Job\n\
                     metadata:\n  name: {name}\n\
                     spec:\n  completions: {n}\n  parallelism: {n}\n  completionMode: Indexed\n  backoffLimit: {backoff}\n\
                     \x20 template:\n    spec:\n      restartPolicy: OnFailure\n      containers:\n\
                     \x20     - name: optlab\n        image: {image}\n        command: [{cmd}]\n{mount}{volumes}",
                    dir = dir.display(),
                    claim = options.volume_claim,
                    backoff = 3 * n,
                    image = yaml_str(&options.image),
                    cmd = command(&shard_words),
                    volumes = volume("      "),
                ),
                false,
            )?;
            let merge_words = vec!["/bin/sh".to_string(), "-c".to_string(), format!("exec {merge_cmd}")];
            write(
                "merge.yaml",
                format!(
                    "# Merges the {n} shards of \"{title}\" into {result} once the Job {name} is complete.\n\
                     apiVersion: batch/v1\n\
                     kind: Job\n\
                     metadata:\n  name: {merge_name}\n\
                     spec:\n  backoffLimit: 2\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n\
                     \x20     - name: optlab\n        image: {image}\n        command: [{cmd}]\n{mount}{volumes}",
                    result = result.display(),
                    image = yaml_str(&options.image),
                    cmd = command(&merge_words),
                    volumes = volume("      "),
                ),
                false,
            )?;
            write(
                "submit.sh",
                format!(
                    "#!/bin/sh\n\
                     # Runs the Indexed Job, waits for it, then the merge Job. Arguments go to kubectl (e.g. -n NAMESPACE).\n\
                     set -eu\n\
                     kubectl \"$@\" apply -f {job}\n\
                     kubectl \"$@\" wait --for=condition=complete --timeout=-1s job/{name}\n\
                     kubectl \"$@\" apply -f {merge}\n\
                     kubectl \"$@\" wait --for=condition=complete --timeout=-1s job/{merge_name}\n\
                     echo results in {result}\n",
                    job = q(&dir.join("job.yaml")),
                    merge = q(&dir.join("merge.yaml")),
                    result = q(&result),
                ),
                true,
            )?;
            format!("sh {}", q(&dir.join("submit.sh")))
        }
        Engine::Parallel => {
            let job = format!(
                "{optlab} run {} --shard {{}}/{n} --resume --quiet --threads 1 --out {}",
                q(&scenario_path),
                q(&shards_dir)
            );
            write(
                "run.sh",
                format!(
                    "#!/bin/bash\n\
                     # The {n} shards of \"{title}\" with GNU parallel, one per core, then the merge.\n\
                     # Arguments go to parallel: --sshloginfile FILE spreads the shards over machines that\n\
                     # see {dir} at the same path. Run it again after a failure: --resume-failed runs only\n\
                     # the shards that did not succeed (see {joblog}), and --resume keeps their finished runs.\n\
                     set -euo pipefail\n\
                     parallel --joblog {joblog_q} --resume-failed --halt never \"$@\" {job_q} ::: $(seq 1 {n})\n\
                     {merge_cmd}\n\
                     echo results in {result}\n",
                    dir = dir.display(),
                    joblog = dir.join("joblog.txt").display(),
                    joblog_q = q(&dir.join("joblog.txt")),
                    job_q = sh_quote(&job),
                    result = q(&result),
                ),
                true,
            )?;
            format!("bash {}", q(&dir.join("run.sh")))
        }
    };
    Ok(Emitted { files, submit, result })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_words_are_quoted_only_when_needed() {
        assert_eq!(sh_quote("/usr/bin/optlab"), "/usr/bin/optlab");
        assert_eq!(sh_quote("/my dir/it's"), r"'/my dir/it'\''s'");
        assert_eq!(sh_quote("$HOME"), "'$HOME'");
        assert_eq!(sh_quote(""), "''");
    }

    #[test]
    fn kubernetes_names_are_dns_labels() {
        let s = Scenario::parse(
            &format!(
                "name = \"{}\"\n[objective]\nkind = \"beale\"\n[[optimizer]]\nkind = \"sgd\"\n",
                "Long Name ".repeat(10)
            ),
            crate::scenario::Origin::Bundled("t"),
        )
        .unwrap();
        for suffix in ["", "-merge"] {
            let n = k8s_name(&s, suffix);
            assert!(n.len() <= 63 && n.ends_with(suffix) && !n.contains("--"), "{n}");
            assert!(n.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'), "{n}");
        }
        assert_eq!(yaml_str("a \"b\" \\ c"), r#""a \"b\" \\ c""#);
    }
}
