/** Every text of the task in a table: search, filter by label, and fix a label in place. */
import { useId, useMemo, useState } from 'react';
import { setTextLabel } from '../../client/studioData';
import { useStudio } from '../../state/store';
import type { Task } from '../../storage/db';
import { Panel } from '../common/Panel';

/** Rows drawn at once; a search narrows a big task down. */
const MAX_ROWS = 200;
const UNLABELLED = 'unlabelled';

export function TextsTable({ task }: { task: Task }) {
  const texts = useStudio((s) => s.tasks.texts);
  const [query, setQuery] = useState('');
  const [filter, setFilter] = useState('all');
  const searchId = useId();
  const filterId = useId();
  const matches = useMemo(() => {
    const q = query.trim().toLowerCase();
    return texts.filter(
      (t) =>
        (filter === 'all' || (filter === UNLABELLED ? t.label === null : t.label === Number(filter))) && (!q || t.text.toLowerCase().includes(q)),
    );
  }, [texts, query, filter]);
  return (
    <Panel title="All texts" testId="table" description="Search, filter by label, and fix any label.">
      <div className="row table-tools">
        <div className="field">
          <label htmlFor={searchId}>Search</label>
          <input id={searchId} type="text" value={query} data-testid="table.search" onChange={(e) => setQuery(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={filterId}>Label</label>
          <select id={filterId} value={filter} data-testid="table.filter" onChange={(e) => setFilter(e.target.value)}>
            <option value="all">All</option>
            <option value={UNLABELLED}>Unlabelled</option>
            {task.labels.map((l, i) => (
              <option key={l.name} value={i}>
                {l.name}
              </option>
            ))}
          </select>
        </div>
        <p className="muted small" data-testid="table.count">
          {matches.length > MAX_ROWS ? `Showing ${MAX_ROWS} of ${matches.length}` : `${matches.length} texts`}
        </p>
      </div>
      <div className="texts-table__scroll">
        <table className="texts-table">
          <thead>
            <tr>
              <th scope="col">Text</th>
              <th scope="col">Label</th>
            </tr>
          </thead>
          <tbody>
            {matches.slice(0, MAX_ROWS).map((t) => (
              <tr key={t.id} data-testid="table.row">
                <td className="texts-table__text" data-testid="table.row.text">
                  {t.text}
                </td>
                <td>
                  <select
                    aria-label={`Label for: ${t.text.slice(0, 60)}`}
                    data-testid="table.row.label"
                    value={t.label === null ? '' : t.label}
                    onChange={(e) => void setTextLabel(t.id, e.target.value === '' ? null : Number(e.target.value))}
                  >
                    <option value="">—</option>
                    {task.labels.map((l, i) => (
                      <option key={l.name} value={i}>
                        {l.name}
                      </option>
                    ))}
                  </select>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Panel>
  );
}
