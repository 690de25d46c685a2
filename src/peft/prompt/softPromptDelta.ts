/**
 * The delta of every method that places virtual tokens before the text's word embeddings (prompt tuning,
 * P-tuning v1). A method supplies its parameters and how they make the prompt [numVirtualTokens, hidden]; the
 * forward (hooks.prompt) puts the same prompt before every row, where BERT's embeddings give it token type 0 and
 * positions 0..p-1 (the text moves to p..p+seq-1), as peft's forward does by concatenating inputs_embeds.
 *
 * Saved as peft's get_peft_model_state_dict saves every prompt-learning method: one tensor, `prompt_embeddings`
 * [p, hidden], the prompt itself (a P-tuning encoder's output, not its weights).
 */
import * as tf from '@tensorflow/tfjs';
import type { BertHooks } from '../../encoder/bert/hooks';
import type { Delta, DeltaMode, MethodName } from '../method';

/** The one name peft saves a prompt-learning adapter under. */
export const PROMPT_EMBEDDINGS = 'prompt_embeddings';

export class SoftPromptDelta implements Delta {
  readonly variables: readonly tf.Variable[];
  private exported: tf.Tensor | undefined;

  constructor(
    readonly method: MethodName,
    /** The trainable parameters under torch's names inside peft's prompt encoder (e.g. `embedding.weight`). */
    readonly parameters: Readonly<Record<string, tf.Variable>>,
    /** The prompt [p, hidden] from the parameters; `training` turns on the encoder's dropout, if any. */
    private readonly prompt: (training: boolean) => tf.Tensor2D,
    /** True when prompt() is a parameter itself (then tensors() is a view, not a computation). */
    private readonly direct: boolean,
  ) {
    this.variables = Object.values(parameters);
  }

  hooks({ training }: DeltaMode): BertHooks {
    return {
      prompt: (batch) => {
        const p = this.prompt(training); // [p, hidden]
        return tf.tile(tf.expandDims(p, 0), [batch, 1, 1]) as tf.Tensor3D; // [batch, p, hidden]
      },
    };
  }

  /**
   * { prompt_embeddings: [p, hidden] }. For an encoder-made prompt the tensor is computed here and owned by the
   * delta: valid until the next tensors() call or dispose().
   */
  tensors(): Record<string, tf.Tensor> {
    if (this.direct) return { [PROMPT_EMBEDDINGS]: this.prompt(false) };
    this.exported?.dispose();
    this.exported = tf.keep(tf.tidy(() => this.prompt(false)));
    return { [PROMPT_EMBEDDINGS]: this.exported };
  }

  dispose(): void {
    this.exported?.dispose();
    this.exported = undefined;
    tf.dispose([...this.variables]);
  }
}
