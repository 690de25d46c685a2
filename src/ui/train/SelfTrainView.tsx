/**
 * Self-training as it runs: teacher and student accuracy per round, the pseudo-label class distribution, a
 * histogram of the example weights, and the table of pseudo-labelled texts with their weights, which the meta
 * step re-weights while you watch. Texts are rendered as text (React escapes them), never as HTML.
 */
import { useMemo, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useStudio } from '../../state/store';
import type { Row } from '../charts/chartData';
import { ChartSpace, GroupChart, useFigureWidth, type GroupChartProps } from '../charts/StudioCharts';
import { useStaggered } from '../charts/useStaggered';
import { lastStepSkipped, liveTimeLeft, selfTrainStatus, weightHistogram, type PseudoRow } from '../../state/trainingSlice';
import { Panel } from '../common/Panel';

const EMPTY: Row[] = [];
const NO_ROWS: PseudoRow[] = [];
const COLOURS = ['var(--accent)', 'var(--ok)', 'var(--busy)', 'var(--danger)', 'var(--muted)', 'var(--accent-strong)', 'var(--text)', 'var(--focus)', 'var(--heat-hi)'];

export function SelfTrainView() {
  const kind = useStudio((s) => s.training.runs.find((r) => r.id === s.training.selectedRunId)?.kind);
  const rounds = useStudio((s) => s.training.runs.find((r) => r.id === s.training.selectedRunId)?.history.rounds ?? EMPTY);
  const pseudo = useStudio((s) => s.training.runs.find((r) => r.id === s.training.selectedRunId)?.history.pseudoLabels ?? EMPTY);
  const labels = useStudio(useShallow((s) => s.tasks.list.find((t) => t.id === s.tasks.currentId)?.labels.map((l) => l.name) ?? []));
  const rows = useStudio((s) => {
    const { live: running, lastWeights, selectedRunId } = s.training;
    if (running?.runId === selectedRunId) return running.pseudo;
    return lastWeights?.runId === selectedRunId ? lastWeights.rows : NO_ROWS;
  });
  // Which round the table shows: the live one, or the round a stopped run's table is from.
  const which = useStudio((s) => {
    const { live: running, lastWeights, selectedRunId } = s.training;
    if (running?.runId === selectedRunId) return 'this round';
    if (lastWeights?.runId !== selectedRunId) return '';
    return `in round ${lastWeights.round}${lastWeights.finished ? '' : ', which did not finish'}`;
  });
  const status = useStudio((s) => {
    const l = s.training.live;
    if (l?.kind !== 'selfTrain' || l.runId !== s.training.selectedRunId) return null; // another run's panel: its own rounds
    const left = liveTimeLeft(l);
    return `${selfTrainStatus(l)}${left ? ` · ${left}` : ''}`;
  });
  const accuracy = useMemo(() => rounds.map((r) => ({ round: r.round, teacher: r.teacherAccuracy, student: r.studentAccuracy })), [rounds]);
  // Texts left out as less confident (confidentShare < 1) stack on top of the kept ones, when a round had any.
  const anyDropped = pseudo.some((r) => (r.dropped ?? 0) > 0);
  const classKeys = useMemo(() => [...labels.map((_, i) => `c${i}`), ...(anyDropped ? ['dropped'] : [])], [labels, anyDropped]);
  const classNames = useMemo(() => [...labels, ...(anyDropped ? ['left out (less confident)'] : [])], [labels, anyDropped]);
  const classColours = useMemo(() => [...labels.map((_, i) => COLOURS[i % COLOURS.length]), ...(anyDropped ? ['var(--muted)'] : [])], [labels, anyDropped]);
  if (kind !== 'selfTrain') return null;
  return (
    <Panel title="Self-training" testId="selftrain.view" description={status ?? `${rounds.length} rounds finished`}>
      <div className="charts-grid">
        <Bars testId="selftrain.accuracy" title="Teacher and student accuracy per round" slot={4} rows={accuracy} x="round" keys={ACCURACY_KEYS} names={ACCURACY_NAMES} colours={COLOURS} domain={UNIT} label={`Accuracy of ${accuracy.length} rounds`} />
        <Bars testId="selftrain.classes" title="Pseudo-labels per class, per round" slot={5} rows={pseudo} x="round" keys={classKeys} names={classNames} colours={classColours} stacked label={`Pseudo-labels per class of ${pseudo.length} rounds`} />
        <WeightHistogram rows={rows} />
      </div>
      <WeightsTable rows={rows} labels={labels} which={which} />
    </Panel>
  );
}

const ACCURACY_KEYS = ['teacher', 'student'];
const ACCURACY_NAMES = ['Teacher', 'Student'];
const UNIT: [number, number] = [0, 1];
const COUNT_KEYS = ['count'];
const COUNT_NAMES = ['texts'];
const ACCENT = ['var(--accent)'];

function WeightHistogram({ rows }: { rows: PseudoRow[] }) {
  const bins = useMemo(() => weightHistogram(rows.map((r) => r.weight)).map((b) => ({ to: b.to, count: b.count })), [rows]);
  return <Bars testId="selftrain.histogram" title="Example weights (latest step of each text)" slot={6} points={rows.length} rows={bins} x="to" keys={COUNT_KEYS} names={COUNT_NAMES} colours={ACCENT} label={`Histogram of ${rows.length} example weights`} xLabel={formatBin} />;
}

const formatBin = (to: number) => Number(to ?? 0).toFixed(2);

/**
 * A figure with a bar chart that is handed its rows in its own slot (useStaggered): the self-training charts
 * mount, and re-render, in separate tasks. data-points follows the store at once (the rows, unless `points`).
 */
function Bars({ testId, title, slot, points, rows, ...chart }: Omit<GroupChartProps, 'width'> & { testId: string; title: string; slot: number; points?: number }) {
  const [ref, width] = useFigureWidth();
  const shown = useStaggered(rows, slot, EMPTY);
  return (
    <figure className="chart" data-testid={testId} data-points={points ?? rows.length} ref={ref}>
      <figcaption>{title}</figcaption>
      <ChartSpace>{shown && width > 0 ? <GroupChart rows={shown} width={width} {...chart} /> : null}</ChartSpace>
    </figure>
  );
}

type SortKey = 'text' | 'label' | 'confidence' | 'weight';
const COLUMNS: Array<{ key: SortKey; title: string }> = [
  { key: 'text', title: 'Text' },
  { key: 'label', title: 'Pseudo-label' },
  { key: 'confidence', title: 'Confidence' },
  { key: 'weight', title: 'Weight' },
];

/** Shown rows at most; the table is sorted first, so the top of any order is visible. */
const MAX_ROWS = 200;

function WeightsTable({ rows, labels, which }: { rows: PseudoRow[]; labels: string[]; which: string }) {
  const [sort, setSort] = useState<{ key: SortKey; descending: boolean }>({ key: 'weight', descending: true });
  const sorted = useMemo(() => {
    const value = (r: PseudoRow): string | number => (sort.key === 'text' ? r.text : sort.key === 'label' ? (r.label ?? -1) : sort.key === 'confidence' ? (r.confidence ?? -1) : r.weight);
    const out = [...rows].sort((a, b) => {
      const [x, y] = [value(a), value(b)];
      const c = typeof x === 'string' ? x.localeCompare(String(y)) : x - (y as number);
      return sort.descending ? -c : c;
    });
    return out.slice(0, MAX_ROWS);
  }, [rows, sort]);
  const lastStep = rows.reduce((m, r) => Math.max(m, r.step), 0);
  const skipped = useMemo(() => lastStepSkipped(rows), [rows]);
  if (rows.length === 0) return <p className="muted small">The table of pseudo-labelled texts fills in while a self-training run is going.</p>;
  return (
    <div className="table-wrap">
      <table className="weights-table" data-testid="selftrain.table" data-step={lastStep}>
        <caption className="muted small">
          {rows.length} pseudo-labelled texts {which}; weights as of student step {lastStep}.
          {skipped ? ' At that step no text’s gradient agreed with the labelled batch’s, so the meta step weighed them all 0 and the student skipped the update.' : ''}
        </caption>
        <thead>
          <tr>
            {COLUMNS.map((c) => (
              <th key={c.key} scope="col" aria-sort={sort.key === c.key ? (sort.descending ? 'descending' : 'ascending') : 'none'}>
                <button type="button" className="th-sort" data-testid={`selftrain.sort.${c.key}`} onClick={() => setSort((s) => ({ key: c.key, descending: s.key === c.key ? !s.descending : c.key !== 'text' }))}>
                  {c.title}
                  <span aria-hidden="true">{sort.key === c.key ? (sort.descending ? ' ▼' : ' ▲') : ''}</span>
                </button>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {sorted.map((r) => (
            <tr key={r.poolIndex} data-testid="selftrain.row" data-phase={r.phase}>
              <td className="weights-table__text">{r.text}</td>
              <td>{r.label === null ? '…' : labels[r.label]}</td>
              <td>{r.confidence === null ? '…' : `${(100 * r.confidence).toFixed(0)}%`}</td>
              <td data-testid="selftrain.row.weight">{r.weight.toFixed(3)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
