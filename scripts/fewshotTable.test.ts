import { describe, expect, it } from 'vitest';
import { allGoals, buildCells, columnsOf, finishedLater, formatGoal, judgeGoal, MIN_PAIRED_SEEDS, missingJobs, NOISE_STANDARD_ERRORS, pairedDiffs, parseResults, pseudoLabelSummaries, renderPseudoLabelTable, renderTable, TABLE, tableCoverage, type Summary } from './fewshotTable';

/** A run summary as the runner prints it: accuracies by seed (fractions), optionally each seed's first teacher. */
function run(data: string, k: number, method: string, acc: Record<number, number>, more: Partial<Summary> = {}, teachers: Record<number, number> = {}): Summary {
  return {
    data: `/work/shared/data/${data}/`,
    k,
    method,
    selfTrain: false,
    weighting: null,
    seeds: Object.entries(acc).map(([seed, accuracy]) => ({ seed: Number(seed), accuracy, firstTeacher: seed in teachers ? { accuracy: teachers[Number(seed)] } : null })),
    ...more,
  };
}
const list = (weighting: string, evalFraction = 0): Partial<Summary> => ({ selfTrain: true, weighting, config: { selfTrain: { evalFraction } } });
/** The same accuracy on seeds 1 to 3: enough paired seeds for a goal to be judged. */
const seeds3 = (accuracy: number): Record<number, number> => ({ 1: accuracy, 2: accuracy, 3: accuracy });

describe('few-shot table', () => {
  it('puts each run in its row: LiST by weights and share of labels, other step counts apart, first teachers in their own row', () => {
    const runs = [
      run('sst2', 16, 'lora', { 1: 0.7 }),
      run('sst2', 16, 'lora', { 1: 0.72 }, list('meta'), { 1: 0.69 }),
      run('sst2', 16, 'lora', { 1: 0.71 }, list('meta', 0.2)),
      run('sst2', 16, 'lora', { 1: 0.68 }, { config: { fineTune: { maxSteps: 190 } } }),
      run('sst2', 16, 'lora', { 1: 0.73 }, { selfTrain: true, weighting: 'meta', config: { selfTrain: { evalFraction: 0, labelledBatchSize: 96 } } }),
      run('sst2', 16, 'lora', { 1: 0.72 }, { selfTrain: true, weighting: 'meta', config: { selfTrain: { evalFraction: 0, labelledBatchSize: 8 } } }),
      run('mpqa', 8, 'lora', { 2: 0.6 }),
    ];
    const cells = buildCells(runs);
    expect([...cells.keys()].sort()).toEqual([
      'lora',
      'lora (190 steps)',
      "lora (LiST's first teacher)",
      'lora + LiST (meta weights)',
      'lora + LiST (meta weights, 80 % of labels)',
      'lora + LiST (meta weights, meta batch 96)',
    ]);
    expect(cells.get("lora (LiST's first teacher)")?.get('sst2 K=16')?.get(1)).toBe(0.69);
    expect(columnsOf(runs)).toEqual(['mpqa K=8', 'sst2 K=16']);
    const table = renderTable(cells, columnsOf(runs));
    expect(table).toContain('| lora | 60.0 ± 0.0 (1) | 70.0 ± 0.0 (1) |');
    expect(table).toContain('| lora + LiST (meta weights) | – | 72.0 ± 0.0 (1) |');
  });

  it('pairs by seed: a seed on one side only counts on neither', () => {
    const cells = buildCells([run('sst2', 16, 'lora', { 1: 0.7, 2: 0.6, 3: 0.9 }), run('sst2', 16, 'lora', { 1: 0.75, 2: 0.62, 4: 0.1 }, list('meta'))]);
    const d = pairedDiffs(cells, ['sst2 K=16'], 'lora + LiST (meta weights)', 'lora').get('sst2 K=16')!;
    expect(d.seeds).toBe(2);
    expect(d.diff).toBeCloseTo((0.05 + 0.02) / 2, 12);
    expect(d.variance).toBeCloseTo(2 * 0.015 ** 2, 12); // sample variance of +0.05 and +0.02 (n - 1 = 1)
  });

  /** Runs of a method alone and with LiST (meta) on `datasets`, seeds 1 to 3, LiST ahead by `gain` (a fraction) on every one. */
  const withGain = (gain: number, datasets: readonly string[] = TABLE.datasets) =>
    buildCells(datasets.flatMap((d) => [run(d, 16, 'lora', seeds3(0.5)), run(d, 16, 'lora', seeds3(0.5 + gain), list('meta'))]));
  const columns = TABLE.datasets.map((d) => `${d} K=16`);

  it('judges the +3 points goal on the figure printed, and only over all four datasets', () => {
    const judge = (gain: number, datasets?: readonly string[]) => judgeGoal(withGain(gain, datasets), columns, 'LiST − lora', 'lora + LiST (meta weights)', 'lora', 3, false);
    expect(judge(0.03)[0].verdict).toBe('met');
    expect(judge(0.0296)[0].verdict).toBe('met'); // printed +3.0
    expect(judge(0.029)[0].verdict).toBe('NOT met');
    const partial = judge(0.05, ['mpqa', 'sst2', 'subj']);
    expect(partial[0].verdict).toBe('not judged');
    expect(formatGoal(partial[0])).toBe('- LiST − lora, K=16: mean +5.0 points over 3 datasets [mpqa +5.0 (3), sst2 +5.0 (3), subj +5.0 (3)]: goal not judged (3 of 4 datasets).');
  });

  it(`judges a goal only where every dataset has ${MIN_PAIRED_SEEDS} paired seeds, and says where it has fewer`, () => {
    // LiST 5 points ahead on every dataset, but the plain runs of emotion and SST-2 have only seeds 1 and 2.
    const cells = buildCells(
      TABLE.datasets.flatMap((d) => [run(d, 16, 'lora', ['emotion', 'sst2'].includes(d) ? { 1: 0.5, 2: 0.5 } : seeds3(0.5)), run(d, 16, 'lora', seeds3(0.55), list('meta'))]),
    );
    const [line] = judgeGoal(cells, columns, 'LiST − lora', 'lora + LiST (meta weights)', 'lora', 3, false);
    expect(line.verdict).toBe('not judged');
    expect(formatGoal(line)).toBe(
      '- LiST − lora, K=16: mean +5.0 points over 4 datasets [emotion +5.0 (2), mpqa +5.0 (3), sst2 +5.0 (2), subj +5.0 (3)]: goal not judged (fewer than 3 paired seeds on emotion, sst2).',
    );
    // One seed everywhere: not judged either way, however far the mean is from the goal.
    const single = (gain: number) => buildCells(TABLE.datasets.flatMap((d) => [run(d, 16, 'lora', { 1: 0.5 }), run(d, 16, 'lora', { 1: 0.5 + gain }, list('meta'))]));
    for (const gain of [-0.2, 0.2]) {
      const [g] = judgeGoal(single(gain), columns, 'LiST − lora', 'lora + LiST (meta weights)', 'lora', 3, false);
      expect(formatGoal(g)).toMatch(/: goal not judged \(fewer than 3 paired seeds on every dataset\)\.$/);
    }
    // A third paired seed on the two short datasets makes it a verdict.
    const filled = buildCells([...TABLE.datasets.flatMap((d) => [run(d, 16, 'lora', seeds3(0.5)), run(d, 16, 'lora', seeds3(0.55), list('meta'))])]);
    expect(judgeGoal(filled, columns, 'LiST − lora', 'lora + LiST (meta weights)', 'lora', 3, false)[0].verdict).toBe('met');
  });

  it('a strict goal (meta above uniform) is not met by a tie as printed', () => {
    const cells = buildCells(TABLE.datasets.flatMap((d) => [run(d, 16, 'lora', seeds3(0.6004), list('meta')), run(d, 16, 'lora', seeds3(0.6), list('uniform'))]));
    const [tie] = judgeGoal(cells, columns, 'meta − uniform', 'lora + LiST (meta weights)', 'lora + LiST (uniform weights)', 0, true);
    expect(tie.mean).toBeGreaterThan(0);
    expect(tie.verdict).toBe('NOT met');
  });

  it(`says 'within noise' where the mean is less than ${NOISE_STANDARD_ERRORS} standard errors from the goal, either side of it`, () => {
    /** Meta ahead of uniform by diffs[i] on seed i + 1, the same on every dataset. */
    const metaAhead = (diffs: number[]) =>
      buildCells(TABLE.datasets.flatMap((d) => {
        const base = Object.fromEntries(diffs.map((_, i) => [i + 1, 0.6]));
        const ahead = Object.fromEntries(diffs.map((x, i) => [i + 1, 0.6 + x]));
        return [run(d, 16, 'lora', ahead, list('meta')), run(d, 16, 'lora', base, list('uniform'))];
      }));
    const judge = (diffs: number[], goal: number, strict: boolean) =>
      judgeGoal(metaAhead(diffs), columns, 'meta − uniform', 'lora + LiST (meta weights)', 'lora + LiST (uniform weights)', goal, strict)[0];
    // +0.5 points on average, but from seed to seed +1.0, -1.0, +1.5: per dataset the sample variance is 1.75e-4, so
    // the standard error of the mean over four such datasets is sqrt(4 * 1.75e-4 / 3) / 4 = 0.38 points.
    const noisy = judge([0.01, -0.01, 0.015], 0, true);
    expect(noisy.standardError * 100).toBeCloseTo(Math.sqrt((4 * 1.75e-4) / 3) / 4 * 100, 10);
    expect(noisy.verdict).toBe('within noise');
    expect(formatGoal(noisy)).toBe(
      '- meta − uniform, K=16: mean +0.5 points (standard error 0.38) over 4 datasets [emotion +0.5 (3), mpqa +0.5 (3), sst2 +0.5 (3), subj +0.5 (3)]: goal neither met nor missed: within noise (less than 2 standard errors from the goal).',
    );
    // The same mean with seeds that agree (standard error 0.03) meets it.
    const steady = judge([0.005, 0.004, 0.006], 0, true);
    expect(steady.verdict).toBe('met');
    expect(formatGoal(steady)).toMatch(/mean \+0\.5 points \(standard error 0\.03\) over .*: goal met\.$/);
    // Below the +3 goal: 2 points with a standard error of 0.58 is within noise; with 0.03, NOT met.
    expect(judge([0, 0.04, 0.02], 3, false).verdict).toBe('within noise');
    expect(judge([0.019, 0.021, 0.02], 3, false).verdict).toBe('NOT met');
  });

  it('lists one job per missing seed (head-only: one line per cell), none for a full cell', () => {
    const all = missingJobs(new Map());
    const cellsPerMethod = TABLE.ks.length * 3 * TABLE.datasets.length; // 3: LiST meta, LiST uniform, alone
    expect(all.length).toBe(cellsPerMethod + (TABLE.methods.length - 1) * cellsPerMethod * TABLE.seeds.length);
    expect(all[0]).toBe(
      'emotion --k 16 --steps 100 --lr 1e-3 --head prompt --backend wasm --unlabeled 2000 --rounds 3 --student-steps 30 --student-fine-tune 30 --per-round 256 --eval-fraction 0 --self-train --weighting meta --method head --seeds 1,2,3,4,5 --feature-cache /tmp/fc-emotion.bin',
    );
    const cells = buildCells([run('mpqa', 16, 'bottleneck', { 1: 0.7, 2: 0.7, 3: 0.7, 4: 0.7, 5: 0.7 }), run('sst2', 16, 'bottleneck', { 1: 0.7, 2: 0.7 })]);
    const jobs = missingJobs(cells).filter((j) => / --method bottleneck /.test(j) && j.includes('--k 16') && !j.includes('--self-train'));
    expect(jobs.filter((j) => j.startsWith('mpqa'))).toEqual([]);
    expect(jobs.filter((j) => j.startsWith('sst2')).map((j) => j.split('--seeds ')[1])).toEqual(['3', '4', '5']);
    // Breadth first: every cell's first seed comes before any cell's second; SST-2's bottleneck cell, two seeds in,
    // waits for its third until every other cell has three.
    const order = missingJobs(cells);
    const seedsAt = (pred: (j: string) => boolean) => order.flatMap((j, i) => (pred(j) ? [i] : []));
    const firstSeeds = seedsAt((j) => / --seeds 1($| )/.test(j));
    const secondSeeds = seedsAt((j) => / --seeds 2($| )/.test(j));
    expect(Math.max(...firstSeeds)).toBeLessThan(Math.min(...secondSeeds));
    const sst2Third = order.indexOf(jobs.find((j) => j.startsWith('sst2') && j.endsWith('--seeds 3'))!);
    expect(sst2Third).toBeGreaterThan(Math.max(...secondSeeds));
    expect(sst2Third).toBeLessThan(Math.min(...seedsAt((j) => / --seeds 4($| )/.test(j))));
  });

  it('judges a variant of the meta step against uniform weights where it has runs, and only there', () => {
    const datasets = ['emotion', 'mpqa', 'sst2', 'subj'];
    const runs = datasets.flatMap((d) => [
      run(d, 16, 'lora', seeds3(0.7)),
      run(d, 16, 'lora', seeds3(0.72), list('meta')),
      run(d, 16, 'lora', seeds3(0.71), list('uniform')),
      run(d, 16, 'lora', seeds3(0.73), list('meta-cosine')),
      run(d, 16, 'head', { 1: 0.6 }),
      run(d, 16, 'head', { 1: 0.61 }, list('uniform')),
    ]);
    const goals = allGoals(runs, buildCells(runs), columnsOf(runs)).map(formatGoal);
    expect(goals).toContain('- lora + LiST: meta-cosine − uniform weights, K=16: mean +2.0 points (standard error 0.00) over 4 datasets [emotion +2.0 (3), mpqa +2.0 (3), sst2 +2.0 (3), subj +2.0 (3)]: goal met.');
    expect(goals.filter((g) => g.includes('meta-cosine'))).toHaveLength(1); // head has no meta-cosine runs
  });

  it("counts the issue's table as it fills: runs, and cells with every seed; other rows and seeds do not count", () => {
    const total = TABLE.ks.length * TABLE.methods.length * 3 * TABLE.datasets.length;
    expect(tableCoverage(new Map())).toEqual({ runs: 0, ofRuns: total * TABLE.seeds.length, fullCells: 0, ofCells: total });
    const cells = buildCells([
      run('mpqa', 16, 'bottleneck', { 1: 0.7, 2: 0.7, 3: 0.7, 4: 0.7, 5: 0.7 }),
      run('sst2', 8, 'lora', { 1: 0.7, 2: 0.7 }, list('uniform')),
      run('sst2', 16, 'lora', { 1: 0.7, 6: 0.7 }, list('meta', 0.2)), // an 80 % row and a sixth seed: not the table's
    ]);
    expect(tableCoverage(cells)).toMatchObject({ runs: 7, fullCells: 1 });
  });

  it('a failed job line is dropped once all its seeds finished elsewhere; one without --eval-fraction is an 80 % run', () => {
    const cells = buildCells([run('sst2', 16, 'lora', { 1: 0.7, 2: 0.7 }, list('meta', 0.2))]);
    const old = 'sst2 --k 16 --steps 100 --method lora --rounds 3 --self-train --weighting meta --seeds 1,2';
    expect(finishedLater(cells, old)).toBe(true);
    expect(finishedLater(cells, `${old},3`)).toBe(false);
    expect(finishedLater(cells, old.replace('--self-train', '--eval-fraction 0 --self-train'))).toBe(false);
    const withMetaBatch = buildCells([run('sst2', 16, 'lora', { 1: 0.7 }, { selfTrain: true, weighting: 'meta', config: { selfTrain: { evalFraction: 0, labelledBatchSize: 96 } } })]);
    const job = 'sst2 --k 16 --eval-fraction 0 --rounds 3 --self-train --weighting meta --method lora --seeds 1';
    expect(finishedLater(withMetaBatch, `${job} --meta-batch 96`)).toBe(true);
    expect(finishedLater(withMetaBatch, job)).toBe(false);
  });

  it('reads runs and failed lines, skipping blank lines', () => {
    const { runs, failed } = parseResults(`${JSON.stringify(run('sst2', 8, 'head', { 1: 0.5 }))}\n\n{"failed":"sst2 --k 8"}\n`);
    expect(runs.map((r) => r.method)).toEqual(['head']);
    expect(failed).toEqual(['sst2 --k 8']);
  });

  it('keeps runs scored on a dev split (and their failed jobs) apart from the test table, and names a confident share', () => {
    const onDev: Partial<Summary> = { evaluatedOn: 'dev', selfTrain: true, weighting: 'meta', config: { selfTrain: { evalFraction: 0, confidentShare: 0.5 } } };
    const retired = { ...onDev, evaluatedOn: 'dev-v0' };
    const text = [run('sst2', 8, 'head', { 1: 0.5 }), run('sst2', 8, 'head', { 1: 0.9 }, onDev), run('sst2', 8, 'head', { 1: 0.1 }, retired)].map((r) => JSON.stringify(r)).join('\n') +
      '\n{"failed":"sst2 --k 8 --dev 500 --seeds 2"}\n{"failed":"sst2 --k 8 --seeds 3"}\n';
    const test = parseResults(text);
    expect(test.runs.map((r) => r.seeds[0].accuracy)).toEqual([0.5]);
    expect(test.failed).toEqual(['sst2 --k 8 --seeds 3']);
    const dev = parseResults(text, true);
    expect(dev.runs.map((r) => r.seeds[0].accuracy)).toEqual([0.9]);
    expect(dev.failed).toEqual(['sst2 --k 8 --dev 500 --seeds 2']);
    const cells = buildCells(dev.runs);
    expect([...cells.keys()]).toContain('head + LiST (meta weights, 50 % most confident)');
    expect(finishedLater(cells, 'sst2 --k 8 --rounds 3 --self-train --eval-fraction 0 --confident-share 0.5 --method head --dev 500 --seeds 1')).toBe(true);
    expect(finishedLater(cells, 'sst2 --k 8 --rounds 3 --self-train --eval-fraction 0 --method head --dev 500 --seeds 1')).toBe(false);
  });

  it('names a student other than the table\'s (30 steps on 256 texts a round, then 30 labelled steps), in the table and in a failed job line', () => {
    const longer: Partial<Summary> = { selfTrain: true, weighting: 'uniform', config: { selfTrain: { evalFraction: 0, studentSteps: 150, unlabeledPerRound: 2000 } } };
    const usual: Partial<Summary> = { selfTrain: true, weighting: 'uniform', config: { selfTrain: { evalFraction: 0, studentSteps: 30, unlabeledPerRound: 256 } } };
    const cells = buildCells([run('mpqa', 16, 'head', { 1: 0.66 }, longer), run('mpqa', 16, 'head', { 1: 0.65 }, usual)]);
    expect([...cells.keys()].sort()).toEqual([
      'head + LiST (uniform weights)',
      'head + LiST (uniform weights, 150 student steps on 2000 texts a round)',
    ]);
    const job = (flags: string) => `mpqa --k 16 --eval-fraction 0 --rounds 3 --self-train --weighting uniform ${flags} --method head --seeds 1`;
    expect(finishedLater(cells, job('--student-steps 150 --per-round 2000'))).toBe(true);
    expect(finishedLater(cells, job('--student-steps 150 --per-round 256'))).toBe(false);
    expect(finishedLater(cells, job('--student-steps 30 --per-round 256'))).toBe(true);
    const longerFit: Partial<Summary> = { selfTrain: true, weighting: 'meta', config: { selfTrain: { evalFraction: 0, studentFineTuneSteps: 100 } } };
    expect([...buildCells([run('mpqa', 16, 'lora', { 1: 0.7 }, longerFit)]).keys()]).toContain('lora + LiST (meta weights, 100 labelled steps a round)');
  });

  it('a learning rate other than the table\'s makes a method of its own, which its LiST runs and first teachers are judged against', () => {
    const at = (lr: number, more: Partial<Summary> = {}, maxSteps = 100): Partial<Summary> => ({ ...more, config: { ...more.config, fineTune: { lr, maxSteps } } });
    const listAt = (lr: number, selfTrain: NonNullable<Summary['config']>['selfTrain'] = {}) =>
      at(lr, { selfTrain: true, weighting: 'meta', config: { selfTrain: { evalFraction: 0, studentLr: lr, softLabels: true, ...selfTrain } } });
    const datasets = TABLE.datasets;
    const runs = [
      ...datasets.map((d) => run(d, 16, 'head', seeds3(0.6), at(0.001))),
      ...datasets.map((d) => run(d, 16, 'head', seeds3(0.7), at(0.03))),
      ...datasets.map((d) => run(d, 16, 'head', seeds3(0.74), listAt(0.03), seeds3(0.69))),
      run('sst2', 16, 'head', { 1: 0.5 }, listAt(0.03, { softLabels: false })),
      run('sst2', 16, 'head', { 1: 0.5 }, listAt(0.03, { studentLr: 0.01 })),
      run('sst2', 16, 'head', { 1: 0.5 }, at(0.03, {}, 300)),
    ];
    const cells = buildCells(runs);
    expect([...cells.keys()].sort()).toEqual([
      'head',
      'head at lr 0.03',
      'head at lr 0.03 (300 steps)',
      "head at lr 0.03 (LiST's first teacher)",
      'head at lr 0.03 + LiST (meta weights)',
      'head at lr 0.03 + LiST (meta weights, hard labels)',
      'head at lr 0.03 + LiST (meta weights, student lr 0.01)',
    ]);
    // LiST at lr 0.03 is judged against the head at lr 0.03 (+4 points), not the table's head at lr 0.001 (+14).
    const goals = allGoals(runs, cells, columnsOf(runs)).map(formatGoal);
    expect(goals).toContain('- head at lr 0.03 + LiST (meta) − head at lr 0.03, K=16: mean +4.0 points (standard error 0.00) over 4 datasets [emotion +4.0 (3), mpqa +4.0 (3), sst2 +4.0 (3), subj +4.0 (3)]: goal met.');
    expect(goals).toContain('- head at lr 0.03 + LiST (meta) − its first teacher, K=16: mean +5.0 points (standard error 0.00) over 4 datasets [emotion +5.0 (3), mpqa +5.0 (3), sst2 +5.0 (3), subj +5.0 (3)]: goal met.');
    expect(goals.some((g) => g.startsWith('- head + LiST'))).toBe(false);
    const job = (flags: string) => `sst2 --k 16 --steps 100 ${flags} --eval-fraction 0 --rounds 3 --self-train --weighting meta --method head --seeds 1`;
    expect(finishedLater(cells, job('--lr 0.03 --hard-labels'))).toBe(true);
    expect(finishedLater(cells, job('--lr 0.03 --student-lr 0.01'))).toBe(true);
    expect(finishedLater(cells, job('--lr 0.03 --student-lr 0.03'))).toBe(true);
    expect(finishedLater(cells, job('--lr 0.01'))).toBe(false);
    expect(finishedLater(cells, 'sst2 --k 16 --steps 300 --lr 3e-2 --method head --seeds 1')).toBe(true);
  });

  it('a run trained as the studio trains (--studio) gets its own row', () => {
    const studio: Partial<Summary> = { training: 'studio', config: { fineTune: { lr: 0.03, maxSteps: 0 } } };
    const cells = buildCells([run('sst2', 16, 'head', { 1: 0.7 }, studio), run('sst2', 16, 'head', { 1: 0.6 }, { training: 'studio' })]);
    expect([...cells.keys()].sort()).toEqual(["head (the studio's training)", "head at lr 0.03 (the studio's training)"]);
    expect(finishedLater(cells, 'sst2 --k 16 --studio --lr 0.03 --method head --dev 1000 --seeds 1')).toBe(true);
    expect(finishedLater(cells, 'sst2 --k 16 --studio --lr 0.1 --method head --dev 1000 --seeds 1')).toBe(false);
    expect(finishedLater(cells, 'sst2 --k 16 --lr 0.03 --method head --dev 1000 --seeds 1')).toBe(false);
  });

  it('a LiST run of another round count than the table\'s 3 gets rows of its own', () => {
    const rounds = (n: number, acc: number): Summary => run('sst2', 16, 'head', { 1: acc }, { selfTrain: true, weighting: 'meta', config: { selfTrain: { evalFraction: 0, rounds: n } } });
    const cells = buildCells([rounds(3, 0.7), rounds(6, 0.6), rounds(6, 0.65)]);
    expect(cells.get('head + LiST (meta weights)')?.get('sst2 K=16')?.get(1)).toBe(0.7);
    expect(cells.get('head + LiST (meta weights, 6 rounds)')?.get('sst2 K=16')?.get(1)).toBe(0.65);
    const job = 'sst2 --k 16 --steps 100 --self-train --eval-fraction 0 --weighting meta --method head --seeds 1';
    expect(finishedLater(cells, job)).toBe(true); // no --rounds: the runner's 6
    expect(finishedLater(cells, `${job} --rounds 3`)).toBe(true);
    expect(finishedLater(cells, `${job} --rounds 4`)).toBe(false);
  });

  it("LiST trained as the studio's Self-train button trains is set against the studio's training, not the table's", () => {
    const selfTrain = { rounds: 3, evalFraction: 0.2, studentFineTuneSteps: 0, studentSteps: 150, unlabeledPerRound: 2000, softLabels: false, studentLr: 0.1 };
    const studioList = (weighting: 'meta' | 'uniform', acc: number): Summary =>
      run('sst2', 16, 'head', { 1: acc }, { training: 'studio', selfTrain: true, weighting, config: { fineTune: { lr: 0.1 }, selfTrain } }, { 1: 0.6 });
    const plain = run('sst2', 16, 'head', { 1: 0.62 }, { training: 'studio', config: { fineTune: { lr: 0.1 } } });
    const table = run('sst2', 16, 'head', { 1: 0.5 }, { config: { fineTune: { lr: 0.1, maxSteps: 100 } } });
    const runs = [studioList('meta', 0.66), studioList('uniform', 0.65), plain, table];
    const cells = buildCells(runs);
    const method = "head at lr 0.1 (the studio's training)";
    const suffix = ', 150 student steps on 2000 texts a round, students trained on the labels as the teacher, hard labels, 80 % of labels';
    expect([...cells.keys()].sort()).toEqual(['head at lr 0.1', method, `${method} (LiST's first teacher), 80 % of labels`, `${method} + LiST (meta weights${suffix})`, `${method} + LiST (uniform weights${suffix})`].sort());
    const goals = allGoals(runs, cells, columnsOf(runs)).map(formatGoal);
    expect(goals.find((g) => g.startsWith(`- ${method} + LiST (meta${suffix}) − ${method}, K=16`))).toContain('sst2 +4.0 (1)');
    expect(goals.some((g) => g.startsWith('- head at lr 0.1 + LiST'))).toBe(false);
    const job = `sst2 --k 16 --studio --lr 0.1 --self-train --rounds 3 --student-steps 150 --per-round 2000 --hard-labels --weighting uniform --method head --dev 1000 --seeds 1`;
    expect(finishedLater(cells, job)).toBe(true);
    expect(finishedLater(cells, job.replace('--rounds 3 ', ''))).toBe(false); // the runner's default is 6 rounds
    expect(finishedLater(cells, job.replace('--studio ', ''))).toBe(false);
    expect(finishedLater(cells, job.replace('--studio ', '--studio --eval-fraction 0 '))).toBe(false);
  });
});

describe('pseudo-label table', () => {
  const quality = (accuracy: number, weightOnCorrect: number | null, batchCorrect: number | null, weightByClass?: number[], batchByClass?: number[]) =>
    ({ pseudoLabels: { accuracy, weightOnCorrect, batchCorrect, weightByClass, batchByClass, skippedSteps: 0 } });

  it('averages every round of every seed per variant and column; runs without tallies have no line', () => {
    const meta = run('sst2', 16, 'lora', { 1: 0.7, 2: 0.7 }, list('meta'));
    meta.seeds[0].rounds = [quality(0.6, 0.5, 0.6, [0.7, 0.3], [0.5, 0.5]), quality(0.7, 0.7, 0.6, [0.5, 0.5], [0.6, 0.4])];
    meta.seeds[1].rounds = [quality(0.8, null, null)]; // every step after warm-up skipped
    const old = run('mpqa', 16, 'lora', { 1: 0.7 }, list('meta'));
    const [q, ...rest] = pseudoLabelSummaries([meta, old, run('sst2', 16, 'lora', { 1: 0.7 })]);
    expect(rest).toEqual([]);
    expect(q).toMatchObject({ variant: 'lora + LiST (meta weights)', column: 'sst2 K=16', rounds: 3 });
    expect(q.accuracy).toBeCloseTo(0.7, 12);
    expect(q.weightOnCorrect).toBeCloseTo(0.6, 12);
    expect(q.batchCorrect).toBeCloseTo(0.6, 12);
    expect(q.classShift).toBeCloseTo((0.2 + 0.1) / 2, 12); // half the summed |weight - share|: 0.2 and 0.1
    expect(renderPseudoLabelTable([q])[2]).toBe('| lora + LiST (meta weights) | sst2 K=16 | 3 | 70.0 | 60.0 | 60.0 | 15.0 |');
  });
});
