//! How a flat parameter vector divides into named tensors.
//!
//! Objectives keep their parameters in one contiguous vector; a [`Layout`]
//! says which stretch of it is which tensor and of what shape. An MLP layer
//! is `W` with shape (out, in), row-major as PyTorch's `nn.Linear.weight`,
//! then `b` (out); an analytic function is one vector, or one matrix when the
//! scenario says `shape = [rows, cols]` (row-major).
//!
//! Element-wise optimizers ignore the layout (one pass over the whole
//! vector); matrix-aware ones (Muon, Adafactor, ...) treat each 2-D tensor as
//! a matrix.

use std::ops::Range;

/// A tensor's shape: a vector of `n` or a `rows × cols` row-major matrix.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Shape {
    Vector(usize),
    Matrix { rows: usize, cols: usize },
}

impl Shape {
    pub fn len(self) -> usize {
        match self {
            Shape::Vector(n) => n,
            Shape::Matrix { rows, cols } => rows * cols,
        }
    }

    pub fn is_empty(self) -> bool {
        self.len() == 0
    }

    /// `[n]` or `[rows, cols]`, as PyTorch prints a shape.
    pub fn dims(self) -> Vec<usize> {
        match self {
            Shape::Vector(n) => vec![n],
            Shape::Matrix { rows, cols } => vec![rows, cols],
        }
    }
}

/// One named tensor inside the flat parameter vector.
#[derive(Clone, Debug, PartialEq)]
pub struct Tensor {
    /// `x` for an analytic function; `layers.0.weight`, `layers.0.bias`, ... for an MLP.
    pub name: String,
    pub shape: Shape,
    /// Where it starts in the flat vector.
    pub offset: usize,
}

impl Tensor {
    pub fn range(&self) -> Range<usize> {
        self.offset..self.offset + self.shape.len()
    }
}

/// The tensors of a parameter vector, in storage order, back to back.
#[derive(Clone, Debug, PartialEq)]
pub struct Layout {
    tensors: Vec<Tensor>,
    dim: usize,
}

impl Layout {
    /// Tensors stored one after the other in the given order.
    pub fn new(tensors: impl IntoIterator<Item = (String, Shape)>) -> Layout {
        let mut offset = 0;
        let tensors = tensors
            .into_iter()
            .map(|(name, shape)| {
                let t = Tensor { name, shape, offset };
                offset += shape.len();
                t
            })
            .collect();
        Layout { tensors, dim: offset }
    }

    /// One vector `x` of `dim` values.
    pub fn vector(dim: usize) -> Layout {
        Layout::new([("x".to_string(), Shape::Vector(dim))])
    }

    /// One `rows × cols` matrix `x`, row-major.
    pub fn matrix(rows: usize, cols: usize) -> Layout {
        Layout::new([("x".to_string(), Shape::Matrix { rows, cols })])
    }

    /// Number of parameters.
    pub fn dim(&self) -> usize {
        self.dim
    }

    pub fn tensors(&self) -> &[Tensor] {
        &self.tensors
    }

    /// The 2-D tensors.
    pub fn matrices(&self) -> impl Iterator<Item = &Tensor> {
        self.tensors.iter().filter(|t| matches!(t.shape, Shape::Matrix { .. }))
    }

    /// The tensors that are not 2-D.
    pub fn others(&self) -> impl Iterator<Item = &Tensor> {
        self.tensors.iter().filter(|t| !matches!(t.shape, Shape::Matrix { .. }))
    }

    /// A short description: `W[32, 64] b[32] ...`, for messages and `optlab check`.
    pub fn describe(&self) -> String {
        let parts: Vec<String> = self
            .tensors
            .iter()
            .map(|t| {
                let dims: Vec<String> = t.shape.dims().iter().map(|d| d.to_string()).collect();
                format!("{}[{}]", t.name, dims.join(", "))
            })
            .collect();
        parts.join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tensors_are_back_to_back() {
        let l = Layout::new([
            ("w".to_string(), Shape::Matrix { rows: 3, cols: 2 }),
            ("b".to_string(), Shape::Vector(3)),
            ("v".to_string(), Shape::Matrix { rows: 1, cols: 4 }),
        ]);
        assert_eq!(l.dim(), 13);
        assert_eq!(l.tensors().iter().map(|t| t.range()).collect::<Vec<_>>(), vec![0..6, 6..9, 9..13]);
        assert_eq!(l.matrices().map(|t| t.name.as_str()).collect::<Vec<_>>(), ["w", "v"]);
        assert_eq!(l.others().map(|t| t.name.as_str()).collect::<Vec<_>>(), ["b"]);
        assert_eq!(l.describe(), "w[3, 2] b[3] v[1, 4]");
        assert_eq!(Layout::vector(5).describe(), "x[5]");
        assert_eq!(Layout::matrix(2, 3).dim(), 6);
    }
}
