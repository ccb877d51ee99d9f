//! An expression compiled once into a flat tape: a list of instructions over
//! numbered slots (the variables, then one slot per instruction). The value is
//! one pass forward; the gradient is one pass backward over the same tape
//! (reverse-mode automatic differentiation), so a gradient costs a small
//! constant times a value, whatever the number of variables.
//!
//! Compiling folds constant subexpressions and puts the remaining constants
//! into the instructions themselves (`100 * t`, `1 - x`, `t ^ 2`), so an
//! evaluation reads and writes nothing but the variables' and the
//! instructions' slots.

use super::syntax::{Ast, BinOp, ExprError, Func, Kind};
use std::cell::RefCell;
use std::ops::Range;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Op {
    Add,
    Sub,
    Mul,
    Div,
    Neg,
    Square,
    /// A power whose exponent varies.
    Pow,
    Func(Func),
    // With the constant `c` of the instruction:
    /// c (a constant some operation needs in a slot: `min(x, 0)`, `2^x`).
    Const,
    /// a + c
    AddC,
    /// a - c
    SubC,
    /// c - a
    RSubC,
    /// a · c
    MulC,
    /// a / c
    DivC,
    /// c / a
    RDivC,
    /// a^n, n an integer (in `c`)
    PowI,
    /// a^c
    PowC,
    // Squares of a sum or difference fused into one instruction (least-squares
    // terms, the usual shape of test functions); rounded as the two steps.
    /// (a + b)²
    SqAdd,
    /// (a - b)²
    SqSub,
    /// (a + c)²
    SqAddC,
    /// (a - c)²
    SqSubC,
    /// (c - a)²
    SqRSubC,
}

#[derive(Clone, Copy, Debug)]
struct Ins {
    op: Op,
    a: u32,
    b: u32,
    c: f64,
}

/// An operand while compiling.
#[derive(Clone, Copy, Debug)]
enum Operand {
    Const(f64),
    /// A slot: a variable's or an instruction's.
    Slot(u32),
}

#[derive(Clone, Debug)]
pub struct Tape {
    vars: usize,
    ins: Vec<Ins>,
    /// The text each instruction came from (the operator or function name).
    at: Vec<Range<usize>>,
    /// The result: a slot, or a constant when the expression has no variable in it.
    out: Operand,
}

/// `a op b` on numbers, for the instructions without a constant and for folding.
fn apply(op: Op, a: f64, b: f64) -> f64 {
    match op {
        Op::Add | Op::AddC => a + b,
        Op::Sub | Op::SubC => a - b,
        Op::RSubC => b - a,
        Op::Mul | Op::MulC => a * b,
        Op::Div | Op::DivC => a / b,
        Op::RDivC => b / a,
        Op::Neg => -a,
        Op::Square => a * a,
        Op::PowI => a.powi(b as i32),
        Op::PowC | Op::Pow => a.powf(b),
        Op::Const => b,
        Op::SqAdd | Op::SqAddC => (a + b) * (a + b),
        Op::SqSub | Op::SqSubC => (a - b) * (a - b),
        Op::SqRSubC => (b - a) * (b - a),
        Op::Func(f) => match f {
            Func::Sin => a.sin(),
            Func::Cos => a.cos(),
            Func::Tan => a.tan(),
            Func::Exp => a.exp(),
            Func::Log => a.ln(),
            Func::Sqrt => a.sqrt(),
            Func::Abs => a.abs(),
            Func::Tanh => a.tanh(),
            Func::Sigmoid => {
                // Never exp of a large positive number.
                if a >= 0.0 {
                    1.0 / (1.0 + (-a).exp())
                } else {
                    let e = a.exp();
                    e / (1.0 + e)
                }
            }
            Func::Min => a.min(b),
            Func::Max => a.max(b),
        },
    }
}

/// Whether the instruction's second operand is its constant rather than a slot.
fn takes_constant(op: Op) -> bool {
    matches!(
        op,
        Op::Const
            | Op::AddC
            | Op::SubC
            | Op::RSubC
            | Op::MulC
            | Op::DivC
            | Op::RDivC
            | Op::PowI
            | Op::PowC
            | Op::SqAddC
            | Op::SqSubC
            | Op::SqRSubC
    )
}

/// Why an operation gave a non-finite value from finite operands.
fn domain_message(op: Op, a: f64, b: f64) -> String {
    match op {
        Op::Div | Op::DivC => format!("division by zero ({a} / 0)"),
        Op::RDivC => format!("division by zero ({b} / 0)"),
        Op::Func(Func::Log) if a == 0.0 => "log of 0".into(),
        Op::Func(Func::Log) => format!("log of a negative number ({a})"),
        Op::Func(Func::Sqrt) => format!("sqrt of a negative number ({a})"),
        Op::Func(Func::Tan) => format!("tan at a pole ({a})"),
        Op::PowC | Op::Pow if a < 0.0 => format!("a negative number to a fractional power ({a}^{b})"),
        Op::PowC | Op::Pow | Op::PowI if a == 0.0 => "0 to a negative power".into(),
        _ => "the value overflows".into(),
    }
}

impl Tape {
    /// Compile a tree over `vars` variables. A constant part that is not a
    /// finite number (`log(-1)`) is an error pointing at it.
    pub fn compile(ast: &Ast, vars: usize) -> Result<Tape, ExprError> {
        let mut c = Compiler { vars, ins: Vec::new(), at: Vec::new() };
        let out = c.emit(ast)?;
        let out = c.fuse_squares(out);
        // The evaluation loops rely on this (they index without bounds checks):
        // an instruction reads only the variables and slots written before it.
        for (k, i) in c.ins.iter().enumerate() {
            let limit = (vars + k) as u32;
            assert!(i.a < limit && (takes_constant(i.op) || i.b < limit), "tape order");
        }
        Ok(Tape { vars, ins: c.ins, at: c.at, out })
    }

    pub fn vars(&self) -> usize {
        self.vars
    }

    /// Number of instructions (for benchmarks and tests).
    pub fn len(&self) -> usize {
        self.ins.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ins.is_empty()
    }

    fn slots(&self) -> usize {
        self.vars + self.ins.len()
    }

    fn result(&self, v: &[f64]) -> f64 {
        match self.out {
            Operand::Const(c) => c,
            Operand::Slot(s) => v[s as usize],
        }
    }

    /// Copy the variables in and run the tape forward; zero the adjoints too when given.
    #[inline(always)]
    fn forward(&self, x: &[f64], v: &mut [f64], mut adj: Option<&mut [f64]>) {
        let base = self.vars;
        assert!(x.len() >= base && v.len() >= self.slots() && adj.as_ref().is_none_or(|a| a.len() >= self.slots()));
        for i in 0..base {
            v[i] = x[i];
            if let Some(adj) = adj.as_deref_mut() {
                adj[i] = 0.0;
            }
        }
        // The previous instruction's value, kept in a register: most operations
        // take it as their first operand, and reading it back from memory would
        // put a store-to-load delay on the critical path.
        let mut last = 0.0;
        for (k, ins) in self.ins.iter().enumerate() {
            // SAFETY: `compile` checks every operand slot is below base + k, the
            // instruction's own slot, and base + k < slots() <= v.len() (asserted above).
            unsafe {
                let a = if k > 0 && ins.a as usize + 1 == base + k { last } else { *v.get_unchecked(ins.a as usize) };
                let slot_b = || *v.get_unchecked(ins.b as usize);
                // The common operations inline; the rest through `apply`.
                let value = match ins.op {
                    Op::Add => a + slot_b(),
                    Op::Sub => a - slot_b(),
                    Op::Mul => a * slot_b(),
                    Op::AddC => a + ins.c,
                    Op::SubC => a - ins.c,
                    Op::RSubC => ins.c - a,
                    Op::MulC => a * ins.c,
                    Op::Square => a * a,
                    Op::SqSub => {
                        let d = a - slot_b();
                        d * d
                    }
                    Op::SqRSubC => {
                        let d = ins.c - a;
                        d * d
                    }
                    op if takes_constant(op) => apply(op, a, ins.c),
                    op => apply(op, a, slot_b()),
                };
                *v.get_unchecked_mut(base + k) = value;
                last = value;
                if let Some(adj) = adj.as_deref_mut() {
                    *adj.get_unchecked_mut(base + k) = 0.0;
                }
            }
        }
    }

    /// Run `f` with scratch slots for values and adjoints: one buffer per
    /// thread, grown once, so an evaluation allocates nothing.
    #[inline(always)]
    fn with_scratch<R>(&self, f: impl FnOnce(&mut [f64], &mut [f64]) -> R) -> R {
        thread_local! {
            static SCRATCH: RefCell<Vec<f64>> = const { RefCell::new(Vec::new()) };
        }
        let n = self.slots();
        SCRATCH.with(|cell| match cell.try_borrow_mut() {
            Ok(mut buf) => {
                if buf.len() < 2 * n {
                    buf.resize(2 * n, 0.0);
                }
                let (v, adj) = buf[..2 * n].split_at_mut(n);
                f(v, adj)
            }
            // Re-entered on this thread (evaluations do not nest); stay correct.
            Err(_) => {
                let mut buf = vec![0.0; 2 * n];
                let (v, adj) = buf.split_at_mut(n);
                f(v, adj)
            }
        })
    }

    /// The value at `x` (its first `vars()` entries).
    pub fn value(&self, x: &[f64]) -> f64 {
        self.with_scratch(|v, _| {
            self.forward(x, v, None);
            self.result(v)
        })
    }

    /// The value at `x`, and its gradient written into `grad` in variable order.
    pub fn value_and_gradient(&self, x: &[f64], grad: &mut [f64]) -> f64 {
        self.with_scratch(|v, adj| {
            self.forward(x, v, Some(adj));
            if let Operand::Slot(s) = self.out {
                adj[s as usize] = 1.0;
            }
            let base = self.vars;
            for (k, ins) in self.ins.iter().enumerate().rev() {
                let (a, b) = (ins.a as usize, ins.b as usize);
                // SAFETY: as in `forward`: a (and b when it is a slot) < base + k < slots(),
                // and v, adj hold slots() values (asserted in `forward`).
                let (g, slot) = unsafe { (*adj.get_unchecked(base + k), |i: usize| *v.get_unchecked(i)) };
                let mut fast = Adjoints { adj: &mut *adj, a, b };
                // The common operations read only what they need.
                match ins.op {
                    Op::Add => {
                        fast.add_a(g);
                        fast.add_b(g);
                        continue;
                    }
                    Op::Sub => {
                        fast.add_a(g);
                        fast.add_b(-g);
                        continue;
                    }
                    Op::AddC | Op::SubC => {
                        fast.add_a(g);
                        continue;
                    }
                    Op::Mul => {
                        fast.add_a(g * slot(b));
                        fast.add_b(g * slot(a));
                        continue;
                    }
                    Op::MulC => {
                        fast.add_a(g * ins.c);
                        continue;
                    }
                    Op::Square => {
                        fast.add_a(g * (2.0 * slot(a)));
                        continue;
                    }
                    Op::SqSub => {
                        let t = g * (2.0 * (slot(a) - slot(b)));
                        fast.add_a(t);
                        fast.add_b(-t);
                        continue;
                    }
                    Op::SqRSubC => {
                        fast.add_a(-(g * (2.0 * (ins.c - slot(a)))));
                        continue;
                    }
                    _ => {}
                }
                let constant = takes_constant(ins.op);
                // SAFETY: as in `forward`: a (and b when it is a slot) < base + k < slots(),
                // and v, adj hold slots() values (asserted in `forward`).
                let (g, va, vb, out) = unsafe {
                    let vb = if constant { ins.c } else { *v.get_unchecked(b) };
                    (*adj.get_unchecked(base + k), *v.get_unchecked(a), vb, *v.get_unchecked(base + k))
                };
                let mut adj = Adjoints { adj: &mut *adj, a, b };
                match ins.op {
                    Op::Const => {}
                    Op::Add => {
                        adj.add_a(g);
                        adj.add_b(g);
                    }
                    Op::Sub => {
                        adj.add_a(g);
                        adj.add_b(-g);
                    }
                    Op::AddC | Op::SubC => adj.add_a(g),
                    Op::RSubC | Op::Neg => adj.add_a(-g),
                    Op::Mul => {
                        adj.add_a(g * vb);
                        adj.add_b(g * va);
                    }
                    Op::MulC => adj.add_a(g * vb),
                    Op::Div => {
                        adj.add_a(g / vb);
                        adj.add_b(-(g * out / vb));
                    }
                    Op::DivC => adj.add_a(g / vb),
                    Op::RDivC => adj.add_a(-(g * out / va)),
                    Op::Square => adj.add_a(g * (2.0 * va)),
                    Op::SqAdd | Op::SqSub | Op::SqAddC | Op::SqSubC | Op::SqRSubC => {
                        // The adjoint of the inner sum, then as Add / Sub / AddC / SubC / RSubC.
                        let (d, sign_b) = match ins.op {
                            Op::SqAdd | Op::SqAddC => (va + vb, 1.0),
                            Op::SqRSubC => (vb - va, 1.0),
                            _ => (va - vb, -1.0),
                        };
                        let t = g * (2.0 * d);
                        if ins.op == Op::SqRSubC {
                            adj.add_a(-t);
                        } else {
                            adj.add_a(t);
                            if !constant {
                                adj.add_b(sign_b * t);
                            }
                        }
                    }
                    // An exponent of 0 has slope 0 in the base, also at 0 (as PyTorch's pow).
                    Op::PowI if vb == 0.0 => {}
                    Op::PowI => adj.add_a(g * (vb * va.powi(vb as i32 - 1))),
                    Op::PowC => adj.add_a(g * (vb * va.powf(vb - 1.0))),
                    Op::Pow => {
                        if vb != 0.0 {
                            adj.add_a(g * (vb * va.powf(vb - 1.0)));
                        }
                        // d(a^b)/db = a^b ln a, taken as 0 at a = 0 for b >= 0 (PyTorch's choice).
                        if !(va == 0.0 && vb >= 0.0) {
                            adj.add_b(g * (out * va.ln()));
                        }
                    }
                    Op::Func(f) => match f {
                        Func::Sin => adj.add_a(g * va.cos()),
                        Func::Cos => adj.add_a(-(g * va.sin())),
                        Func::Tan => adj.add_a(g * (1.0 + out * out)),
                        Func::Exp => adj.add_a(g * out),
                        Func::Log => adj.add_a(g / va),
                        Func::Sqrt => adj.add_a(g * (0.5 / out)),
                        // The subgradient 0 at the kink, as PyTorch's abs.
                        Func::Abs => adj.add_a(
                            g * if va > 0.0 {
                                1.0
                            } else if va < 0.0 {
                                -1.0
                            } else {
                                0.0
                            },
                        ),
                        Func::Tanh => adj.add_a(g * (1.0 - out * out)),
                        Func::Sigmoid => adj.add_a(g * (out * (1.0 - out))),
                        // Ties share the gradient equally, as torch.minimum / torch.maximum.
                        Func::Min | Func::Max => {
                            if va == vb {
                                adj.add_a(0.5 * g);
                                adj.add_b(0.5 * g);
                            } else if (va < vb) == (f == Func::Min) {
                                adj.add_a(g);
                            } else {
                                adj.add_b(g);
                            }
                        }
                    },
                }
            }
            // A loop rather than a copy call: a few variables are the usual case.
            for (g, a) in grad.iter_mut().zip(&adj[..self.vars]) {
                *g = *a;
            }
            self.result(v)
        })
    }

    /// Where the value at `x` first stops being a finite number, if it does:
    /// the text of the operation and why.
    pub fn domain_error(&self, x: &[f64]) -> Option<ExprError> {
        if let Operand::Const(c) = self.out
            && !c.is_finite()
        {
            return Some(ExprError { span: 0..0, message: "the value is not a finite number".into() });
        }
        self.with_scratch(|v, _| {
            self.forward(x, v, None);
            let base = self.vars;
            self.ins.iter().enumerate().find_map(|(k, ins)| {
                let a = v[ins.a as usize];
                let b = if takes_constant(ins.op) { ins.c } else { v[ins.b as usize] };
                (a.is_finite() && b.is_finite() && !v[base + k].is_finite())
                    .then(|| ExprError { span: self.at[k].clone(), message: domain_message(ins.op, a, b) })
            })
        })
    }
}

/// The adjoints of one instruction's two operands.
struct Adjoints<'a> {
    adj: &'a mut [f64],
    a: usize,
    b: usize,
}

impl Adjoints<'_> {
    #[inline(always)]
    fn add_a(&mut self, d: f64) {
        // SAFETY: `a` is an operand slot, below adj.len() (see `value_and_gradient`).
        unsafe { *self.adj.get_unchecked_mut(self.a) += d }
    }
    #[inline(always)]
    fn add_b(&mut self, d: f64) {
        // SAFETY: as `add_a`; called only for instructions whose `b` is a slot.
        unsafe { *self.adj.get_unchecked_mut(self.b) += d }
    }
}

struct Compiler {
    vars: usize,
    ins: Vec<Ins>,
    at: Vec<Range<usize>>,
}

impl Compiler {
    fn instruction(&mut self, op: Op, a: u32, b: u32, c: f64, at: &Range<usize>) -> Operand {
        self.ins.push(Ins { op, a, b, c });
        self.at.push(at.clone());
        Operand::Slot((self.vars + self.ins.len() - 1) as u32)
    }

    /// Fuse `Square` with the sum or difference just before it when nothing
    /// else reads that sum; renumber the slots. Returns the result's new place.
    fn fuse_squares(&mut self, out: Operand) -> Operand {
        let n = self.ins.len();
        let base = self.vars as u32;
        let mut uses = vec![0usize; n];
        let mut count = |slot: u32| {
            if slot >= base {
                uses[(slot - base) as usize] += 1;
            }
        };
        for i in &self.ins {
            count(i.a);
            if !takes_constant(i.op) && !matches!(i.op, Op::Neg | Op::Square) {
                count(i.b);
            }
        }
        if let Operand::Slot(s) = out {
            count(s);
        }
        let fused = |inner: Op| match inner {
            Op::Add => Some(Op::SqAdd),
            Op::Sub => Some(Op::SqSub),
            Op::AddC => Some(Op::SqAddC),
            Op::SubC => Some(Op::SqSubC),
            Op::RSubC => Some(Op::SqRSubC),
            _ => None,
        };
        // new_slot[k]: where instruction k's value ends up.
        let mut new_slot: Vec<u32> = Vec::with_capacity(n);
        let mut ins: Vec<Ins> = Vec::with_capacity(n);
        let mut at = Vec::with_capacity(n);
        let remap = |slot: u32, new_slot: &[u32]| if slot >= base { new_slot[(slot - base) as usize] } else { slot };
        for k in 0..n {
            let i = self.ins[k];
            let prev = k.checked_sub(1).map(|p| self.ins[p]);
            let fusable = i.op == Op::Square
                && k > 0
                && i.a + 1 == base + k as u32
                && uses[k - 1] == 1
                && prev.and_then(|p| fused(p.op)).is_some();
            if let (true, Some(p)) = (fusable, prev) {
                // Replace the sum just written with the fused square.
                let last = ins.len() - 1;
                ins[last].op = fused(p.op).unwrap_or(p.op);
                at[last] = self.at[k].clone();
                new_slot.push(base + last as u32);
                continue;
            }
            let b = if takes_constant(i.op) { i.b } else { remap(i.b, &new_slot) };
            ins.push(Ins { op: i.op, a: remap(i.a, &new_slot), b, c: i.c });
            at.push(self.at[k].clone());
            new_slot.push(base + ins.len() as u32 - 1);
        }
        self.ins = ins;
        self.at = at;
        match out {
            Operand::Slot(s) => Operand::Slot(remap(s, &new_slot)),
            c => c,
        }
    }

    /// A constant in a slot, for operations that have no form with a constant.
    fn slot(&mut self, o: Operand, at: &Range<usize>) -> u32 {
        match o {
            Operand::Slot(s) => s,
            Operand::Const(c) => match self.instruction(Op::Const, 0, 0, c, at) {
                Operand::Slot(s) => s,
                Operand::Const(_) => unreachable!("an instruction makes a slot"),
            },
        }
    }

    fn push(&mut self, op: Op, a: Operand, b: Operand, at: &Range<usize>) -> Result<Operand, ExprError> {
        use Operand::{Const, Slot};
        let unary = matches!(op, Op::Neg | Op::Square | Op::Func(_)) && !matches!(op, Op::Func(Func::Min | Func::Max));
        match (a, b) {
            (Const(x), Const(y)) => {
                let v = apply(op, x, y);
                if !v.is_finite() {
                    return Err(ExprError {
                        span: at.clone(),
                        message: format!("{}: this constant part is not a finite number", domain_message(op, x, y)),
                    });
                }
                Ok(Const(v))
            }
            (Slot(a), _) if unary => Ok(self.instruction(op, a, 0, 0.0, at)),
            (Slot(a), Const(c)) => {
                let with_constant = match op {
                    Op::Add => Some(Op::AddC),
                    Op::Sub => Some(Op::SubC),
                    Op::Mul => Some(Op::MulC),
                    Op::Div => Some(Op::DivC),
                    Op::Pow if c == 2.0 => return Ok(self.instruction(Op::Square, a, 0, 0.0, at)),
                    Op::Pow if c.fract() == 0.0 && c.abs() <= 64.0 => Some(Op::PowI),
                    Op::Pow => Some(Op::PowC),
                    _ => None,
                };
                match with_constant {
                    Some(op) => Ok(self.instruction(op, a, 0, c, at)),
                    None => {
                        let b = self.slot(Const(c), at);
                        Ok(self.instruction(op, a, b, 0.0, at))
                    }
                }
            }
            (Const(c), Slot(b)) => {
                let with_constant = match op {
                    // Commutative: the constant's side does not change the rounding.
                    Op::Add => Some(Op::AddC),
                    Op::Mul => Some(Op::MulC),
                    Op::Sub => Some(Op::RSubC),
                    Op::Div => Some(Op::RDivC),
                    _ => None,
                };
                match with_constant {
                    Some(op) => Ok(self.instruction(op, b, 0, c, at)),
                    None => {
                        let a = self.slot(Const(c), at);
                        Ok(self.instruction(op, a, b, 0.0, at))
                    }
                }
            }
            (Slot(a), Slot(b)) => Ok(self.instruction(op, a, b, 0.0, at)),
        }
    }

    fn emit(&mut self, ast: &Ast) -> Result<Operand, ExprError> {
        let zero = Operand::Const(0.0);
        match &ast.kind {
            Kind::Num(v) => Ok(Operand::Const(*v)),
            Kind::Var(i) => Ok(Operand::Slot(*i as u32)),
            Kind::Neg(inner) => {
                let a = self.emit(inner)?;
                self.push(Op::Neg, a, zero, &ast.at)
            }
            Kind::Binary(op, l, r) => {
                let a = self.emit(l)?;
                let b = self.emit(r)?;
                let op = match op {
                    BinOp::Add => Op::Add,
                    BinOp::Sub => Op::Sub,
                    BinOp::Mul => Op::Mul,
                    BinOp::Div => Op::Div,
                    BinOp::Pow => Op::Pow,
                };
                self.push(op, a, b, &ast.at)
            }
            Kind::Call(f, args) => {
                let a = self.emit(&args[0])?;
                let b = match args.get(1) {
                    Some(arg) => self.emit(arg)?,
                    None => zero,
                };
                self.push(Op::Func(*f), a, b, &ast.at)
            }
        }
    }
}
