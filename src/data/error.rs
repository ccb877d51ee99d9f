//! Errors of the data layer: bad dataset or model settings, unreadable files,
//! and CSV contents that cannot be used, each naming where the problem is.

use std::fmt;
use std::path::{Path, PathBuf};

/// Where in a CSV file a problem is: 1-based row as an editor shows it (the
/// header is row 1) and the column's header name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CsvLocation {
    pub row: Option<usize>,
    pub column: Option<String>,
}

impl fmt::Display for CsvLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.row, &self.column) {
            (Some(row), Some(col)) => write!(f, "row {row}, column `{col}`"),
            (Some(row), None) => write!(f, "row {row}"),
            (None, Some(col)) => write!(f, "column `{col}`"),
            (None, None) => Ok(()),
        }
    }
}

/// Why a dataset or a model could not be built.
///
/// `Config` errors belong to a scenario key, written relative to the
/// `[objective]` table: `kind`, `hidden`, `l2`, `dataset.builtin`,
/// `dataset.samples`, `dataset.val_fraction`, ... The scenario layer prefixes
/// the table and points at the key's line.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum DataError {
    #[error("`{key}`: {message}")]
    Config { key: &'static str, message: String },

    #[error("cannot read {}: {message}", path.display())]
    Io { path: PathBuf, message: String },

    #[error("{}: {}{message}", path.display(), location_prefix(.location))]
    Csv { path: PathBuf, location: CsvLocation, message: String },
}

fn location_prefix(location: &CsvLocation) -> String {
    let text = location.to_string();
    if text.is_empty() { text } else { format!("{text}: ") }
}

impl DataError {
    pub(crate) fn config(key: &'static str, message: impl Into<String>) -> Self {
        DataError::Config { key, message: message.into() }
    }

    pub(crate) fn csv(path: &Path, row: Option<usize>, column: Option<&str>, message: impl Into<String>) -> Self {
        DataError::Csv {
            path: path.to_path_buf(),
            location: CsvLocation { row, column: column.map(|c| crate::text::clip(c, crate::text::MAX_NAME)) },
            message: crate::text::clip(&message.into(), crate::text::MAX_MESSAGE),
        }
    }

    /// The scenario key this error belongs to, if any.
    pub fn key(&self) -> Option<&'static str> {
        match self {
            DataError::Config { key, .. } => Some(key),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_file_row_and_column() {
        let e = DataError::csv(Path::new("d/x.csv"), Some(3), Some("age"), "`abc` is not a number");
        assert_eq!(e.to_string(), "d/x.csv: row 3, column `age`: `abc` is not a number");
        let e = DataError::csv(Path::new("x.csv"), None, None, "the file is empty");
        assert_eq!(e.to_string(), "x.csv: the file is empty");
        let e = DataError::config("dataset.samples", "must be at least 4");
        assert_eq!(e.to_string(), "`dataset.samples`: must be at least 4");
        assert_eq!(e.key(), Some("dataset.samples"));
    }
}
