/**
 * The few-shot runner as a command, on the bundled encoder (wasm) and a dataset small enough for seconds: a plain run
 * trains the method alone exactly as a LiST run trains its first teacher, so with --state-dir the two share it.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const GOOD = ['a good film', 'the best day of the year', 'very good and fun', 'i love this song', 'good music all night', 'we loved it'];
const BAD = ['a bad film', 'the worst day of the year', 'very bad and sad', 'i hate this song', 'bad music all night', 'we hated it'];
const TEST = ['a fun and good day', 'what a great film', 'a sad and bad song', 'i hated the music'];

function dataset(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fewshot-run-'));
  const rows = [...GOOD.map((text) => ({ text, label: 'pos' })), ...BAD.map((text) => ({ text, label: 'neg' }))];
  writeFileSync(join(dir, 'train.jsonl'), rows.map((r) => JSON.stringify(r)).join('\n'));
  writeFileSync(join(dir, 'test.jsonl'), TEST.map((text, i) => JSON.stringify({ text, label: i < 2 ? 'pos' : 'neg' })).join('\n'));
  return dir;
}

interface Seed { accuracy: number; macroF1: number; firstTeacher?: { accuracy: number; macroF1: number }; reusedTeacher?: boolean }

/** Runs `npm run fewshot` with these flags and returns its last line, parsed. */
function fewshot(data: string, ...flags: string[]): { seeds: Seed[]; trainedAs?: string } {
  const common = ['--data', data, '--k', '2', '--method', 'lora', '--steps', '3', '--lr', '1e-2', '--backend', 'wasm', '--seeds', '4', '--json'];
  const out = execFileSync('node_modules/.bin/tsx', ['--import', './scripts/wgsl-hook.mjs', 'scripts/fewshot.ts', ...common, ...flags], { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').at(-1)!);
}

/** The teacher file of a state folder (the only `teacher-*.json`): its name and its teacher's arrays. */
function teacherIn(dir: string): { name: string; arrays: Array<{ name: string; data: number[] }> } {
  const names = readdirSync(dir).filter((f) => f.startsWith('teacher-'));
  expect(names).toHaveLength(1);
  return { name: names[0], arrays: JSON.parse(readFileSync(join(dir, names[0]), 'utf8')).state.teacher };
}

/**
 * Overwrites the test scores saved with a state folder's teacher by ones no 4-text test set can give, so a run that
 * reports them has read the file rather than trained and scored the teacher again (which gives the same weights).
 */
function markSavedScores(dir: string, marked: { accuracy: number; macroF1: number }): void {
  const file = join(dir, teacherIn(dir).name);
  const saved = JSON.parse(readFileSync(file, 'utf8'));
  writeFileSync(file, JSON.stringify({ ...saved, firstTeacher: marked }));
}

describe('npm run fewshot', () => {
  it('trains a plain run as LiST trains its first teacher, and with --state-dir the two share that teacher either way round', () => {
    const data = dataset();
    const listDir = mkdtempSync(join(tmpdir(), 'fewshot-state-'));
    const plainDir = mkdtempSync(join(tmpdir(), 'fewshot-state-'));
    const list = fewshot(data, '--self-train', '--rounds', '1', '--student-steps', '2', '--student-fine-tune', '1', '--unlabeled', '4', '--eval-fraction', '0', '--state-dir', listDir);
    const plain = fewshot(data, '--state-dir', plainDir);
    expect(plain.trainedAs).toBe("LiST's first teacher");
    // Trained apart, in two processes: the same file name (what defines the teacher) and the same weights, bit for bit.
    const fromList = teacherIn(listDir);
    const fromPlain = teacherIn(plainDir);
    expect(fromPlain.name).toBe(fromList.name);
    expect(fromPlain.arrays.map((a) => a.name)).toEqual(fromList.arrays.map((a) => a.name));
    fromPlain.arrays.forEach((a, i) => expect(a.data).toEqual(fromList.arrays[i].data));
    expect(plain.seeds[0].reusedTeacher).toBeUndefined();
    expect({ accuracy: plain.seeds[0].accuracy, macroF1: plain.seeds[0].macroF1 }).toEqual(list.seeds[0].firstTeacher);
    // A plain run where LiST saved the teacher reads it instead of training, and a LiST run where a plain run saved it
    // starts from it: each reports the scores in the file, marked so that retraining could not reproduce them.
    const markedByList = { accuracy: 0.3, macroF1: 0.2 };
    markSavedScores(listDir, markedByList);
    const again = fewshot(data, '--state-dir', listDir);
    expect(again.seeds[0].reusedTeacher).toBe(true);
    expect({ accuracy: again.seeds[0].accuracy, macroF1: again.seeds[0].macroF1 }).toEqual(markedByList);
    const markedByPlain = { accuracy: 0.7, macroF1: 0.6 };
    markSavedScores(plainDir, markedByPlain);
    const listAfterPlain = fewshot(data, '--self-train', '--weighting', 'uniform', '--rounds', '1', '--student-steps', '2', '--student-fine-tune', '1', '--unlabeled', '4', '--eval-fraction', '0', '--state-dir', plainDir);
    expect(listAfterPlain.seeds[0].firstTeacher).toEqual(markedByPlain);
  }, 300_000);
});
