/** The newest model's guess for the text being labelled (active learning shows the text it is least sure about). */
import { guessOf } from '../../state/predictSlice';
import { useStudio } from '../../state/store';

export function ModelGuess({ textId, labels }: { textId: string; labels: string[] }) {
  const probabilities = useStudio((s) => s.predict.byTextId[textId]);
  if (!probabilities) return null;
  const { label, confidence } = guessOf(probabilities);
  return (
    <p className="model-guess small" data-testid="label.guess" aria-live="polite">
      Model’s guess: <strong>{labels[label]}</strong> ({(100 * confidence).toFixed(0)}% sure). Shown first because the model is least sure about it.
    </p>
  );
}
