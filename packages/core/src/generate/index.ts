export { MIN_CACHE_CAPACITY, cacheCapacity } from './capacity.js';
export { HIDDEN_SCORE, cacheSlots, cachedAttention, recordingAttention, type CacheSlots, type RecordedKeyValues } from './cache-attention.js';
export {
  buildDecodeStep,
  buildLayerDecodeStep,
  buildLayerPrefill,
  buildPrefill,
  cacheKeyName,
  cacheValueName,
  layerCacheRow,
  modelCacheRow,
  newKeyName,
  newValueName,
  type CacheRowShape,
  type DecodeStepOptions,
  type PrefillOptions,
} from './graphs.js';
export { KeyValueCache } from './cache.js';
export { Decoder, type DecoderOptions } from './decoder.js';
export { readLanguageModel, type LanguageModel } from './language-model.js';
export { encodePrompt, parseVocabulary, showChar } from './vocab.js';
export { argmax, checkSamplingOptions, sampleToken, type SamplingOptions } from './sampling.js';
export { generate, generateIds, type DecodeOptions, type GenerateIdsOptions, type GenerateOptions } from './generate.js';
