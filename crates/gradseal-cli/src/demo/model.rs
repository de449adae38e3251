//! Multinomial logistic regression (softmax) on the digits: 64×10 weights plus 10 biases
//! (650 parameters), trained by mini-batch gradient descent in plain Rust.

use chacha20::ChaCha20Rng;

use super::data::{CLASSES, Dataset, FEATURES, shuffle};

/// Number of parameters: weights (class-major, `w[c · 64 + f]`) then biases.
pub(crate) const PARAMS: usize = FEATURES * CLASSES + CLASSES;

/// Local training hyper-parameters, identical for the encrypted and plaintext paths.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Hyper {
    /// Local epochs per round (E).
    pub(crate) epochs: usize,
    /// Mini-batch size.
    pub(crate) batch: usize,
    /// Learning rate.
    pub(crate) lr: f32,
}

/// The model's parameters.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Model {
    pub(crate) params: Vec<f32>,
}

impl Model {
    /// All zeros (the usual start for a convex model; deterministic).
    pub(crate) fn zeros() -> Self {
        Model { params: vec![0.0; PARAMS] }
    }

    fn logits(&self, x: &[f32; FEATURES]) -> [f32; CLASSES] {
        let mut out = [0f32; CLASSES];
        let (w, b) = self.params.split_at(FEATURES * CLASSES);
        for ((o, row), bias) in out.iter_mut().zip(w.chunks_exact(FEATURES)).zip(b) {
            *o = row.iter().zip(x).map(|(a, b)| a * b).sum::<f32>() + bias;
        }
        out
    }

    fn predict(&self, x: &[f32; FEATURES]) -> usize {
        let l = self.logits(x);
        (0..CLASSES).fold(0, |best, c| if l[c] > l[best] { c } else { best })
    }

    /// Fraction of `data` classified correctly.
    #[allow(clippy::cast_precision_loss)] // counts below 2^24
    pub(crate) fn accuracy(&self, data: &Dataset) -> f64 {
        let correct =
            data.x.iter().zip(&data.y).filter(|(x, y)| self.predict(x) == usize::from(**y)).count();
        correct as f64 / data.len().max(1) as f64
    }

    /// Trains a copy on `data` for `hyper.epochs` epochs of shuffled mini-batches and returns
    /// the update `trained − self`.
    pub(crate) fn local_update(
        &self,
        data: &Dataset,
        hyper: Hyper,
        rng: &mut ChaCha20Rng,
    ) -> Vec<f32> {
        let mut m = self.clone();
        let mut order: Vec<usize> = (0..data.len()).collect();
        for _ in 0..hyper.epochs {
            shuffle(&mut order, rng);
            for batch in order.chunks(hyper.batch.max(1)) {
                m.step(data, batch, hyper.lr);
            }
        }
        m.params.iter().zip(&self.params).map(|(a, b)| a - b).collect()
    }

    /// One gradient step of the mean cross-entropy over `batch`.
    #[allow(clippy::cast_precision_loss)] // batch sizes are small
    fn step(&mut self, data: &Dataset, batch: &[usize], lr: f32) {
        let mut grad = vec![0f32; PARAMS];
        for &i in batch {
            let (Some(x), Some(&y)) = (data.x.get(i), data.y.get(i)) else { continue };
            let p = softmax(self.logits(x));
            let (gw, gb) = grad.split_at_mut(FEATURES * CLASSES);
            for (c, (row, gbias)) in gw.chunks_exact_mut(FEATURES).zip(gb.iter_mut()).enumerate() {
                let err = p[c] - if c == usize::from(y) { 1.0 } else { 0.0 };
                for (g, xf) in row.iter_mut().zip(x) {
                    *g += err * xf;
                }
                *gbias += err;
            }
        }
        let k = lr / batch.len().max(1) as f32;
        for (p, g) in self.params.iter_mut().zip(&grad) {
            *p -= k * g;
        }
    }

    /// Adds `delta` to the parameters.
    pub(crate) fn apply(&mut self, delta: &[f32]) {
        for (p, d) in self.params.iter_mut().zip(delta) {
            *p += d;
        }
    }
}

fn softmax(l: [f32; CLASSES]) -> [f32; CLASSES] {
    let max = l.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut e = l.map(|v| (v - max).exp());
    let s: f32 = e.iter().sum();
    for v in &mut e {
        *v /= s;
    }
    e
}

#[cfg(test)]
mod tests {
    use rand_core::SeedableRng;

    use super::super::data;
    use super::*;

    #[test]
    fn centralised_training_learns_the_digits() {
        let (train, test) = data::split(&data::load().unwrap());
        let mut m = Model::zeros();
        let mut rng = ChaCha20Rng::from_seed([1; 32]);
        let d = m.local_update(&train, Hyper { epochs: 5, batch: 16, lr: 0.5 }, &mut rng);
        m.apply(&d);
        let acc = m.accuracy(&test);
        assert!(acc > 0.9, "{acc}");
    }
}
