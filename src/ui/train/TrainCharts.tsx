/** Live charts of the selected run: loss, held-out accuracy, learning rate, step speed. */
import { memo } from 'react';
import { useStudio } from '../../state/store';
import { liveTimeLeft, selfTrainStatus } from '../../state/trainingSlice';
import { formatValue, type Row } from '../charts/chartData';
import { ChartSpace, SeriesChart, useFigureWidth } from '../charts/StudioCharts';
import { useStaggered } from '../charts/useStaggered';
import { Panel } from '../common/Panel';

const EMPTY: Row[] = [];
const UNIT: [number, number] = [0, 1];

export function TrainCharts() {
  const steps = useStudio((s) => s.training.runs.find((r) => r.id === s.training.selectedRunId)?.history.steps ?? EMPTY);
  const evals = useStudio((s) => s.training.runs.find((r) => r.id === s.training.selectedRunId)?.history.evals ?? EMPTY);
  const progress = useStudio((s) => {
    const l = s.training.live;
    if (!l) return null;
    if (l.kind === 'train') {
      const left = liveTimeLeft(l);
      return `step ${l.step} of ${l.totalSteps}${left ? ` · ${left}` : ''}`;
    }
    // Self-training charts its fits here (the first teacher's, then each student's fine-tuning); the caption says
    // what the run is doing now, as the Self-training panel does (which adds the time left).
    return selfTrainStatus(l);
  });
  // Shown before the first step too: the charts mount (empty) when the page opens, not in the middle of a run.
  return (
    <Panel title="Training charts" testId="train.charts" description={progress ?? (steps.length === 0 ? 'No steps recorded yet' : `${steps.length} steps recorded`)}>
      <p className="visually-hidden" aria-live="polite" data-testid="train.progress">
        {progress ?? 'Not training'}
      </p>
      <div className="charts-grid">
        <Chart title="Loss" testId="chart.loss" rows={steps} y="loss" slot={0} />
        <Chart title="Held-out accuracy" testId="chart.accuracy" rows={evals} y="heldOutAccuracy" domain={UNIT} slot={1} />
        <Chart title="Learning rate" testId="chart.lr" rows={steps} y="lr" slot={2} />
        <Chart title="Examples per second" testId="chart.speed" rows={steps} y="examplesPerSecond" slot={3} />
      </div>
    </Panel>
  );
}

/**
 * One live chart. The caption and data-points follow the store at once (they are cheap); the recharts chart is
 * handed its data in its own slot (useStaggered), so the four charts re-render in four separate tasks.
 */
const Chart = memo(function Chart({ title, testId, rows, y, domain, slot }: { title: string; testId: string; rows: Row[]; y: string; domain?: [number, number]; slot: number }) {
  const [ref, width] = useFigureWidth();
  const shown = useStaggered(rows, slot, EMPTY);
  const last = rows.at(-1)?.[y];
  return (
    <figure className="chart" data-testid={testId} data-points={rows.length} ref={ref}>
      <figcaption>
        {title}
        <span className="muted small"> {last == null ? '—' : formatValue(last)}</span>
      </figcaption>
      <ChartSpace>
        {shown && width > 0 ? <SeriesChart rows={shown} x="step" y={y} domain={domain} width={width} label={`${title}: ${shown.length} points, latest ${formatLatest(shown.at(-1)?.[y])}`} /> : null}
      </ChartSpace>
    </figure>
  );
});

const formatLatest = (v: number | null | undefined) => (v == null ? 'none' : formatValue(v));
