/** Predict every unlabelled text with the newest model, and export the predictions as CSV. */
import { useShallow } from 'zustand/react/shallow';
import { getTrainingClient } from '../../client';
import { guessOf, predictionsCsv } from '../../state/predictSlice';
import { useStudio } from '../../state/store';
import { Panel } from '../common/Panel';

const SHOWN = 50;

export function PredictAllPanel({ labels, taskName }: { labels: string[]; taskName: string }) {
  const client = getTrainingClient();
  const { byTextId, progress } = useStudio(useShallow((s) => ({ byTextId: s.predict.byTextId, progress: s.predict.progress })));
  const unlabelled = useStudio(useShallow((s) => s.tasks.texts.filter((t) => t.label === null)));
  const scored = unlabelled.filter((t) => byTextId[t.id]);
  const download = () => {
    const csv = predictionsCsv(unlabelled, byTextId, labels);
    const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv;charset=utf-8' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `${taskName.replace(/[^\w.-]+/g, '_') || 'task'}-predictions.csv`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };
  return (
    <Panel title="Predict unlabelled texts" testId="predict.panel" description={`${scored.length} of ${unlabelled.length} unlabelled texts have a prediction.`}>
      <div className="row">
        <button type="button" className="button button--primary" data-testid="predict.all" disabled={progress !== null} onClick={() => void client.refreshPredictions(true)}>
          Predict all {unlabelled.length}
        </button>
        <button type="button" className="button" data-testid="predict.export" disabled={scored.length === 0} onClick={download}>
          Export CSV
        </button>
        {progress ? (
          <span className="small" data-testid="predict.progress" role="status">
            {progress.done} of {progress.total}
          </span>
        ) : null}
      </div>
      {scored.length > 0 ? (
        <div className="table-wrap">
          <table className="weights-table" data-testid="predict.table">
            <caption className="visually-hidden">Predictions for unlabelled texts (first {SHOWN})</caption>
            <thead>
              <tr>
                <th scope="col">Text</th>
                <th scope="col">Prediction</th>
                <th scope="col">Confidence</th>
              </tr>
            </thead>
            <tbody>
              {scored.slice(0, SHOWN).map((t) => {
                const g = guessOf(byTextId[t.id]);
                return (
                  <tr key={t.id} data-testid="predict.row">
                    <td className="weights-table__text">{t.text}</td>
                    <td>{labels[g.label]}</td>
                    <td>{(100 * g.confidence).toFixed(0)}%</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
    </Panel>
  );
}
