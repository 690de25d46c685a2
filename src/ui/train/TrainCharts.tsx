/** Live charts of the selected run: loss, held-out accuracy, learning rate, step speed. */
import { memo } from 'react';
import { useStudio } from '../../state/store';
import { LineChart } from '../charts/LineChart';
import { formatValue, type Row } from '../charts/svgChart';
import { Panel } from '../common/Panel';

const EMPTY: Row[] = [];

export function TrainCharts() {
  const steps = useStudio((s) => s.training.runs.find((r) => r.id === s.training.selectedRunId)?.history.steps ?? EMPTY);
  const evals = useStudio((s) => s.training.runs.find((r) => r.id === s.training.selectedRunId)?.history.evals ?? EMPTY);
  const progress = useStudio((s) => (s.training.live ? `${s.training.live.kind === 'selfTrain' ? `round ${s.training.live.round} · ` : ''}step ${s.training.live.step} of ${s.training.live.totalSteps}` : null));
  if (steps.length === 0 && !progress) return null;
  return (
    <Panel title="Training charts" testId="train.charts" description={progress ?? `${steps.length} steps recorded`}>
      <p className="visually-hidden" aria-live="polite" data-testid="train.progress">
        {progress ?? 'Not training'}
      </p>
      <div className="charts-grid">
        <Chart title="Loss" testId="chart.loss" rows={steps} y="loss" />
        <Chart title="Held-out accuracy" testId="chart.accuracy" rows={evals} y="heldOutAccuracy" domain={[0, 1]} />
        <Chart title="Learning rate" testId="chart.lr" rows={steps} y="lr" />
        <Chart title="Examples per second" testId="chart.speed" rows={steps} y="examplesPerSecond" />
      </div>
    </Panel>
  );
}

const Chart = memo(function Chart({ title, testId, rows, y, domain }: { title: string; testId: string; rows: Row[]; y: string; domain?: [number, number] }) {
  const last = rows.at(-1)?.[y];
  return (
    <figure className="chart" data-testid={testId} data-points={rows.length}>
      <figcaption>
        {title}
        <span className="muted small"> {last == null ? '—' : formatValue(last)}</span>
      </figcaption>
      <LineChart rows={rows} x="step" y={y} domain={domain} label={`${title}: ${rows.length} points, latest ${last == null ? 'none' : formatValue(last)}`} />
    </figure>
  );
});
