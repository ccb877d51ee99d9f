//! `rank_by`: which figure orders the report's ranking table.

/// The figure the report ranks the rows by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RankBy {
    /// The final training loss (the default).
    #[default]
    Loss,
    /// The final validation loss, lowest first (models with a validation split).
    ValLoss,
    /// The final validation accuracy, highest first (classifiers with a validation split).
    ValAccuracy,
}

impl RankBy {
    pub const ALL: [RankBy; 3] = [RankBy::Loss, RankBy::ValLoss, RankBy::ValAccuracy];

    pub fn name(self) -> &'static str {
        match self {
            RankBy::Loss => "loss",
            RankBy::ValLoss => "val_loss",
            RankBy::ValAccuracy => "val_accuracy",
        }
    }

    pub fn from_name(name: &str) -> Option<RankBy> {
        RankBy::ALL.into_iter().find(|r| r.name() == name)
    }
}
