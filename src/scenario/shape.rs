//! `[objective] shape = [rows, cols]`: an analytic function's parameters as
//! one row-major matrix, for matrix-aware optimizers.

use super::ScenarioError;
use super::tree::{Node, TableReader, Value, as_u64};

/// The `shape` key, if given: two whole numbers >= 1.
pub(super) fn read_shape<'t>(t: &mut TableReader<'t, '_>) -> Result<Option<([usize; 2], &'t Node)>, ScenarioError> {
    let Some(node) = t.take("shape") else { return Ok(None) };
    let Value::Array(items) = &node.value else {
        return Err(t.error(node, "shape", "expected [rows, cols]"));
    };
    if items.len() != 2 {
        return Err(t.error(node, "shape", format!("expected [rows, cols], found {} values", items.len())));
    }
    let mut dims = [0usize; 2];
    for (d, item) in dims.iter_mut().zip(items) {
        let v = as_u64(item).map_err(|m| t.error(item, "shape", m))?;
        if v == 0 || v > 1_000_000_000 {
            return Err(t.error(item, "shape", "each size must be between 1 and 1e9"));
        }
        *d = v as usize;
    }
    Ok(Some((dims, node)))
}

/// Checks a shape against the function's dimension.
pub(super) fn check_shape(
    t: &TableReader<'_, '_>,
    shape: [usize; 2],
    node: &Node,
    dim: usize,
) -> Result<(), ScenarioError> {
    let [rows, cols] = shape;
    if rows.checked_mul(cols) != Some(dim) {
        return Err(t.error(
            node,
            "shape",
            format!("[{rows}, {cols}] holds {} values but the objective is {dim}-D", rows.saturating_mul(cols)),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::optim::{Layout, Shape};
    use crate::scenario::{Origin, Scenario};

    fn parse(objective: &str) -> Result<Scenario, String> {
        let text = format!("name = \"t\"\n[objective]\n{objective}\n[[optimizer]]\nkind = \"sgd\"\n");
        Scenario::parse(&text, Origin::Bundled("t")).map_err(|e| e.to_string())
    }

    #[test]
    fn a_shape_makes_the_parameters_one_matrix_and_resolves() {
        let s = parse("kind = \"rosenbrock\"\nshape = [2, 3]").unwrap();
        let f = s.build_objective().unwrap();
        assert_eq!(f.dim(), 6, "an N-D function takes its dimension from the shape");
        assert_eq!(f.layout(), Layout::matrix(2, 3));
        assert_eq!(f.layout().tensors()[0].shape, Shape::Matrix { rows: 2, cols: 3 });
        let again = Scenario::parse(&s.to_toml(), Origin::Bundled("t")).unwrap();
        assert_eq!(again.build_objective().unwrap().layout(), Layout::matrix(2, 3));
        let plain = parse("kind = \"beale\"").unwrap();
        assert_eq!(plain.build_objective().unwrap().layout(), Layout::vector(2));
        assert_eq!(
            parse("kind = \"beale\"\nshape = [1, 2]").unwrap().build_objective().unwrap().layout(),
            Layout::matrix(1, 2)
        );
    }

    #[test]
    fn shapes_that_do_not_fit_are_located_errors() {
        let e = parse("kind = \"rosenbrock\"\ndim = 4\nshape = [2, 3]").unwrap_err();
        assert!(
            e.contains(":5:9:")
                && e.contains("objective.shape")
                && e.contains("[2, 3] holds 6 values but the objective is 4-D"),
            "{e}"
        );
        let e = parse("kind = \"beale\"\nshape = [3, 1]").unwrap_err();
        assert!(e.contains("but the objective is 2-D"), "{e}");
        let e = parse("kind = \"beale\"\nshape = [2]").unwrap_err();
        assert!(e.contains("expected [rows, cols], found 1 values"), "{e}");
        let e = parse("kind = \"beale\"\nshape = [0, 2]").unwrap_err();
        assert!(e.contains("between 1 and 1e9"), "{e}");
    }
}
