//! One run: an optimizer with its parameters, stepping on an objective.

use super::batches::Minibatches;
use super::events::{Change, Event};
use super::stop::StopRule;
use crate::objective::Objective;
use crate::optim::Evaluate;
use crate::optim::{Hyper, HyperError, Optimizer, OptimizerKind, Schedule};
use ndarray::{Array1, ArrayView1, ArrayViewMut1};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};
/// The time a run has spent stepping, read from the processor's time-stamp
/// counter through quanta (about 10 ns a read, calibrated once per process)
/// instead of the OS clock (about 20–25 ns): a 2-D update costs well under
/// 100 ns, and its time is recorded at every step. Where the counter is not
/// reliable quanta reads the OS's monotonic clock instead.
#[derive(Clone)]
struct Busy {
    clock: quanta::Clock,
    /// Counter ticks spent stepping.
    ticks: u64,
}

impl Busy {
    fn new() -> Busy {
        Busy { clock: quanta::Clock::new(), ticks: 0 }
    }
    fn start(&self) -> u64 {
        self.clock.raw()
    }
    fn stop(&mut self, started: u64) {
        self.ticks += self.clock.raw().saturating_sub(started);
    }
    fn ms(&self) -> f64 {
        self.clock.delta_as_nanos(0, self.ticks) as f64 * 1e-6
    }
}

/// The stream of the run's seed that gradient noise draws from.
const NOISE_STREAM: u64 = 11;

/// The objective as an optimizer calls it during one update: the update's
/// minibatch, gradient noise as for the update's own gradient, every call counted.
struct RunEvaluator<'a> {
    objective: &'a dyn Objective,
    batch: Option<&'a [usize]>,
    noise: Option<&'a mut (ChaCha8Rng, Normal<f64>)>,
    evaluations: u64,
}

impl Evaluate for RunEvaluator<'_> {
    fn evaluate(&mut self, x: ArrayView1<f64>, mut grad: ArrayViewMut1<f64>) -> Option<f64> {
        self.evaluations += 1;
        let loss = self.objective.batch_loss_and_gradient(x, self.batch, grad.view_mut());
        if let Some((rng, normal)) = self.noise.as_mut() {
            grad.iter_mut().for_each(|g| *g += normal.sample(rng));
        }
        Some(loss)
    }
}

/// A run's index in its lab.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RunId(pub usize);

/// A run's stable identity: the first 48 bits of the SHA-256 digest of its
/// resolved configuration (the `run_id` column, 12 hex digits). The scenario
/// layer computes it; the engine only carries it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RunKey(pub u64);

impl RunKey {
    /// The `run_id` text: 12 lowercase hex digits.
    pub fn parse(text: &str) -> Option<RunKey> {
        if text.len() != 12 || !text.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
            return None;
        }
        u64::from_str_radix(text, 16).ok().map(RunKey)
    }
}

impl std::fmt::Display for RunKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:012x}", self.0)
    }
}

/// Where a run is.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Status {
    Running,
    /// Every step done.
    Completed,
    /// Reached the target loss (first at `step`), and either stopped there or went on to the end.
    ReachedTarget {
        step: u64,
    },
    /// The loss blew up or became non-finite after `step` updates; the run stopped there.
    Diverged {
        step: u64,
    },
}

impl Status {
    /// The name used in summary.csv.
    pub fn name(self) -> &'static str {
        match self {
            Status::Running => "running",
            Status::Completed => "completed",
            Status::ReachedTarget { .. } => "reached_target",
            Status::Diverged { .. } => "diverged",
        }
    }

    pub fn is_finished(self) -> bool {
        !matches!(self, Status::Running)
    }
}

/// One evaluated step: a row of steps.csv without the run's identity and parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    /// Updates done (0: the start point).
    pub step: u64,
    /// Passes over the training set (models only).
    pub epoch: Option<f64>,
    /// The learning rate of the update that produced this step (none at step 0).
    pub lr: Option<f64>,
    /// The full training objective.
    pub loss: f64,
    /// The loss on the minibatch of the update (models only).
    pub batch_loss: Option<f64>,
    /// The L2 norm of the update's gradient (noise included).
    pub grad_norm: Option<f64>,
    pub val_loss: Option<f64>,
    pub val_accuracy: Option<f64>,
    /// Time spent stepping this run so far.
    pub wall_ms: f64,
    /// Gradient evaluations the optimizer has used so far (cumulative): one
    /// per update, plus every extra evaluation an update asks for (L-BFGS's
    /// line search). Evaluations made only to record the loss do not count.
    pub grad_evals: u64,
}

/// What a run is, before it starts.
#[derive(Clone)]
pub struct RunSpec {
    /// Unique label within its lab (the `run` column).
    pub label: String,
    /// Index of the `[[optimizer]]` entry this run comes from.
    pub entry: usize,
    /// The configured optimizer (hyperparameters set; state fresh).
    pub optimizer: Box<dyn Optimizer>,
    pub schedule: Schedule,
    pub seed: u64,
    /// Minibatch size for models; `None` for full batch.
    pub batch_size: Option<usize>,
    /// Standard deviation of Gaussian noise added to each gradient.
    pub noise: f64,
    /// Evaluate the full objective every this many updates (models); always at the last.
    pub eval_every: u64,
    /// Updates to do.
    pub steps: u64,
    /// Changes to replay, in step order.
    pub events: Vec<Event>,
    /// The hash of the run's resolved configuration (`run_id`).
    pub key: RunKey,
}

/// Figures of a run, for summary.csv and the convergence table.
#[derive(Clone, Debug, PartialEq)]
pub struct Summary {
    pub status: Status,
    pub steps: u64,
    pub final_loss: f64,
    pub best_loss: f64,
    pub best_step: u64,
    pub steps_to_target: Option<u64>,
    pub final_grad_norm: Option<f64>,
    pub final_val_loss: Option<f64>,
    pub final_val_accuracy: Option<f64>,
    pub diverged_at: Option<u64>,
    pub wall_ms: f64,
    /// Gradient evaluations used (see [`Record::grad_evals`]).
    pub grad_evals: u64,
}

/// An optimizer's run on an objective.
#[derive(Clone)]
pub struct Run {
    spec: RunSpec,
    optimizer: Box<dyn Optimizer>,
    params: Array1<f64>,
    grad: Array1<f64>,
    /// `grad` holds the exact gradient at `params` (analytic objectives compute it with the loss).
    grad_fresh: bool,
    /// The loss at `params` that came with `grad` when it is fresh.
    fresh_loss: f64,
    /// Gradient evaluations used so far.
    grad_evals: u64,
    t: u64,
    batches: Option<Minibatches>,
    noise: Option<(ChaCha8Rng, Normal<f64>)>,
    /// Index into `spec.events` of the next event to apply.
    next_event: usize,
    /// Changes made while running (the UI's), with the step they follow.
    live_events: Vec<Event>,
    status: Status,
    stop: StopRule,
    initial_loss: f64,
    last: Record,
    best_loss: f64,
    best_step: u64,
    steps_to_target: Option<u64>,
    busy: Busy,
}

impl Run {
    /// A run at its start point; evaluates step 0.
    pub fn new(spec: RunSpec, objective: &dyn Objective, stop: StopRule) -> Run {
        let dim = objective.dim();
        let mut optimizer = spec.optimizer.clone();
        optimizer.reset(&objective.layout());
        let batches = match (spec.batch_size, objective.train_size()) {
            (Some(b), Some(n)) if b > 0 && b < n && optimizer.kind() != OptimizerKind::Gd => {
                Some(Minibatches::new(n, b, spec.seed))
            }
            _ => None,
        };
        let noise = (spec.noise > 0.0).then(|| {
            let mut rng = ChaCha8Rng::seed_from_u64(spec.seed);
            rng.set_stream(NOISE_STREAM);
            // The scenario layer checks noise is finite and positive.
            (rng, Normal::new(0.0, spec.noise).unwrap_or_else(|_| unreachable!("noise validated")))
        });
        let params = objective.initial_params(spec.seed);
        let mut run = Run {
            optimizer,
            grad: Array1::zeros(dim),
            grad_fresh: false,
            fresh_loss: f64::NAN,
            grad_evals: 0,
            t: 0,
            batches,
            noise,
            next_event: 0,
            live_events: Vec::new(),
            status: Status::Running,
            stop,
            initial_loss: f64::NAN,
            last: Record {
                step: 0,
                epoch: None,
                lr: None,
                loss: f64::NAN,
                batch_loss: None,
                grad_norm: None,
                val_loss: None,
                val_accuracy: None,
                wall_ms: 0.0,
                grad_evals: 0,
            },
            best_loss: f64::INFINITY,
            best_step: 0,
            steps_to_target: None,
            busy: Busy::new(),
            params,
            spec,
        };
        let started = run.busy.start();
        let loss = run.evaluate_loss(objective);
        run.initial_loss = loss;
        run.record(objective, loss, None, None, None);
        run.busy.stop(started);
        run.last.wall_ms = run.busy.ms();
        run
    }

    pub fn spec(&self) -> &RunSpec {
        &self.spec
    }
    pub fn label(&self) -> &str {
        &self.spec.label
    }
    pub fn optimizer(&self) -> &dyn Optimizer {
        self.optimizer.as_ref()
    }
    /// The parameters users evaluate: the optimizer's reported point when it
    /// has one (Schedule-Free's average x), else the iterate itself.
    pub fn params(&self) -> ArrayView1<'_, f64> {
        self.optimizer.reported_point().unwrap_or_else(|| self.params.view())
    }

    /// Gradient evaluations used so far.
    pub fn grad_evals(&self) -> u64 {
        self.grad_evals
    }
    /// Updates done.
    pub fn t(&self) -> u64 {
        self.t
    }
    pub fn status(&self) -> Status {
        self.status
    }
    pub fn is_finished(&self) -> bool {
        self.status.is_finished()
    }
    /// The latest evaluated step.
    pub fn last(&self) -> &Record {
        &self.last
    }
    pub fn initial_loss(&self) -> f64 {
        self.initial_loss
    }
    /// The changes made while running, in order.
    pub fn live_events(&self) -> &[Event] {
        &self.live_events
    }
    /// The base learning rate now.
    pub fn base_lr(&self) -> f64 {
        self.optimizer.lr()
    }
    /// The learning rate the next update will use.
    pub fn next_lr(&self) -> f64 {
        self.spec.schedule.lr(self.optimizer.lr(), self.t)
    }

    pub fn summary(&self) -> Summary {
        Summary {
            status: if self.status == Status::Running { Status::Running } else { self.status },
            steps: self.t,
            final_loss: self.last.loss,
            best_loss: self.best_loss,
            best_step: self.best_step,
            steps_to_target: self.steps_to_target,
            final_grad_norm: self.last.grad_norm,
            final_val_loss: self.last.val_loss,
            final_val_accuracy: self.last.val_accuracy,
            diverged_at: match self.status {
                Status::Diverged { step } => Some(step),
                _ => None,
            },
            wall_ms: self.busy.ms(),
            grad_evals: self.grad_evals,
        }
    }

    /// Change a hyperparameter now (the UI's slider): applied before the next
    /// update and recorded as an event after the updates done so far.
    ///
    /// A change that would make a scripted event still to come impossible to
    /// apply (momentum 0 before an event that turns Nesterov on) is refused.
    pub fn set_hyper(&mut self, name: &str, value: Hyper) -> Result<(), HyperError> {
        let mut probe = self.optimizer.box_clone();
        probe.set(name, value)?;
        for event in &self.spec.events[self.next_event.min(self.spec.events.len())..] {
            let changes: Vec<(&str, Hyper)> = event.changes.iter().map(|c| (c.name.as_str(), c.value)).collect();
            probe.set_all(&changes).map_err(|e| HyperError::Invalid {
                name: name.to_string(),
                reason: format!(
                    "= {value} would stop the scripted event at step {} from applying: {}",
                    event.step,
                    match e {
                        HyperError::Invalid { name, reason } => format!("`{name}` {reason}"),
                        other => other.to_string(),
                    }
                ),
            })?;
        }
        self.optimizer.set(name, value)?;
        let change = Change { name: name.to_string(), value };
        match self.live_events.last_mut() {
            Some(e) if e.step == self.t => {
                e.changes.retain(|c| c.name != name);
                e.changes.push(change);
            }
            _ => self.live_events.push(Event { step: self.t, run: self.spec.label.clone(), changes: vec![change] }),
        }
        Ok(())
    }

    /// The same run from its start with the hyperparameters it has now, and no
    /// events (`r` in the UI).
    pub fn restarted(&self, objective: &dyn Objective) -> Run {
        let mut spec = self.spec.clone();
        spec.optimizer = self.optimizer.clone();
        spec.events.clear();
        Run::new(spec, objective, self.stop.clone())
    }

    /// The full objective at the current parameters; for analytic functions the
    /// gradient comes with it and is kept for the next update.
    fn evaluate_loss(&mut self, objective: &dyn Objective) -> f64 {
        if let Some(point) = self.optimizer.reported_point() {
            // The gradients are taken elsewhere (Schedule-Free's y): nothing to keep.
            self.grad_fresh = false;
            return objective.loss(point);
        }
        if objective.train_size().is_none() {
            let loss = objective.batch_loss_and_gradient(self.params.view(), None, self.grad.view_mut());
            self.grad_fresh = true;
            self.fresh_loss = loss;
            loss
        } else {
            objective.loss(self.params.view())
        }
    }

    fn record(
        &mut self,
        objective: &dyn Objective,
        loss: f64,
        lr: Option<f64>,
        batch_loss: Option<f64>,
        grad_norm: Option<f64>,
    ) {
        let validation = match self.optimizer.reported_point() {
            Some(point) => objective.validation(point),
            None => objective.validation(self.params.view()),
        };
        let epoch = objective.train_size().map(|_| match &self.batches {
            Some(b) => self.t as f64 / b.batches_per_epoch() as f64,
            None => self.t as f64,
        });
        self.last = Record {
            step: self.t,
            epoch,
            lr,
            loss,
            batch_loss,
            grad_norm,
            val_loss: validation.map(|v| v.loss),
            val_accuracy: validation.and_then(|v| v.accuracy),
            wall_ms: self.busy.ms(),
            grad_evals: self.grad_evals,
        };
        if self.stop.diverged(loss, self.initial_loss) {
            self.status = Status::Diverged { step: self.t };
            return;
        }
        if loss < self.best_loss {
            self.best_loss = loss;
            self.best_step = self.t;
        }
        if self.steps_to_target.is_none() && self.stop.reached(loss) {
            self.steps_to_target = Some(self.t);
            if self.stop.stop_at_target {
                self.status = Status::ReachedTarget { step: self.t };
                return;
            }
        }
        if self.t >= self.spec.steps {
            self.status = match self.steps_to_target {
                Some(step) => Status::ReachedTarget { step },
                None => Status::Completed,
            };
        }
    }

    fn apply_due_events(&mut self) {
        while let Some(event) = self.spec.events.get(self.next_event) {
            if event.step > self.t {
                break;
            }
            if event.step == self.t {
                let changes: Vec<(&str, Hyper)> = event.changes.iter().map(|c| (c.name.as_str(), c.value)).collect();
                // Proven applicable: the scenario's checked expansion replays every
                // event on the run's optimizer before the run exists, and
                // `set_hyper` refuses a live change that would break one to come.
                self.optimizer
                    .set_all(&changes)
                    .unwrap_or_else(|e| unreachable!("event at step {} was checked: {e}", event.step));
            }
            self.next_event += 1;
        }
    }

    /// One update. Returns the new step's record when it is evaluated (every
    /// `eval_every` updates, the last one, and whenever the run stops), `None`
    /// otherwise or when the run has already finished.
    pub fn step(&mut self, objective: &dyn Objective) -> Option<&Record> {
        if self.is_finished() {
            return None;
        }
        let started = self.busy.start();
        self.apply_due_events();
        let lr = self.next_lr();
        let (batch, batch_loss) = match &mut self.batches {
            Some(batches) => {
                let batch = batches.next_batch();
                let loss = objective.batch_loss_and_gradient(self.params.view(), Some(batch), self.grad.view_mut());
                (Some(batch), Some(loss))
            }
            None => (None, None),
        };
        let loss = match batch_loss {
            Some(loss) => loss,
            None if self.grad_fresh => self.fresh_loss,
            None => objective.batch_loss_and_gradient(self.params.view(), None, self.grad.view_mut()),
        };
        // A model's full-batch update reports its loss as the batch loss.
        let batch_loss = batch_loss.or_else(|| objective.train_size().map(|_| loss));
        self.grad_fresh = false;
        if let Some((rng, normal)) = &mut self.noise {
            self.grad.iter_mut().for_each(|g| *g += normal.sample(rng));
        }
        let grad_norm = self.grad.iter().map(|g| g * g).sum::<f64>().sqrt();
        let mut evaluator = RunEvaluator { objective, batch, noise: self.noise.as_mut(), evaluations: 0 };
        self.optimizer.update(self.params.view_mut(), loss, self.grad.view(), lr, &mut evaluator);
        self.grad_evals += 1 + evaluator.evaluations;
        self.t += 1;

        let analytic = objective.train_size().is_none();
        let blew_up = !grad_norm.is_finite() || batch_loss.is_some_and(|l| !l.is_finite());
        let due = analytic || self.t.is_multiple_of(self.spec.eval_every.max(1)) || self.t >= self.spec.steps;
        if due || blew_up {
            let loss = self.evaluate_loss(objective);
            self.busy.stop(started);
            self.record(objective, loss, Some(lr), batch_loss, Some(grad_norm));
            Some(&self.last)
        } else {
            self.busy.stop(started);
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::objective::{Analytic, FunctionKind, FunctionParams};
    use crate::optim::OptimizerKind;
    use ndarray::array;

    fn rosenbrock() -> Analytic {
        Analytic::new(FunctionKind::Rosenbrock.build(&FunctionParams::default()).unwrap(), None)
    }

    fn spec(kind: OptimizerKind, lr: f64, steps: u64) -> RunSpec {
        let mut optimizer = kind.build(2);
        optimizer.set("lr", Hyper::Float(lr)).unwrap();
        RunSpec {
            label: kind.name().into(),
            entry: 0,
            optimizer,
            schedule: Schedule::default(),
            seed: 0,
            batch_size: None,
            noise: 0.0,
            eval_every: 1,
            steps,
            events: vec![],
            key: RunKey::default(),
        }
    }

    #[test]
    fn gd_steps_match_the_formula() {
        let obj = rosenbrock();
        let mut run = Run::new(spec(OptimizerKind::Sgd, 1e-4, 2), &obj, StopRule::default());
        assert_eq!(run.last().loss, obj.loss(array![-1.5, 2.0].view()));
        let rec = run.step(&obj).unwrap().clone();
        // ∇f(−1.5, 2) = (−400·(−1.5)·(2 − 2.25) − 2·2.5, 200·(2 − 2.25)) = (−155, −50)
        assert_eq!(run.params(), &array![-1.5 + 1e-4 * 155.0, 2.0 + 1e-4 * 50.0]);
        assert_eq!(rec.step, 1);
        assert_eq!(rec.lr, Some(1e-4));
        assert!((rec.grad_norm.unwrap() - (155.0f64.powi(2) + 50.0f64.powi(2)).sqrt()).abs() < 1e-12);
        assert!(run.step(&obj).is_some());
        assert_eq!(run.status(), Status::Completed);
        assert!(run.step(&obj).is_none());
    }

    #[test]
    fn divergence_stops_the_run() {
        let obj = rosenbrock();
        let mut run = Run::new(spec(OptimizerKind::Sgd, 0.1, 100), &obj, StopRule::default());
        while run.step(&obj).is_some() {}
        match run.status() {
            Status::Diverged { step } => assert!(step < 10),
            s => panic!("expected divergence, got {s:?}"),
        }
        assert_eq!(run.summary().diverged_at, Some(run.t()));
    }

    #[test]
    fn events_apply_after_their_step() {
        let obj = rosenbrock();
        let mut s = spec(OptimizerKind::Sgd, 1e-4, 5);
        s.events = vec![Event {
            step: 2,
            run: "sgd".into(),
            changes: vec![Change { name: "lr".into(), value: Hyper::Float(5e-4) }],
        }];
        let mut run = Run::new(s, &obj, StopRule::default());
        let lrs: Vec<Option<f64>> = std::iter::from_fn(|| run.step(&obj).map(|r| r.lr)).collect();
        assert_eq!(lrs, vec![Some(1e-4), Some(1e-4), Some(5e-4), Some(5e-4), Some(5e-4)]);
    }

    #[test]
    fn target_is_recorded_and_can_stop() {
        let obj = rosenbrock();
        let stop = StopRule { target_loss: Some(5.0), stop_at_target: true, ..StopRule::default() };
        let mut run = Run::new(spec(OptimizerKind::Sgd, 5e-4, 10_000), &obj, stop);
        while run.step(&obj).is_some() {}
        let s = run.summary();
        assert!(matches!(s.status, Status::ReachedTarget { .. }));
        assert_eq!(s.steps_to_target, Some(s.steps));
        assert!(s.final_loss <= 5.0);
    }

    #[test]
    fn a_live_change_that_would_break_a_scripted_event_is_refused() {
        let obj = rosenbrock();
        let mut s = spec(OptimizerKind::Sgd, 1e-4, 10);
        s.optimizer.set("momentum", Hyper::Float(0.9)).unwrap();
        s.events = vec![Event {
            step: 5,
            run: "sgd".into(),
            changes: vec![Change { name: "nesterov".into(), value: Hyper::Bool(true) }],
        }];
        let mut run = Run::new(s, &obj, StopRule::default());
        run.step(&obj);
        let e = run.set_hyper("momentum", Hyper::Float(0.0)).unwrap_err();
        assert!(e.to_string().contains("scripted event at step 5"), "{e}");
        assert_eq!(run.optimizer().get("momentum"), Some(Hyper::Float(0.9)));
        assert!(run.live_events().is_empty());
        while run.step(&obj).is_some() {}
        assert_eq!(run.optimizer().get("nesterov"), Some(Hyper::Bool(true)));
        // Once the event has applied, momentum may change again (within Nesterov's rule).
        assert!(run.set_hyper("dampening", Hyper::Float(0.1)).is_err());
    }

    #[test]
    fn live_changes_are_recorded_once_per_step() {
        let obj = rosenbrock();
        let mut run = Run::new(spec(OptimizerKind::Sgd, 1e-4, 10), &obj, StopRule::default());
        run.step(&obj);
        run.set_hyper("lr", Hyper::Float(2e-4)).unwrap();
        run.set_hyper("lr", Hyper::Float(3e-4)).unwrap();
        assert_eq!(run.live_events().len(), 1);
        assert_eq!(run.live_events()[0].step, 1);
        assert_eq!(run.live_events()[0].changes, vec![Change { name: "lr".into(), value: Hyper::Float(3e-4) }]);
        assert_eq!(run.step(&obj).unwrap().lr, Some(3e-4));
    }

    /// A test optimizer that evaluates the objective twice per update (at the
    /// point and half a step ahead) and moves by the mean gradient.
    #[derive(Clone)]
    struct TwoLooks {
        seen: Vec<f64>,
        buf: Array1<f64>,
    }

    impl crate::optim::Optimizer for TwoLooks {
        fn kind(&self) -> OptimizerKind {
            OptimizerKind::Sgd
        }
        fn update(
            &mut self,
            mut params: ndarray::ArrayViewMut1<f64>,
            loss: f64,
            grad: ndarray::ArrayView1<f64>,
            lr: f64,
            eval: &mut dyn Evaluate,
        ) {
            self.seen.push(loss);
            let ahead = &params - &(&grad * lr * 0.5);
            let first = eval.evaluate(ahead.view(), self.buf.view_mut()).unwrap();
            let second = eval.evaluate(params.view(), self.buf.view_mut()).unwrap();
            assert_eq!(second, loss, "the same point, the same loss");
            assert!(first.is_finite());
            params.zip_mut_with(&grad, |p, g| *p -= lr * g);
        }
        fn specs(&self) -> &'static [crate::optim::HyperSpec] {
            OptimizerKind::Sgd.specs()
        }
        fn get(&self, name: &str) -> Option<Hyper> {
            (name == "lr").then_some(Hyper::Float(1e-4))
        }
        fn set(&mut self, _: &str, _: Hyper) -> Result<(), HyperError> {
            Ok(())
        }
        fn reset(&mut self, layout: &crate::optim::Layout) {
            self.buf = Array1::zeros(layout.dim());
        }
        fn box_clone(&self) -> Box<dyn crate::optim::Optimizer> {
            Box::new(self.clone())
        }
    }

    #[test]
    fn every_gradient_evaluation_is_counted() {
        let obj = rosenbrock();
        let mut run = Run::new(spec(OptimizerKind::Sgd, 1e-4, 3), &obj, StopRule::default());
        assert_eq!(run.last().grad_evals, 0);
        let evals: Vec<u64> = std::iter::from_fn(|| run.step(&obj).map(|r| r.grad_evals)).collect();
        assert_eq!(evals, vec![1, 2, 3]);
        assert_eq!(run.summary().grad_evals, 3);

        let mut s = spec(OptimizerKind::Sgd, 1e-4, 3);
        s.optimizer = Box::new(TwoLooks { seen: vec![], buf: Array1::zeros(0) });
        let mut run = Run::new(s, &obj, StopRule::default());
        let evals: Vec<u64> = std::iter::from_fn(|| run.step(&obj).map(|r| r.grad_evals)).collect();
        assert_eq!(evals, vec![3, 6, 9]);
        assert_eq!(run.summary().grad_evals, 9);
    }
}
