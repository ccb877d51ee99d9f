//! An expression compiled once into a flat tape: a list of instructions over
//! numbered slots (the variables, then the constants, then one slot per
//! instruction). The value is one pass forward; the gradient is one pass
//! backward over the same tape (reverse-mode automatic differentiation), so a
//! gradient costs a small constant times a value, whatever the number of
//! variables. Constant subexpressions are folded when compiling.

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
    /// An integer power; the exponent is in `b`'s place.
    PowI(i32),
    /// A constant real power: `b` is the constant's slot.
    PowC,
    /// A power whose exponent varies.
    Pow,
    Func(Func),
}

#[derive(Clone, Copy, Debug)]
struct Ins {
    op: Op,
    a: u32,
    b: u32,
}

/// An operand while compiling: where its value will be.
#[derive(Clone, Copy, Debug)]
enum Operand {
    Const(f64),
    Var(usize),
    Tmp(usize),
}

#[derive(Clone, Debug)]
pub struct Tape {
    vars: usize,
    /// Values of the constant slots (after the variables).
    consts: Vec<f64>,
    ins: Vec<Ins>,
    /// The text each instruction came from (the operator or function name).
    at: Vec<Range<usize>>,
    out: u32,
}

/// `a op b` on numbers: the one definition the tape and constant folding share.
fn apply(op: Op, a: f64, b: f64) -> f64 {
    match op {
        Op::Add => a + b,
        Op::Sub => a - b,
        Op::Mul => a * b,
        Op::Div => a / b,
        Op::Neg => -a,
        Op::Square => a * a,
        Op::PowI(n) => a.powi(n),
        Op::PowC | Op::Pow => a.powf(b),
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

/// Why an operation gave a non-finite value from finite operands.
fn domain_message(op: Op, a: f64, b: f64) -> String {
    let n = |v: f64| format!("{v}");
    match op {
        Op::Div => format!("division by zero ({} / 0)", n(a)),
        Op::Func(Func::Log) if a == 0.0 => "log of 0".into(),
        Op::Func(Func::Log) => format!("log of a negative number ({})", n(a)),
        Op::Func(Func::Sqrt) => format!("sqrt of a negative number ({})", n(a)),
        Op::Func(Func::Tan) => format!("tan at a pole ({})", n(a)),
        Op::PowC | Op::Pow if a < 0.0 => format!("a negative number to a fractional power ({}^{})", n(a), n(b)),
        Op::PowC | Op::Pow | Op::PowI(_) if a == 0.0 => "0 to a negative power".into(),
        _ => "the value overflows".into(),
    }
}

impl Tape {
    /// Compile a tree over `vars` variables. A constant part that is not a
    /// finite number (`log(-1)`) is an error pointing at it.
    pub fn compile(ast: &Ast, vars: usize) -> Result<Tape, ExprError> {
        let mut c = Compiler { ins: Vec::new(), at: Vec::new() };
        let root = c.emit(ast)?;
        // Lay the slots out: variables, constants, then one per instruction.
        let mut consts: Vec<f64> = Vec::new();
        let mut const_slot = |v: f64| -> u32 {
            let i = consts.iter().position(|c| c.to_bits() == v.to_bits()).unwrap_or_else(|| {
                consts.push(v);
                consts.len() - 1
            });
            (vars + i) as u32
        };
        // First pass: every constant operand gets its slot.
        let mut resolved: Vec<(Op, [Option<u32>; 2], [Operand; 2])> = Vec::new();
        for &(op, a, b) in &c.ins {
            let fix = |o: Operand, slot: &mut dyn FnMut(f64) -> u32| match o {
                Operand::Const(v) => Some(slot(v)),
                Operand::Var(i) => Some(i as u32),
                Operand::Tmp(_) => None,
            };
            let fa = fix(a, &mut const_slot);
            let fb = fix(b, &mut const_slot);
            resolved.push((op, [fa, fb], [a, b]));
        }
        let root_slot = match root {
            Operand::Const(v) => Some(const_slot(v)),
            Operand::Var(i) => Some(i as u32),
            Operand::Tmp(_) => None,
        };
        let base = (vars + consts.len()) as u32;
        let tmp = |o: Operand, fixed: Option<u32>| match o {
            Operand::Tmp(k) => base + k as u32,
            _ => fixed.unwrap_or(0),
        };
        let ins = resolved
            .into_iter()
            .map(|(op, fixed, [a, b])| Ins { op, a: tmp(a, fixed[0]), b: tmp(b, fixed[1]) })
            .collect();
        let out = match root {
            Operand::Tmp(k) => base + k as u32,
            _ => root_slot.unwrap_or(0),
        };
        Ok(Tape { vars, consts, ins, at: c.at, out })
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
        self.vars + self.consts.len() + self.ins.len()
    }

    fn base(&self) -> usize {
        self.vars + self.consts.len()
    }

    /// Fill the variable and constant slots and run the tape forward.
    fn forward(&self, x: impl Iterator<Item = f64>, v: &mut [f64]) {
        for (slot, xi) in v.iter_mut().zip(x) {
            *slot = xi;
        }
        v[self.vars..self.base()].copy_from_slice(&self.consts);
        let base = self.base();
        for (k, ins) in self.ins.iter().enumerate() {
            v[base + k] = apply(ins.op, v[ins.a as usize], v[ins.b as usize]);
        }
    }

    /// Run `f` with scratch slots for values and adjoints: one buffer per
    /// thread, grown once, so an evaluation allocates nothing.
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
            // Re-entered on this thread (cannot happen: evaluations do not nest); stay correct.
            Err(_) => {
                let mut buf = vec![0.0; 2 * n];
                let (v, adj) = buf.split_at_mut(n);
                f(v, adj)
            }
        })
    }

    /// The value at `x` (`x.len()` is the number of variables).
    pub fn value(&self, x: impl Iterator<Item = f64>) -> f64 {
        self.with_scratch(|v, _| {
            self.forward(x, v);
            v[self.out as usize]
        })
    }

    /// The value at `x`, and its gradient written into `grad` in variable order.
    pub fn value_and_gradient<'g>(&self, x: impl Iterator<Item = f64>, grad: impl Iterator<Item = &'g mut f64>) -> f64 {
        self.with_scratch(|v, adj| {
            self.forward(x, v);
            adj.fill(0.0);
            adj[self.out as usize] = 1.0;
            let base = self.base();
            for (k, ins) in self.ins.iter().enumerate().rev() {
                let g = adj[base + k];
                let (a, b) = (ins.a as usize, ins.b as usize);
                let (va, vb, out) = (v[a], v[b], v[base + k]);
                match ins.op {
                    Op::Add => {
                        adj[a] += g;
                        adj[b] += g;
                    }
                    Op::Sub => {
                        adj[a] += g;
                        adj[b] -= g;
                    }
                    Op::Mul => {
                        adj[a] += g * vb;
                        adj[b] += g * va;
                    }
                    Op::Div => {
                        adj[a] += g / vb;
                        adj[b] -= g * out / vb;
                    }
                    Op::Neg => adj[a] -= g,
                    Op::Square => adj[a] += g * (2.0 * va),
                    Op::PowI(n) => adj[a] += g * (n as f64 * va.powi(n - 1)),
                    Op::PowC => adj[a] += g * (vb * va.powf(vb - 1.0)),
                    Op::Pow => {
                        adj[a] += g * (vb * va.powf(vb - 1.0));
                        // d(a^b)/db = a^b ln a, which tends to 0 as a → 0⁺ for b > 0.
                        if out != 0.0 {
                            adj[b] += g * (out * va.ln());
                        }
                    }
                    Op::Func(f) => match f {
                        Func::Sin => adj[a] += g * va.cos(),
                        Func::Cos => adj[a] -= g * va.sin(),
                        Func::Tan => adj[a] += g * (1.0 + out * out),
                        Func::Exp => adj[a] += g * out,
                        Func::Log => adj[a] += g / va,
                        Func::Sqrt => adj[a] += g * (0.5 / out),
                        // The subgradient 0 at the kink, as PyTorch's abs.
                        Func::Abs => adj[a] += g * if va > 0.0 { 1.0 } else if va < 0.0 { -1.0 } else { 0.0 },
                        Func::Tanh => adj[a] += g * (1.0 - out * out),
                        Func::Sigmoid => adj[a] += g * (out * (1.0 - out)),
                        // Ties share the gradient equally, as torch.minimum / torch.maximum.
                        Func::Min | Func::Max => {
                            if va == vb {
                                adj[a] += 0.5 * g;
                                adj[b] += 0.5 * g;
                            } else if (va < vb) == (f == Func::Min) {
                                adj[a] += g;
                            } else {
                                adj[b] += g;
                            }
                        }
                    },
                }
            }
            for (gi, a) in grad.zip(adj[..self.vars].iter()) {
                *gi = *a;
            }
            v[self.out as usize]
        })
    }

    /// Where the value at `x` first stops being a finite number, if it does:
    /// the text of the operation and why.
    pub fn domain_error(&self, x: impl Iterator<Item = f64>) -> Option<ExprError> {
        self.with_scratch(|v, _| {
            self.forward(x, v);
            let base = self.base();
            self.ins.iter().enumerate().find_map(|(k, ins)| {
                let (a, b) = (v[ins.a as usize], v[ins.b as usize]);
                let inputs_finite = a.is_finite() && b.is_finite();
                (inputs_finite && !v[base + k].is_finite())
                    .then(|| ExprError { span: self.at[k].clone(), message: domain_message(ins.op, a, b) })
            })
        })
    }
}

struct Compiler {
    ins: Vec<(Op, Operand, Operand)>,
    at: Vec<Range<usize>>,
}

impl Compiler {
    fn push(&mut self, op: Op, a: Operand, b: Operand, at: &Range<usize>) -> Result<Operand, ExprError> {
        if let (Operand::Const(x), Operand::Const(y)) = (a, b) {
            let v = apply(op, x, y);
            if !v.is_finite() {
                return Err(ExprError {
                    span: at.clone(),
                    message: format!("{}: this constant part is not a finite number", domain_message(op, x, y)),
                });
            }
            return Ok(Operand::Const(v));
        }
        self.ins.push((op, a, b));
        self.at.push(at.clone());
        Ok(Operand::Tmp(self.ins.len() - 1))
    }

    fn emit(&mut self, ast: &Ast) -> Result<Operand, ExprError> {
        let zero = Operand::Const(0.0);
        match &ast.kind {
            Kind::Num(v) => Ok(Operand::Const(*v)),
            Kind::Var(i) => Ok(Operand::Var(*i)),
            Kind::Neg(inner) => {
                let a = self.emit(inner)?;
                self.push(Op::Neg, a, zero, &ast.at)
            }
            Kind::Binary(op, l, r) => {
                let a = self.emit(l)?;
                let b = self.emit(r)?;
                let op = match (op, b) {
                    (BinOp::Add, _) => Op::Add,
                    (BinOp::Sub, _) => Op::Sub,
                    (BinOp::Mul, _) => Op::Mul,
                    (BinOp::Div, _) => Op::Div,
                    (BinOp::Pow, Operand::Const(c)) if c == 2.0 => return self.push(Op::Square, a, zero, &ast.at),
                    (BinOp::Pow, Operand::Const(c)) if c.fract() == 0.0 && c.abs() <= 64.0 => {
                        return self.push(Op::PowI(c as i32), a, zero, &ast.at);
                    }
                    (BinOp::Pow, Operand::Const(_)) => Op::PowC,
                    (BinOp::Pow, _) => Op::Pow,
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
