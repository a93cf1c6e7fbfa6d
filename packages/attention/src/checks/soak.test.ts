// Soak: forward + backward passes on every backend found at run time for a
// fixed time, memory and resource counts sampled; the second half must be flat.
//
//   SAS_SOAK_SECONDS=600 pnpm exec vitest run --project attention soak   # the long run
//   SAS_SOAK_BACKENDS=ndarray,reference ...                                # some targets only
//   SAS_SOAK_REPORT=/tmp/soak ...                                          # also write <dir>/<backend>-<mode>.json
//   SAS_SOAK_LOOPS=steady ...                                              # only the steady loop (or: rebuild)

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { assessSoak, discoverTargets, soakBackend, soakKnownIssueFor, type SoakReport } from '@sas/conformance';
import { allBackendProviders } from '../test-support/providers.js';

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
// Even so, a 10 s floor fitted through 4 points has been seen at 9.7 KiB per iteration on a
// backend whose 10-minute run is flat (gpujs cpu, CI). A short run whose only problem is live
// JS growth is therefore measured again for CONFIRM_SECONDS before the test fails: a leak the
// limit is meant to catch (a kept output is 4 KiB, kept gradients ~40 KiB per iteration) shows
// in the longer run just the same, a wobble does not.
const CONFIRM_SECONDS = 30;
const onlyLiveGrowth = (problems: readonly string[]) => problems.length > 0 && problems.every((p) => p.startsWith('live JS memory grows'));

const targets = (await discoverTargets(await allBackendProviders())).filter((t) => !ONLY || ONLY.includes(t.name) || ONLY.includes(`${t.name}/${t.mode}`));
const lines: string[] = [];

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

function summarize(label: string, r: SoakReport): string {
  const t = r.secondHalf;
  const first = r.samples[0].memory.rss;
  const last = r.samples[r.samples.length - 1].memory.rss;
  const counts = Object.entries(t.counts)
    .map(([k, v]) => (v.min === v.max ? `${k}=${v.min}` : `${k}=${v.min}..${v.max}`))
    .join(' ');
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
      const name = rebuild
        ? `${label}: memory and counts stay flat while a fresh graph is built every ${REBUILD_EVERY} iterations (${seconds} s)`
        : `${label}: memory and resource counts stay flat (${seconds} s)`;
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
            const limits = rebuild ? REBUILD_LIMITS : STEADY_LIMITS;
            const soak = async (s: number, suffix: string) => {
              const report = await soakBackend(backend, {
                seconds: s,
                rebuildEvery: rebuild ? REBUILD_EVERY : 0,
                warmupRebuilds: rebuild ? WARMUP_REBUILDS : 0,
              });
              const line = summarize(`${label}${rebuild ? ' rebuilding' : ''}${suffix}`, report);
              lines.push(line);
              console.log(line);
              if (REPORT_DIR) {
                mkdirSync(REPORT_DIR, { recursive: true });
                writeFileSync(
                  join(REPORT_DIR, `${target.name}-${target.mode}${rebuild ? '-rebuild' : ''}${suffix ? '-confirm' : ''}.json`),
                  JSON.stringify(report, null, 1),
                );
              }
              return report;
            };
            let report = await soak(seconds, '');
            let verdict = assessSoak(report, limits);
            if (seconds < CONFIRM_SECONDS && onlyLiveGrowth(verdict.problems)) {
              report = await soak(CONFIRM_SECONDS, ` (re-measured: ${verdict.problems[0]})`);
              verdict = assessSoak(report, limits);
            }
            expect(verdict.problems, verdict.problems.join('\n')).toEqual([]);
            expect(report.iterations).toBeGreaterThan(0);
          } finally {
            await backend.dispose();
          }
        },
        (seconds + CONFIRM_SECONDS + 120) * 1000,
      );
    }
  }
});
