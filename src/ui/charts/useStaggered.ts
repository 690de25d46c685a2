/**
 * Chart data, held back and handed over in its own slot of the second, in a transition.
 *
 * Training updates the store several times a second; a recharts chart costs tens of milliseconds to re-render,
 * more to mount. Each chart therefore shows a copy of its data that is refreshed at most once per period, at a
 * fixed phase of its own (slot / slots of the period), so that two charts never render in the same task, and the
 * refresh is a transition, which React renders in slices that yield to the browser. The first copy is handed over
 * the same way, so mounting a page of charts is spread out too.
 */
import { startTransition, useEffect, useState } from 'react';

export const STAGGER_PERIOD_MS = 1000;
export const STAGGER_SLOTS = 8;

/** Milliseconds from `now` to the next start of `slot` (now itself when it is that start). */
export function delayToSlot(now: number, slot: number): number {
  const phase = (((slot % STAGGER_SLOTS) + STAGGER_SLOTS) % STAGGER_SLOTS) * (STAGGER_PERIOD_MS / STAGGER_SLOTS);
  return (((phase - now) % STAGGER_PERIOD_MS) + STAGGER_PERIOD_MS) % STAGGER_PERIOD_MS;
}

/**
 * `value` as last handed over in `slot`; undefined until the first hand-over. With `first`, the first hand-over
 * is `first` (say, no rows) and `value` follows a period later: a chart then mounts empty in one task and draws
 * its data in another, rather than paying for both at once.
 */
export function useStaggered<T>(value: T, slot: number, first?: T): T | undefined {
  const [shown, setShown] = useState<{ value: T } | undefined>(undefined);
  const current = shown !== undefined && Object.is(shown.value, value);
  useEffect(() => {
    if (current) return;
    const next = shown === undefined && first !== undefined ? first : value;
    const id = setTimeout(() => startTransition(() => setShown({ value: next })), delayToSlot(performance.now(), slot));
    return () => clearTimeout(id);
  }, [value, slot, current, shown, first]);
  return shown?.value;
}
