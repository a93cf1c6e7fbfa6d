/**
 * @sas/data — training data for the char GPT, for any JS runtime: character
 * vocabularies, seeded batch samplers whose position is a small JSON record
 * (so a resumed run draws exactly the batches an uninterrupted one would),
 * multi-query associative recall, and recall accuracy. The Brown corpus
 * itself is Node-only: `@sas/data/brown`.
 */
export { CharVocab } from './vocab.js';
export { SeededStream, checkSeed, checkStreamState, STREAM_CYCLE, type StreamState } from './stream.js';
export { IGNORE_TARGET, splitBatch, type TokenBatch } from './batch.js';
export { TextWindowSampler, evaluationWindows, type WindowShape } from './windows.js';
export { MqarSampler, mqarEvaluationSet, mqarVocabSize, mqarSeqLen, checkMqarConfig, type MqarConfig } from './mqar.js';
export { recallAccuracy, type LogitsLike, type RecallScore } from './accuracy.js';
export { stripBrownTags, splitHeldOut, BROWN_HELD_OUT } from './brown-format.js';
