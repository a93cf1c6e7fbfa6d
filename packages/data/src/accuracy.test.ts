import { describe, expect, it } from 'vitest';
import { recallAccuracy } from './accuracy.js';

/** Logits [1, T, V] whose argmax at position t is `answers[t]`. */
function logitsFor(answers: number[], vocab: number) {
  const data = new Float32Array(answers.length * vocab).map((_, i) => Math.sin(i)); // noise below 1
  answers.forEach((a, t) => {
    data[t * vocab + a] = 5;
  });
  return { shape: [1, answers.length, vocab], data };
}

describe('recallAccuracy', () => {
  it('counts argmax hits at the asked positions only', () => {
    const targets = Int32Array.of(-100, -100, 3, 1, 4, 0);
    expect(recallAccuracy(logitsFor([3, 3, 3, 1, 4, 0], 5), targets)).toEqual({ correct: 4, total: 4, accuracy: 1 });
    expect(recallAccuracy(logitsFor([0, 0, 3, 2, 4, 1], 5), targets)).toEqual({ correct: 2, total: 4, accuracy: 0.5 });
  });

  it('breaks ties towards the first index, as torch.argmax does', () => {
    expect(recallAccuracy({ shape: [1, 1, 3], data: [1, 1, 0] }, [0]).correct).toBe(1);
    expect(recallAccuracy({ shape: [1, 1, 3], data: [1, 1, 0] }, [1]).correct).toBe(0);
  });

  it('refuses NaN logits, mismatched shapes, bad targets and nothing asked', () => {
    expect(() => recallAccuracy({ shape: [1, 2, 2], data: [0, 1, NaN, 0] }, [-100, 1])).toThrow(/^accuracy: logits at position 1 hold NaN$/);
    expect(() => recallAccuracy({ shape: [1, 2, 2], data: [0, 1, 1, 0] }, [1])).toThrow(/^accuracy: 1 targets for logits \[1,2,2\] \(expected 2\)$/);
    expect(() => recallAccuracy({ shape: [2, 2], data: [0, 1, 1, 0] }, [1, 1])).toThrow(/must be \[batch, seqLen, vocab\]/);
    expect(() => recallAccuracy({ shape: [1, 1, 2], data: [0, 1] }, [2])).toThrow(/^accuracy: targets\[0\] = 2 is neither -100 nor a token id 0\.\.1$/);
    expect(() => recallAccuracy({ shape: [1, 1, 2], data: [0, 1] }, [-100])).toThrow(/no position has a target/);
  });
});
