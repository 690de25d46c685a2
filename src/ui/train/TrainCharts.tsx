/** Live charts of the selected run: loss, held-out accuracy, learning rate, step speed. */
import { memo } from 'react';
import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useStudio } from '../../state/store';
import { Panel } from '../common/Panel';

type Row = Record<string, number | null>;
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
      <div className="chart__plot" role="img" aria-label={`${title}: ${rows.length} points, latest ${last == null ? 'none' : formatValue(last)}`}>
        <ResponsiveContainer width="100%" height={160}>
          <LineChart data={rows} margin={{ top: 4, right: 8, bottom: 0, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" />
            <XAxis dataKey="step" type="number" domain={['dataMin', 'dataMax']} tick={{ fontSize: 11 }} stroke="var(--muted)" />
            <YAxis domain={domain ?? ['auto', 'auto']} tick={{ fontSize: 11 }} width={52} stroke="var(--muted)" tickFormatter={formatValue} />
            <Tooltip formatter={(v) => formatValue(Number(v))} />
            <Line type="monotone" dataKey={y} stroke="var(--accent)" dot={rows.length < 30} isAnimationActive={false} connectNulls />
          </LineChart>
        </ResponsiveContainer>
      </div>
    </figure>
  );
});

export function formatValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v !== 0 && (Math.abs(v) < 1e-2 || Math.abs(v) >= 1e4)) return v.toExponential(1);
  return v.toFixed(Math.abs(v) < 10 ? 3 : 1);
}
