import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { backendNames, createBackend, loadProvider, providerFromModule, referenceProvider, registerBackend, SasError } from '@sas/attention';
import { runConformance } from '@sas/conformance';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Writes `source` as an ES module in a fresh temporary folder and returns its file URL. */
function moduleFile(source: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'sas-registry-'));
  dirs.push(dir);
  const file = join(dir, 'backend.mjs');
  writeFileSync(file, source);
  return pathToFileURL(file).href;
}

// A backend "written elsewhere": the reference's kernels under another name, so the suite has a real backend to hold to the fixtures.
const elsewhere = { ...referenceProvider, name: 'elsewhere' };

describe('registerBackend', () => {
  it('makes a backend written elsewhere known by name, and the conformance suite runs it', async () => {
    registerBackend('elsewhere', async () => elsewhere);
    expect(backendNames()).toEqual(['reference', 'ndarray', 'tfjs', 'gpujs', 'onnx', 'elsewhere']);
    const backend = await createBackend('elsewhere', { mode: 'float64' });
    try {
      const report = await runConformance(backend, { tolerance: elsewhere.tolerance('float64'), cases: ['sas-tiny', 'mha-small'], grads: true });
      expect(report.cases.map((c) => c.name)).toEqual(['sas-tiny', 'mha-small']);
      expect(report.passed).toBe(true);
    } finally {
      await backend.dispose();
    }
  });

  it('takes a loader that imports a module, finding its provider export', async () => {
    const url = moduleFile(
      `export const helper = 1;\nexport const myProvider = { name: 'from-module', modes: ['m'], tolerance: () => ({ atol: 0, rtol: 0 }), create: async () => ({}) };\n`,
    );
    registerBackend('from-module', () => import(/* @vite-ignore */ url));
    expect((await loadProvider('from-module')).name).toBe('from-module');
  });

  it('refuses a taken name unless asked to replace it, a bad name and a loader that is not a function', () => {
    expect(() => registerBackend('ndarray', async () => elsewhere)).toThrow(
      /^registerBackend: a backend named 'ndarray' is already registered \(pass \{ replace: true \}/,
    );
    expect(() => registerBackend('two words', async () => elsewhere)).toThrow(/^registerBackend: a backend name is letters, digits/);
    expect(() => registerBackend('nothing', 'not a function' as never)).toThrow("registerBackend('nothing'): the loader must be a function, got string");
    registerBackend('replaced', async () => elsewhere);
    registerBackend('replaced', async () => referenceProvider, { replace: true });
    return expect(loadProvider('replaced')).resolves.toBe(referenceProvider);
  });

  it('names the package to install when a backend package is missing', async () => {
    registerBackend('ghost', () => import(/* @vite-ignore */ moduleFile(`export * from 'sas-no-such-backend-package';\n`)));
    const error = await loadProvider('ghost').catch((e) => e);
    expect(error).toBeInstanceOf(SasError);
    expect(error.code).toBe('E_BACKEND');
    expect(error.message).toBe(
      "backend 'ghost' needs the package sas-no-such-backend-package, which is not installed here (npm i sas-no-such-backend-package)",
    );
  });

  it('passes on a loader error that is not a missing package', async () => {
    registerBackend('broken', async () => {
      throw new TypeError('kaboom');
    });
    await expect(loadProvider('broken')).rejects.toThrow(new TypeError('kaboom'));
  });
});

describe('providerFromModule', () => {
  const p = (name: string) => ({ ...referenceProvider, name });

  it('takes the provider itself, the default export, or the one provider-shaped named export', () => {
    expect(providerFromModule(p('a'), 'x').name).toBe('a');
    expect(providerFromModule({ default: p('b'), other: p('c') }, 'x').name).toBe('b');
    expect(providerFromModule({ VERSION: '1', tinyProvider: p('d') }, 'x').name).toBe('d');
  });

  it('refuses a module with no provider, or several and no default, in one line naming the source', () => {
    expect(() => providerFromModule({ VERSION: '1', create: () => {} }, './mine.js')).toThrow(
      './mine.js exports no backend provider (an object with name, modes, tolerance(mode) and create(options)) as default or named export; exports: VERSION, create',
    );
    expect(() => providerFromModule({ a: p('a'), b: p('b') }, './two.js')).toThrow(
      './two.js exports several backend providers (a, b); export the one to use as default',
    );
    expect(() => providerFromModule(null, './null.js')).toThrow('./null.js gave null, not a backend provider or a module exporting one');
    expect(() => providerFromModule({ default: { ...p('e'), modes: [] } }, './nomodes.js')).toThrow(/^\.\/nomodes\.js exports no backend provider/);
  });
});
