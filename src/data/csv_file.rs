//! Datasets from CSV files with a header row.
//!
//! The target is the column named by `target` (default: the last column);
//! the features are the columns named by `features` (default: every other
//! column), all numeric. Rows are numbered as an editor shows them, the header
//! being row 1, and every error names the file, the row and the column.
//!
//! How the target is read depends on the model ([`TargetKind`]):
//! class labels may be text (classes in sorted byte order: `"cat" < "dog"`) or
//! integers (classes in numeric order, so ids 0..k stay as they are);
//! a regression target must be numeric.

use super::{DataError, Dataset, Target};
use ndarray::Array2;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// How to read the target column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TargetKind {
    /// Class labels (logistic and softmax regression).
    Classes,
    /// Real values (linear regression).
    Regression,
    /// Text labels are classes, numbers are regression values (mlp).
    Auto,
}

/// Reads a dataset from a CSV file. `path` is shown in errors as given.
pub fn load_csv(
    path: &Path,
    target: Option<&str>,
    features: Option<&[String]>,
    kind: TargetKind,
) -> Result<Dataset, DataError> {
    let bytes = read_file(path)?;
    let mut data = parse_csv(&bytes, path, target, features, kind)?;
    data.name = path.file_name().map_or_else(|| path.display().to_string(), |f| f.to_string_lossy().into_owned());
    data.source = format!("CSV file {}", path.display());
    Ok(data)
}

/// Reads only the header of a CSV file: the column names.
pub fn read_csv_header(path: &Path) -> Result<Vec<String>, DataError> {
    let bytes = read_file(path)?;
    let mut reader = reader(&bytes);
    header(&mut reader, path, &bytes)
}

/// The largest CSV file read (the whole file is held in memory).
pub const MAX_CSV_BYTES: u64 = 1 << 30;

/// A regular file's bytes; a FIFO, a device or a folder is refused at once
/// rather than read (a FIFO would block for ever), as is a file over
/// [`MAX_CSV_BYTES`].
fn read_file(path: &Path) -> Result<Vec<u8>, DataError> {
    let io = |message: String| DataError::Io { path: path.to_path_buf(), message };
    let meta = std::fs::metadata(path).map_err(|e| io(e.to_string()))?;
    if !meta.is_file() {
        let what = if meta.is_dir() { "a folder" } else { "not a regular file (a FIFO, a device or a socket)" };
        return Err(io(format!("is {what}; a dataset must be a CSV file")));
    }
    if meta.len() > MAX_CSV_BYTES {
        return Err(io(format!("is {} bytes; CSV datasets are limited to {MAX_CSV_BYTES} bytes", meta.len())));
    }
    std::fs::read(path).map_err(|e| io(e.to_string()))
}

fn reader(bytes: &[u8]) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new().has_headers(true).flexible(true).trim(csv::Trim::All).from_reader(bytes)
}

fn header(reader: &mut csv::Reader<&[u8]>, path: &Path, bytes: &[u8]) -> Result<Vec<String>, DataError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(DataError::csv(path, None, None, "the file is empty; expected a header row and data rows"));
    }
    let names: Vec<String> =
        reader.headers().map_err(|e| read_error(path, bytes, e))?.iter().map(str::to_string).collect();
    let mut names = names;
    if let Some(first) = names.first_mut() {
        // A byte-order mark written by spreadsheet programs is not part of the name.
        *first = first.trim_start_matches('\u{feff}').trim().to_string();
    }
    for (i, name) in names.iter().enumerate() {
        if name.is_empty() {
            return Err(DataError::csv(path, Some(1), None, format!("column {} has no name", i + 1)));
        }
        if let Some(j) = names[..i].iter().position(|n| n == name) {
            return Err(DataError::csv(
                path,
                Some(1),
                Some(name),
                format!("the name appears twice (columns {} and {})", j + 1, i + 1),
            ));
        }
    }
    Ok(names)
}

/// The line a record starts on. The reader's position is taken before the
/// empty lines it skips, so those are counted here.
fn record_line(bytes: &[u8], pos: &csv::Position) -> usize {
    let start = usize::try_from(pos.byte()).unwrap_or(usize::MAX).min(bytes.len());
    let skipped = bytes[start..].iter().take_while(|b| matches!(b, b'\n' | b'\r')).filter(|&&b| b == b'\n').count();
    pos.line() as usize + skipped
}

fn read_error(path: &Path, bytes: &[u8], e: csv::Error) -> DataError {
    let row = e.position().map(|p| record_line(bytes, p));
    let message = match e.kind() {
        csv::ErrorKind::Utf8 { err, .. } => format!("field {} is not valid UTF-8", err.field() + 1),
        csv::ErrorKind::Io(io) => io.to_string(),
        _ => e.to_string(),
    };
    DataError::csv(path, row, None, message)
}

fn list(names: &[String]) -> String {
    names.join(", ")
}

/// Parses CSV text; `path` names the file in errors.
pub(crate) fn parse_csv(
    bytes: &[u8],
    path: &Path,
    target: Option<&str>,
    features: Option<&[String]>,
    kind: TargetKind,
) -> Result<Dataset, DataError> {
    let mut reader = reader(bytes);
    let names = header(&mut reader, path, bytes)?;
    let target_col = match target {
        Some(t) => names.iter().position(|n| n == t).ok_or_else(|| {
            DataError::csv(path, Some(1), None, format!("no target column `{t}`; the header has: {}", list(&names)))
        })?,
        None => names.len() - 1,
    };
    let feature_cols: Vec<usize> = match features {
        Some([]) => return Err(DataError::config("dataset.features", "must name at least one column")),
        Some(wanted) => {
            let mut cols = Vec::with_capacity(wanted.len());
            for w in wanted {
                let col = names.iter().position(|n| n == w).ok_or_else(|| {
                    DataError::csv(
                        path,
                        Some(1),
                        None,
                        format!("no feature column `{w}`; the header has: {}", list(&names)),
                    )
                })?;
                if col == target_col {
                    return Err(DataError::csv(path, Some(1), Some(w), "is the target; it cannot also be a feature"));
                }
                if cols.contains(&col) {
                    return Err(DataError::config("dataset.features", format!("`{w}` is listed twice")));
                }
                cols.push(col);
            }
            cols
        }
        None => (0..names.len()).filter(|&c| c != target_col).collect(),
    };
    if feature_cols.is_empty() {
        return Err(DataError::csv(
            path,
            Some(1),
            None,
            format!("only one column (`{}`): need feature columns and a target column", names[target_col]),
        ));
    }

    let mut values = Vec::new();
    let mut target_cells: Vec<(usize, String)> = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(read_error(path, bytes, e)),
        }
        let row = record.position().map_or(0, |p| record_line(bytes, p));
        if record.len() < names.len() {
            let missing = &names[record.len()];
            return Err(DataError::csv(
                path,
                Some(row),
                Some(missing),
                format!("missing: the row has {} fields, the header has {}", record.len(), names.len()),
            ));
        }
        if record.len() > names.len() {
            return Err(DataError::csv(
                path,
                Some(row),
                None,
                format!(
                    "the row has {} fields, the header has {} (extra fields after column `{}`)",
                    record.len(),
                    names.len(),
                    names[names.len() - 1]
                ),
            ));
        }
        for &c in &feature_cols {
            values.push(number(path, row, &names[c], &record[c])?);
        }
        target_cells.push((row, record[target_col].to_string()));
    }
    if target_cells.is_empty() {
        return Err(DataError::csv(path, None, None, "no data rows after the header"));
    }

    let target_name = &names[target_col];
    let target = read_target(path, target_name, &target_cells, kind)?;
    let n = target_cells.len();
    let features = Array2::from_shape_vec((n, feature_cols.len()), values)
        // One value per feature column was pushed for each of the n rows.
        .expect("n rows × feature columns values");
    Ok(Dataset {
        name: path.display().to_string(),
        source: path.display().to_string(),
        features,
        feature_names: feature_cols.iter().map(|&c| names[c].clone()).collect(),
        target,
    })
}

/// A finite number, or an error naming the cell.
/// A cell as an error quotes it: at most 40 characters.
fn shown(cell: &str) -> String {
    crate::text::clip(cell, 40)
}

fn number(path: &Path, row: usize, column: &str, cell: &str) -> Result<f64, DataError> {
    if cell.is_empty() {
        return Err(DataError::csv(path, Some(row), Some(column), "empty cell (missing value)"));
    }
    match cell.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        Ok(_) => {
            Err(DataError::csv(path, Some(row), Some(column), format!("`{}` is not a finite number", shown(cell))))
        }
        Err(_) => Err(DataError::csv(path, Some(row), Some(column), format!("`{}` is not a number", shown(cell)))),
    }
}

fn read_target(path: &Path, column: &str, cells: &[(usize, String)], kind: TargetKind) -> Result<Target, DataError> {
    for (row, cell) in cells {
        if cell.is_empty() {
            return Err(DataError::csv(path, Some(*row), Some(column), "empty cell (missing value)"));
        }
        if let Ok(v) = cell.parse::<f64>()
            && !v.is_finite()
        {
            return Err(DataError::csv(
                path,
                Some(*row),
                Some(column),
                format!("`{}` is not a finite number", shown(cell)),
            ));
        }
    }
    let numeric: Option<Vec<f64>> = cells.iter().map(|(_, c)| c.parse::<f64>().ok()).collect();
    let target = match (kind, numeric) {
        (TargetKind::Regression, None) => {
            let (row, cell) = cells.iter().find(|(_, c)| c.parse::<f64>().is_err()).map_or((0, ""), |(r, c)| (*r, c));
            return Err(DataError::csv(
                path,
                Some(row),
                Some(column),
                format!("`{}` is not a number (a regression target must be numeric)", shown(cell)),
            ));
        }
        (TargetKind::Regression | TargetKind::Auto, Some(y)) => return Ok(Target::Regression(y.into())),
        (TargetKind::Classes, Some(y)) => {
            if let Some(((row, cell), _)) = cells.iter().zip(&y).find(|(_, v)| v.fract() != 0.0 || v.abs() > 1e15) {
                return Err(DataError::csv(
                    path,
                    Some(*row),
                    Some(column),
                    format!("`{}` is not a class label (expected an integer or a text label)", shown(cell)),
                ));
            }
            // Exact: the values are integers of magnitude at most 1e15.
            let labels: Vec<i64> = y.iter().map(|&v| v as i64).collect();
            let distinct: BTreeSet<i64> = labels.iter().copied().collect();
            let index: BTreeMap<i64, usize> = distinct.iter().enumerate().map(|(i, &v)| (v, i)).collect();
            let ids = labels.iter().map(|v| index[v]).collect();
            Target::Classes { ids, names: distinct.iter().map(i64::to_string).collect() }
        }
        (TargetKind::Classes | TargetKind::Auto, None) => {
            let distinct: BTreeSet<&str> = cells.iter().map(|(_, c)| c.as_str()).collect();
            let index: BTreeMap<&str, usize> = distinct.iter().enumerate().map(|(i, &v)| (v, i)).collect();
            let ids = cells.iter().map(|(_, c)| index[c.as_str()]).collect();
            Target::Classes { ids, names: distinct.iter().map(|s| s.to_string()).collect() }
        }
    };
    if let Target::Classes { names, .. } = &target
        && names.len() < 2
    {
        return Err(DataError::csv(
            path,
            None,
            Some(column),
            format!("every row has the same class (`{}`); classification needs at least 2 classes", names[0]),
        ));
    }
    Ok(target)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    fn parse(
        text: &str,
        target: Option<&str>,
        features: Option<&[String]>,
        kind: TargetKind,
    ) -> Result<Dataset, String> {
        parse_csv(text.as_bytes(), Path::new("data/t.csv"), target, features, kind).map_err(|e| e.to_string())
    }

    #[test]
    fn reads_features_and_text_labels_in_sorted_order() {
        let d = parse("a,b,label\n1,2,dog\n3,4,cat\n5,6,dog\n7,8,ant\n", None, None, TargetKind::Classes).unwrap();
        assert_eq!(d.features, array![[1.0, 2.0], [3.0, 4.0], [5.0, 6.0], [7.0, 8.0]]);
        assert_eq!(d.feature_names, vec!["a", "b"]);
        assert_eq!(
            d.target,
            Target::Classes { ids: vec![2, 1, 2, 0], names: vec!["ant".into(), "cat".into(), "dog".into()] }
        );
    }

    #[test]
    fn integer_labels_keep_numeric_order() {
        let d = parse("x,y\n0,10\n1,2\n2,-1\n3,2\n", None, None, TargetKind::Classes).unwrap();
        assert_eq!(
            d.target,
            Target::Classes { ids: vec![2, 1, 0, 1], names: vec!["-1".into(), "2".into(), "10".into()] }
        );
        let d = parse("x,y\n0,0\n1,1.0\n2,2\n", None, None, TargetKind::Classes).unwrap();
        assert_eq!(d.target, Target::Classes { ids: vec![0, 1, 2], names: vec!["0".into(), "1".into(), "2".into()] });
    }

    #[test]
    fn target_and_features_by_name() {
        let features = vec!["c".to_string(), "a".to_string()];
        let d = parse("y,a,b,c\n1.5,1,2,3\n2.5,4,5,6\n", Some("y"), Some(&features), TargetKind::Regression).unwrap();
        assert_eq!(d.features, array![[3.0, 1.0], [6.0, 4.0]]);
        assert_eq!(d.feature_names, vec!["c", "a"]);
        assert_eq!(d.target, Target::Regression(array![1.5, 2.5]));
    }

    #[test]
    fn auto_target_is_regression_for_numbers_and_classes_for_text() {
        let d = parse("x,y\n1,2\n2,3\n", None, None, TargetKind::Auto).unwrap();
        assert!(!d.is_classification());
        let d = parse("x,y\n1,b\n2,a\n", None, None, TargetKind::Auto).unwrap();
        assert_eq!(d.n_classes(), Some(2));
    }

    #[test]
    fn whitespace_quotes_and_bom_are_handled() {
        let d = parse("\u{feff}\"a\", b\n 1 , \"x\"\n2,y\n", None, None, TargetKind::Classes).unwrap();
        assert_eq!(d.feature_names, vec!["a"]);
        assert_eq!(d.features, array![[1.0], [2.0]]);
    }

    #[test]
    fn errors_name_file_row_and_column() {
        let c = TargetKind::Classes;
        let cases: &[(&str, Option<&str>, TargetKind, &str)] = &[
            ("", None, c, "data/t.csv: the file is empty; expected a header row and data rows"),
            (" \n\n", None, c, "data/t.csv: the file is empty; expected a header row and data rows"),
            ("a,b,y\n", None, c, "data/t.csv: no data rows after the header"),
            (
                "a,b,y\n1,2,0\n3,4\n",
                None,
                c,
                "data/t.csv: row 3, column `y`: missing: the row has 2 fields, the header has 3",
            ),
            (
                "a,b,y\n1,2,0\n3,4,1,5\n",
                None,
                c,
                "data/t.csv: row 3: the row has 4 fields, the header has 3 (extra fields after column `y`)",
            ),
            ("a,b,y\n1,2,0\n3,four,1\n", None, c, "data/t.csv: row 3, column `b`: `four` is not a number"),
            ("a,b,y\n1,2,0\n\n3,,1\n", None, c, "data/t.csv: row 4, column `b`: empty cell (missing value)"),
            ("a,b,y\n1,NaN,0\n3,4,1\n", None, c, "data/t.csv: row 2, column `b`: `NaN` is not a finite number"),
            ("a,b,y\n1,2,0\n3,-inf,1\n", None, c, "data/t.csv: row 3, column `b`: `-inf` is not a finite number"),
            ("a,b,y\n1,2,inf\n3,4,1\n", None, c, "data/t.csv: row 2, column `y`: `inf` is not a finite number"),
            (
                "a,b,y\n1,2,0\n3,4,1\n",
                Some("label"),
                c,
                "data/t.csv: row 1: no target column `label`; the header has: a, b, y",
            ),
            (
                "a,b,y\n1,2,cat\n3,4,cat\n",
                None,
                c,
                "data/t.csv: column `y`: every row has the same class (`cat`); classification needs at least 2 classes",
            ),
            (
                "a,b,y\n1,2,1\n3,4,1\n",
                None,
                c,
                "data/t.csv: column `y`: every row has the same class (`1`); classification needs at least 2 classes",
            ),
            (
                "a,b,y\n1,2,0.5\n3,4,1\n",
                None,
                c,
                "data/t.csv: row 2, column `y`: `0.5` is not a class label (expected an integer or a text label)",
            ),
            (
                "a,b,y\n1,2,0.5\n3,4,big\n",
                None,
                TargetKind::Regression,
                "data/t.csv: row 3, column `y`: `big` is not a number (a regression target must be numeric)",
            ),
            ("a,a,y\n1,2,0\n", None, c, "data/t.csv: row 1, column `a`: the name appears twice (columns 1 and 2)"),
            ("a,,y\n1,2,0\n", None, c, "data/t.csv: row 1: column 2 has no name"),
            (
                "y\n1\n2\n",
                None,
                c,
                "data/t.csv: row 1: only one column (`y`): need feature columns and a target column",
            ),
        ];
        for (text, target, kind, expected) in cases {
            assert_eq!(parse(text, *target, None, *kind).unwrap_err(), *expected, "{text:?}");
        }
    }

    #[test]
    fn feature_selection_errors() {
        let text = "a,b,y\n1,2,0\n3,4,1\n";
        let f = |names: &[&str]| names.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let err = |names: &[&str]| parse(text, None, Some(&f(names)), TargetKind::Classes).unwrap_err();
        assert_eq!(err(&["a", "z"]), "data/t.csv: row 1: no feature column `z`; the header has: a, b, y");
        assert_eq!(err(&["y"]), "data/t.csv: row 1, column `y`: is the target; it cannot also be a feature");
        assert_eq!(err(&["a", "a"]), "`dataset.features`: `a` is listed twice");
        assert_eq!(err(&[]), "`dataset.features`: must name at least one column");
    }

    #[test]
    fn a_missing_file_names_the_path() {
        let e = load_csv(Path::new("no/such/file.csv"), None, None, TargetKind::Classes).unwrap_err().to_string();
        assert!(e.starts_with("cannot read no/such/file.csv: "), "{e}");
    }

    #[test]
    fn rows_count_lines_of_quoted_multiline_fields() {
        let e = parse("a,b,y\n1,\"2\",\"x\ny\"\n3,oops,1\n", None, None, TargetKind::Classes).unwrap_err();
        assert_eq!(e, "data/t.csv: row 4, column `b`: `oops` is not a number");
    }
}
