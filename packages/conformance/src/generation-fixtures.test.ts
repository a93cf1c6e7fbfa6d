// The generation fixture loader and runner: any directory in MODEL.md's
// layout loads, records may leave name and file to their own file name, and
// the runner fails a backend whose text or logits differ.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createReferenceBackend, SasError } from '@sas/core';
import { bundledModelFixturesDir, loadGenerationFixtures, readLanguageModelFile, runGenerationCase } from './index.js';

const [bundled] = loadGenerationFixtures();
const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'sas-gen-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function fixtureError(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(SasError);
    expect((e as SasError).code).toBe('E_FIXTURE');
    return (e as Error).message;
  }
  throw new Error('expected an E_FIXTURE error');
}

describe('generation fixtures', () => {
  it('load from a models directory (its generation/ folder) or the folder itself', () => {
    expect(loadGenerationFixtures(bundledModelFixturesDir())).toEqual([bundled]);
    expect(loadGenerationFixtures(join(bundledModelFixturesDir(), 'generation'))).toEqual([bundled]);
    expect(bundled).toMatchObject({ name: 'gen-sas-brown', prompt: 'The jury said that the city', newTokens: 96 });
    expect(bundled.promptLastLogits).toHaveLength(84);
  });

  it('a record without name and file takes them from its file name; its vocabulary may be an array', () => {
    const dir = tempDir();
    const { name: _n, file: _f, vocab, ...rest } = JSON.parse(JSON.stringify({ ...bundled, path: undefined }));
    writeFileSync(join(dir, 'other.json'), JSON.stringify({ ...rest, vocab: [...vocab] }));
    copyFileSync(bundled.path, join(dir, 'other.safetensors'));
    const [other] = loadGenerationFixtures(dir);
    expect(other).toMatchObject({ name: 'other', file: 'other.safetensors', path: join(dir, 'other.safetensors'), vocab: bundled.vocab });
    expect(readLanguageModelFile(other.path).vocab?.join('')).toBe(bundled.vocab);
  });

  it('refuses a directory without records and malformed records, in one line each', () => {
    const empty = tempDir();
    expect(fixtureError(() => loadGenerationFixtures(empty))).toBe(`${empty}: no generation record (*.json naming a checkpoint) in it`);
    const dir = tempDir();
    mkdirSync(join(dir, 'generation'));
    const write = (record: object) => writeFileSync(join(dir, 'generation', 'g.json'), JSON.stringify(record));
    const where = join(dir, 'generation', 'g.json');
    write({ ...bundled, greedy: '' });
    expect(fixtureError(() => loadGenerationFixtures(dir))).toBe(`${where}: "greedy" must be a non-empty string`);
    write({ ...bundled, newTokens: 95 });
    expect(fixtureError(() => loadGenerationFixtures(dir))).toBe(`${where}: "newTokens" must be the length of "greedy" (96), got 95`);
    write({ ...bundled, promptLastLogits: [1, null] });
    expect(fixtureError(() => loadGenerationFixtures(dir))).toBe(`${where}: "promptLastLogits" must be a non-empty array of finite numbers`);
  });

  it('the runner fails a backend whose greedy text or last logits differ from the record', async () => {
    const model = readLanguageModelFile(bundled.path);
    const greedy = `${bundled.greedy.slice(0, 95)}#`;
    const promptLastLogits = bundled.promptLastLogits.map((x, i) => (i === 7 ? x + 2e-4 : x));
    const report = await runGenerationCase(createReferenceBackend(), { ...bundled, greedy, promptLastLogits }, model);
    expect(report.passed).toBe(false);
    expect(report.firstMismatch).toBe(95);
    expect(report.generated).toBe(bundled.greedy);
    expect(report.logitsMaxAbs).toBeGreaterThan(1e-4);
    expect(report.logitsMaxAbs).toBeLessThan(2.1e-4);
  });
});
