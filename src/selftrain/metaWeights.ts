/**
 * The tensor core of LiST: the teacher's pseudo-labels, the per-example distillation loss KL(teacher || student),
 * and the meta-reweighting of pseudo-labelled examples.
 *
 * Meta-reweighting (learning to reweight, as LiST uses it). With per-example weights eps (all 0), one virtual SGD
 * step of the student's trainable tensors theta on sum_i eps_i KL_i gives theta'(eps) = theta - a sum_i eps_i
 * grad KL_i(theta), a = innerLr. The labelled cross-entropy L of the stepped student has gradient
 *
 *   g_i = dL(theta'(eps)) / d eps_i |_{eps=0} = -a <grad L(theta), grad KL_i(theta)>,
 *
 * exact at eps = 0 because theta'(0) = theta. We compute g this way (one labelled gradient and one gradient per
 * pseudo-labelled example), not by differentiating through a gradient: matmul.ts's customGrad (and tfjs's
 * gradients in general) are not differentiable twice. The gradients are taken without dropout, so g is the
 * derivative of a deterministic function (and a finite-difference test can check it).
 *
 * Weights: w = max(-g, 0) / sum max(-g, 0). When no example helps (all max(-g, 0) = 0) the weights stay all 0 and
 * the caller skips the update, as learning-to-reweight (Ren et al. 2018) does, rather than falling back to
 * uniform weights that would train on examples the meta step judged harmful.
 */
import * as tf from '@tensorflow/tfjs';
import type { EncodedBatch } from '../encoder/types';
import type { PeftClassifier } from '../peft/classifier';

/** The teacher's class probabilities [batch, classes] (its softmax, or one-hot argmax for hard labels). No gradient. */
export function pseudoLabels(teacher: PeftClassifier, batch: EncodedBatch, soft: boolean): tf.Tensor2D {
  return tf.tidy(() => {
    const logits = teacher.logits(batch); // [batch, classes]
    if (soft) return tf.softmax(logits) as tf.Tensor2D;
    return tf.oneHot(tf.argMax(logits, 1) as tf.Tensor1D, logits.shape[1]).toFloat() as tf.Tensor2D;
  });
}

/** KL(target_i || softmax(logits_i)) per row, [batch]; 0 * log 0 counts as 0. logits and targets [batch, classes]. */
export function klPerExample(logits: tf.Tensor2D, targets: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => {
    const logT = tf.log(tf.maximum(targets, 1e-30)); // targets are constants: no gradient flows here
    const entropyTerm = tf.sum(tf.mul(targets, logT), -1);
    const crossTerm = tf.sum(tf.mul(targets, tf.logSoftmax(logits, -1)), -1);
    return tf.sub(entropyTerm, crossTerm) as tf.Tensor1D;
  });
}

/** sum_i weights_i * KL_i of the student on `batch`; weights [batch] (a plain array). */
export function weightedKl(student: PeftClassifier, batch: EncodedBatch, targets: tf.Tensor2D, weights: ArrayLike<number>, seed?: number, training = false): tf.Scalar {
  return tf.tidy(() => {
    const kl = klPerExample(student.logits(batch, { training, seed }), targets);
    return tf.sum(tf.mul(kl, tf.tensor1d(Array.from(weights)))) as tf.Scalar;
  });
}

/** Row `i` of a padded batch as a batch of one, its padding dropped. */
export function batchRow(batch: EncodedBatch, i: number): EncodedBatch {
  const from = i * batch.seqLen;
  let len = 0;
  for (let s = 0; s < batch.seqLen; s++) len += batch.attentionMask[from + s];
  return {
    inputIds: batch.inputIds.slice(from, from + len),
    attentionMask: batch.attentionMask.slice(from, from + len),
    tokenTypeIds: batch.tokenTypeIds.slice(from, from + len),
    batch: 1,
    seqLen: len,
  };
}

/** Gradients of f with respect to `variables`, in their order; a variable f does not reach gets zeros. */
function gradsOf(f: () => tf.Scalar, variables: tf.Variable[]): { value: tf.Scalar; grads: tf.Tensor[] } {
  const { value, grads } = tf.variableGrads(f, variables);
  return { value, grads: variables.map((v) => grads[v.name] ?? tf.zerosLike(v)) };
}

export interface MetaGradient {
  /** dL(theta'(eps))/d eps_i at eps = 0, one per row of the unlabelled batch. */
  g: Float32Array;
  /** The labelled cross-entropy at theta (= at theta'(0)). */
  labelledLoss: number;
  /** ||grad KL_i(theta)|| over the trainable variables, one per row. */
  rowGradNorms: Float32Array;
}

/**
 * g_i = -innerLr * <grad L_labelled(theta), grad KL_i(theta)> over the student's trainable variables, for every
 * row i of `unlabelled` (targets [rows, classes]). One backward for the labelled batch, one per row.
 */
export async function metaGradient(
  student: PeftClassifier, unlabelled: EncodedBatch, targets: tf.Tensor2D,
  labelled: EncodedBatch, labels: ArrayLike<number>, innerLr: number,
): Promise<MetaGradient> {
  const variables = student.trainableVariables();
  const { dots, norms, loss } = tf.tidy(() => {
    const lab = gradsOf(() => student.loss(labelled, labels), variables);
    const perRow: tf.Scalar[] = [];
    const perRowNorm: tf.Scalar[] = [];
    for (let i = 0; i < unlabelled.batch; i++) {
      const row = batchRow(unlabelled, i);
      const target = tf.slice(targets, [i, 0], [1, -1]) as tf.Tensor2D;
      const { grads } = gradsOf(() => tf.sum(klPerExample(student.logits(row), target)) as tf.Scalar, variables);
      perRow.push(tf.addN(grads.map((gk, k) => tf.sum(tf.mul(gk, lab.grads[k])))) as tf.Scalar);
      perRowNorm.push(tf.sqrt(tf.addN(grads.map((gk) => tf.sum(tf.square(gk))))) as tf.Scalar);
    }
    return { dots: tf.stack(perRow) as tf.Tensor1D, norms: tf.stack(perRowNorm) as tf.Tensor1D, loss: lab.value };
  });
  const [d, n, l] = await Promise.all([dots.data(), norms.data(), loss.data()]);
  tf.dispose([dots, norms, loss]);
  return { g: Float32Array.from(d, (x) => -innerLr * x), labelledLoss: l[0], rowGradNorms: Float32Array.from(n) };
}

/**
 * Cosine weights: max(-g_i, 0) divided by ||grad KL_i|| before normalising, so a row weighs by how well its
 * gradient agrees with the labelled one, not also by how large it is (rows the student fits have small gradients).
 */
export function metaWeightsCosine(g: ArrayLike<number>, rowGradNorms: ArrayLike<number>): number[] {
  return metaWeights(Array.from(g, (x, i) => (rowGradNorms[i] > 0 ? x / rowGradNorms[i] : 0)));
}

/** w = max(-g, 0) normalised to sum 1; all zeros when no entry is negative (see the file comment). */
export function metaWeights(g: ArrayLike<number>): number[] {
  const raw = Array.from(g, (x) => Math.max(-x, 0));
  const total = raw.reduce((s, x) => s + x, 0);
  return total > 0 ? raw.map((x) => x / total) : raw.map(() => 0);
}

/**
 * metaWeights within each class: the rows of class c (their pseudo-label, `classOf[i]`) share n_c / n of the weight
 * in proportion to max(-g_i, 0), so the batch's classes keep their shares, and the meta step only ranks texts the
 * teacher labelled alike. A class none of whose rows helps gets no weight; the others are scaled back up to sum 1
 * (all zeros when no row helps at all, as metaWeights).
 */
export function metaWeightsByClass(g: ArrayLike<number>, classOf: ArrayLike<number>): number[] {
  const raw = Array.from(g, (x) => Math.max(-x, 0));
  const sum = new Map<number, number>();
  const count = new Map<number, number>();
  raw.forEach((x, i) => {
    sum.set(classOf[i], (sum.get(classOf[i]) ?? 0) + x);
    count.set(classOf[i], (count.get(classOf[i]) ?? 0) + 1);
  });
  const shared = raw.map((x, i) => (sum.get(classOf[i])! > 0 ? (x / sum.get(classOf[i])!) * count.get(classOf[i])! : 0));
  const total = shared.reduce((s, x) => s + x, 0);
  return total > 0 ? shared.map((x) => x / total) : shared.map(() => 0);
}
