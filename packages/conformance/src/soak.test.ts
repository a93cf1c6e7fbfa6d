// Soak: forward + backward passes on every backend found at run time for a
// fixed time, memory and resource counts sampled; the second half must be flat.
//
//   SAS_SOAK_SECONDS=600 pnpm exec vitest run --project conformance soak   # the long run
//   SAS_SOAK_BACKENDS=ndarray,reference ...                                # some targets only
//   SAS_SOAK_REPORT=/tmp/soak ...                                          # also write <dir>/<backend>-<mode>.json
//   SAS_SOAK_LOOPS=steady ...                                              # only the steady loop (or: rebuild)

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { soakKnownIssueFor } from './soak/known-issues.js';
import { assessSoak, soakBackend, type SoakReport } from './soak/soak.js';
import { discoverTargets, workspaceCandidates } from './fuzz/targets.js';

const SECONDS = Number(process.env.SAS_SOAK_SECONDS ?? 10);
const ONLY = process.env.SAS_SOAK_BACKENDS?.split(',');
const REPORT_DIR = process.env.SAS_SOAK_REPORT;
const LOOPS = (process.env.SAS_SOAK_LOOPS ?? 'steady,rebuild').split(',');
// Rebuilding the graph is a second, shorter loop: per-graph caches must let go of graphs nobody holds.
const REBUILD_SECONDS = Math.max(5, Math.round(SECONDS / 2));
const REBUILD_EVERY = 5;
// Building graphs churns the heap, so short rebuild loops are noisier; a cache that kept every
// graph would still add ~40 KiB per iteration (a gradient graph is ~200 KiB of nodes, one per 5 iterations).
const REBUILD_LIMITS = { liveBytesPerIteration: 16 * 1024 };
// Rebuilt graphs run before the clock starts: more than any backend's per-graph cache holds
// (onnx: 8 sessions, 2 of them taken by the steady graphs), so a bounded cache is full when
// measuring starts and only an unbounded one still grows.
const WARMUP_REBUILDS = 10;
// A 10 s loop still warms up (JIT) and its floor estimate wobbles by up to ~3 KiB per
// iteration, so CI allows 8 KiB (the resource counts catch leaked tensors exactly);
// a run of a minute or more is held to 1 KiB (10-minute runs measure 0–2 B per iteration).
const STEADY_LIMITS = { liveBytesPerIteration: SECONDS >= 60 ? 1024 : 8 * 1024 };

const targets = (await discoverTargets(workspaceCandidates())).filter((t) => !ONLY || ONLY.includes(t.name) || ONLY.includes(`${t.name}/${t.mode}`));
const lines: string[] = [];

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

function summarize(label: string, r: SoakReport): string {
  const t = r.secondHalf;
  const first = r.samples[0].memory.rss;
  const last = r.samples[r.samples.length - 1].memory.rss;
  const counts = Object.entries(t.counts).map(([k, v]) => (v.min === v.max ? `${k}=${v.min}` : `${k}=${v.min}..${v.max}`)).join(' ');
  return `${label.padEnd(34)} ${r.iterations} iterations in ${r.seconds.toFixed(0)} s; RSS ${mib(first)} → ${mib(last)}; second half: RSS ${(t.rssPerSecond / 1024).toFixed(1)} KiB/s (${mib(t.rssGrowth)} fitted), live JS ${t.liveBytesPerIteration.toFixed(0)} B/iteration; ${counts || 'no counts exposed'}`;
}

afterAll(() => {
  if (lines.length) console.log(`soak (${SECONDS} s per backend):\n${lines.map((l) => `  ${l}`).join('\n')}`);
});

describe(`soak: ${SECONDS} s of forward + backward passes per backend`, () => {
  for (const target of targets) {
    const label = `${target.name} (${target.mode})`;
    if (!target.available) {
      it.skip(`${label} — skipped: ${target.reason}`, () => {});
      continue;
    }
    for (const rebuild of [false, true].filter((r) => LOOPS.includes(r ? 'rebuild' : 'steady'))) {
      const seconds = rebuild ? REBUILD_SECONDS : SECONDS;
      const name = rebuild ? `${label}: memory and counts stay flat while a fresh graph is built every ${REBUILD_EVERY} iterations (${seconds} s)` : `${label}: memory and resource counts stay flat (${seconds} s)`;
      const known = soakKnownIssueFor(target.name, target.mode, rebuild ? 'rebuild' : 'steady');
      if (known) {
        it.skip(`${name} — skipped: known issue ${known.id}: ${known.issue}`, () => {});
        continue;
      }
      it(
        name,
        async () => {
          const backend = await target.provider.create({ mode: target.mode });
          try {
            const report = await soakBackend(backend, { seconds, rebuildEvery: rebuild ? REBUILD_EVERY : 0, warmupRebuilds: rebuild ? WARMUP_REBUILDS : 0 });
            const line = summarize(`${label}${rebuild ? ' rebuilding' : ''}`, report);
            lines.push(line);
            console.log(line);
            if (REPORT_DIR) {
              mkdirSync(REPORT_DIR, { recursive: true });
              writeFileSync(join(REPORT_DIR, `${target.name}-${target.mode}${rebuild ? '-rebuild' : ''}.json`), JSON.stringify(report, null, 1));
            }
            const verdict = assessSoak(report, rebuild ? REBUILD_LIMITS : STEADY_LIMITS);
            expect(verdict.problems, verdict.problems.join('\n')).toEqual([]);
            expect(report.iterations).toBeGreaterThan(0);
          } finally {
            await backend.dispose();
          }
        },
        (seconds + 120) * 1000,
      );
    }
  }
});
