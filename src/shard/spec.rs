//! Which slice to run: `--shard I/N` from the command line, or `--shard auto`
//! from the batch engine's environment (SLURM job arrays, Kubernetes Indexed Jobs).

use super::ShardError;
use std::fmt;

/// Shard `index` (1-based) of `count`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

impl Shard {
    /// The shard's folder name, `shard-03-of-12` (numbers padded so folders sort).
    pub fn folder_name(&self) -> String {
        let width = self.count.to_string().len();
        format!("shard-{:0width$}-of-{}", self.index, self.count)
    }

    /// Reads `I/N` with 1 ≤ I ≤ N.
    pub fn parse(text: &str) -> Result<Shard, ShardError> {
        let bad = |why: &str| ShardError::Usage(format!("--shard {text}: {why}; expected I/N (e.g. 2/7) or auto"));
        let (i, n) = text.split_once('/').ok_or_else(|| bad("no `/`"))?;
        let index: usize = i.trim().parse().map_err(|_| bad("I is not a whole number"))?;
        let count: usize = n.trim().parse().map_err(|_| bad("N is not a whole number"))?;
        if count == 0 {
            return Err(bad("N must be at least 1"));
        }
        if index == 0 || index > count {
            return Err(bad(&format!("I must be between 1 and {count} (shards are numbered from 1)")));
        }
        Ok(Shard { index, count })
    }

    /// The shard of this task of a batch engine, from its environment:
    /// `SLURM_ARRAY_TASK_ID` with `SLURM_ARRAY_TASK_MIN`/`MAX` (and `STEP`) or
    /// `SLURM_ARRAY_TASK_COUNT`; else Kubernetes' `JOB_COMPLETION_INDEX` with
    /// `shards` (`--shards N`). `var` looks a variable up (`std::env::var` in the program).
    pub fn from_env(var: impl Fn(&str) -> Option<String>, shards: Option<usize>) -> Result<Shard, ShardError> {
        let num = |name: &str| -> Result<Option<u64>, ShardError> {
            match var(name) {
                None => Ok(None),
                Some(v) if v.trim().is_empty() => Ok(None),
                Some(v) => v
                    .trim()
                    .parse()
                    .map(Some)
                    .map_err(|_| ShardError::Usage(format!("--shard auto: {name}=`{v}` is not a whole number"))),
            }
        };
        let check_count = |count: usize, source: &str| match shards {
            Some(n) if n != count => Err(ShardError::Usage(format!(
                "--shard auto: --shards {n} disagrees with the {count} tasks of the {source}"
            ))),
            _ => Ok(()),
        };
        if let Some(id) = num("SLURM_ARRAY_TASK_ID")? {
            let (min, max, step, count) = (
                num("SLURM_ARRAY_TASK_MIN")?,
                num("SLURM_ARRAY_TASK_MAX")?,
                num("SLURM_ARRAY_TASK_STEP")?.unwrap_or(1).max(1),
                num("SLURM_ARRAY_TASK_COUNT")?,
            );
            let (offset, n) = match (min, max, count) {
                (Some(min), Some(max), _) if min <= id && id <= max => {
                    let n = (max - min) / step + 1;
                    if (id - min) % step != 0 || count.is_some_and(|c| c != n) {
                        return Err(ShardError::Usage(format!(
                            "--shard auto: the job array is not a range of consecutive tasks \
                             (task {id}, min {min}, max {max}, step {step}, count {}); submit with \
                             --array=0-{} or give --shard I/N",
                            count.map_or_else(|| "unset".into(), |c| c.to_string()),
                            n.saturating_sub(1)
                        )));
                    }
                    ((id - min) / step, n)
                }
                (Some(min), Some(max), _) => {
                    return Err(ShardError::Usage(format!(
                        "--shard auto: SLURM_ARRAY_TASK_ID={id} is outside SLURM_ARRAY_TASK_MIN={min} .. MAX={max}"
                    )));
                }
                // Without the range, tasks are taken to be numbered from 0, as `--array=0-{N-1}`.
                (_, _, Some(count)) if id < count => (id, count),
                (_, _, Some(count)) => {
                    return Err(ShardError::Usage(format!(
                        "--shard auto: SLURM_ARRAY_TASK_ID={id} is not below SLURM_ARRAY_TASK_COUNT={count} \
                         and SLURM_ARRAY_TASK_MIN is not set"
                    )));
                }
                _ => {
                    return Err(ShardError::Usage(
                        "--shard auto: SLURM_ARRAY_TASK_ID is set but neither SLURM_ARRAY_TASK_COUNT nor \
                         SLURM_ARRAY_TASK_MIN/MAX is"
                            .into(),
                    ));
                }
            };
            let count = n as usize;
            check_count(count, "SLURM job array")?;
            return Ok(Shard { index: offset as usize + 1, count });
        }
        if let Some(index) = num("JOB_COMPLETION_INDEX")? {
            let Some(count) = shards else {
                return Err(ShardError::Usage(
                    "--shard auto: JOB_COMPLETION_INDEX is set (a Kubernetes Indexed Job) but Kubernetes does \
                     not say how many completions there are: add --shards N (the Job's `completions`)"
                        .into(),
                ));
            };
            if index >= count as u64 {
                return Err(ShardError::Usage(format!(
                    "--shard auto: JOB_COMPLETION_INDEX={index} is not below --shards {count}"
                )));
            }
            return Ok(Shard { index: index as usize + 1, count });
        }
        let hint = if var("SLURM_JOB_ID").is_some() {
            " (this SLURM job is not a job array: submit it with sbatch --array=0-{N-1})"
        } else {
            ""
        };
        Err(ShardError::Usage(format!(
            "--shard auto: no batch engine says which shard this is{hint}: it reads SLURM_ARRAY_TASK_ID \
             (with SLURM_ARRAY_TASK_COUNT or SLURM_ARRAY_TASK_MIN/MAX) or JOB_COMPLETION_INDEX (with \
             --shards N); elsewhere give --shard I/N"
        )))
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| vars.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string())
    }

    fn auto(vars: &[(&str, &str)], shards: Option<usize>) -> Result<Shard, String> {
        Shard::from_env(env(vars), shards).map_err(|e| e.to_string())
    }

    #[test]
    fn i_of_n_is_read_and_checked() {
        assert_eq!(Shard::parse("2/7").unwrap(), Shard { index: 2, count: 7 });
        assert_eq!(Shard::parse("1/1").unwrap().to_string(), "1/1");
        for bad in ["0/3", "4/3", "1/0", "3", "a/3", "1/b", "-1/3"] {
            assert!(Shard::parse(bad).unwrap_err().to_string().contains(&format!("--shard {bad}")), "{bad}");
        }
        assert!(Shard::parse("0/3").unwrap_err().to_string().contains("numbered from 1"));
    }

    #[test]
    fn folder_names_sort_in_shard_order() {
        assert_eq!(Shard { index: 3, count: 7 }.folder_name(), "shard-3-of-7");
        assert_eq!(Shard { index: 3, count: 12 }.folder_name(), "shard-03-of-12");
    }

    #[test]
    fn slurm_arrays_from_zero_one_or_with_a_step() {
        let slurm = |id, min, max, count| {
            auto(
                &[
                    ("SLURM_ARRAY_TASK_ID", id),
                    ("SLURM_ARRAY_TASK_MIN", min),
                    ("SLURM_ARRAY_TASK_MAX", max),
                    ("SLURM_ARRAY_TASK_COUNT", count),
                ],
                None,
            )
        };
        assert_eq!(slurm("0", "0", "6", "7").unwrap(), Shard { index: 1, count: 7 });
        assert_eq!(slurm("6", "0", "6", "7").unwrap(), Shard { index: 7, count: 7 });
        assert_eq!(slurm("1", "1", "3", "3").unwrap(), Shard { index: 1, count: 3 });
        assert_eq!(slurm("3", "1", "3", "").unwrap(), Shard { index: 3, count: 3 });
        let stepped = auto(
            &[
                ("SLURM_ARRAY_TASK_ID", "4"),
                ("SLURM_ARRAY_TASK_MIN", "0"),
                ("SLURM_ARRAY_TASK_MAX", "6"),
                ("SLURM_ARRAY_TASK_STEP", "2"),
                ("SLURM_ARRAY_TASK_COUNT", "4"),
            ],
            None,
        );
        assert_eq!(stepped.unwrap(), Shard { index: 3, count: 4 });
        // --array=0,2,7: three tasks that are not a range.
        assert!(slurm("2", "0", "7", "3").unwrap_err().contains("not a range of consecutive tasks"));
        // Only the count: tasks numbered from 0.
        assert_eq!(
            auto(&[("SLURM_ARRAY_TASK_ID", "2"), ("SLURM_ARRAY_TASK_COUNT", "5")], None).unwrap(),
            Shard { index: 3, count: 5 }
        );
        assert!(
            auto(&[("SLURM_ARRAY_TASK_ID", "5"), ("SLURM_ARRAY_TASK_COUNT", "5")], None)
                .unwrap_err()
                .contains("not below SLURM_ARRAY_TASK_COUNT=5")
        );
        assert!(auto(&[("SLURM_ARRAY_TASK_ID", "2")], None).unwrap_err().contains("neither SLURM_ARRAY_TASK_COUNT"));
        assert!(slurm("x", "0", "6", "7").unwrap_err().contains("SLURM_ARRAY_TASK_ID=`x` is not a whole number"));
        // --shards must agree with the array when both are given.
        assert_eq!(
            Shard::from_env(env(&[("SLURM_ARRAY_TASK_ID", "1"), ("SLURM_ARRAY_TASK_COUNT", "3")]), Some(3)).unwrap(),
            Shard { index: 2, count: 3 }
        );
        assert!(
            auto(&[("SLURM_ARRAY_TASK_ID", "1"), ("SLURM_ARRAY_TASK_COUNT", "3")], Some(4))
                .unwrap_err()
                .contains("--shards 4 disagrees with the 3 tasks")
        );
    }

    #[test]
    fn kubernetes_indexed_jobs_need_the_count() {
        assert_eq!(auto(&[("JOB_COMPLETION_INDEX", "0")], Some(4)).unwrap(), Shard { index: 1, count: 4 });
        assert_eq!(auto(&[("JOB_COMPLETION_INDEX", "3")], Some(4)).unwrap(), Shard { index: 4, count: 4 });
        assert!(auto(&[("JOB_COMPLETION_INDEX", "4")], Some(4)).unwrap_err().contains("not below --shards 4"));
        assert!(auto(&[("JOB_COMPLETION_INDEX", "0")], None).unwrap_err().contains("add --shards N"));
    }

    #[test]
    fn nothing_set_is_a_clear_error() {
        let e = auto(&[], None).unwrap_err();
        assert!(e.contains("no batch engine says which shard this is"), "{e}");
        assert!(e.contains("SLURM_ARRAY_TASK_ID") && e.contains("JOB_COMPLETION_INDEX") && e.contains("--shard I/N"));
        let e = auto(&[("SLURM_JOB_ID", "12")], None).unwrap_err();
        assert!(e.contains("not a job array"), "{e}");
    }
}
