//! A typed objective's value and gradient allocate nothing after the first
//! evaluation on a thread (its scratch slots are kept per thread).

use ndarray::Array1;
use optlab::objective::TestFunction;
use optlab::objective::expr::{ExprFunction, ExprSpec};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations() -> usize {
    ALLOCATIONS.with(Cell::get)
}

#[test]
fn evaluations_after_the_first_do_not_allocate() {
    let spec = ExprSpec {
        f: "(1 - x)^2 + 100*(y - x^2)^2 + log(1 + z^2) * max(x, sigmoid(y)) / (2 + sin(z))^1.5".into(),
        vars: vec!["x".into(), "y".into(), "z".into()],
        window: None,
        minima: vec![],
    };
    let f = ExprFunction::new(spec, Some(&[0.5, 0.5, 0.5])).unwrap();
    let x = Array1::from(vec![0.3, -0.7, 1.1]);
    let mut g = Array1::zeros(3);
    f.value_and_gradient(x.view(), g.view_mut());
    let before = allocations();
    let mut total = 0.0;
    for i in 0..1000 {
        let mut p = x.clone();
        let after_clone = allocations();
        p[0] += i as f64 * 1e-3;
        total += f.value_and_gradient(p.view(), g.view_mut()) + f.value(p.view());
        assert_eq!(allocations(), after_clone, "evaluation {i} allocated");
    }
    assert!(total.is_finite());
    assert!(allocations() > before, "the counter sees the clones");
}
