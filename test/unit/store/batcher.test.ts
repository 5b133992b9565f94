/** Requests of one moment go to the database together; a failed batch fails only the inputs that fail alone. */
import assert from 'node:assert/strict';
import { Batcher } from '../../../src/store/postgres/batcher';

describe('Batcher', () => {
  it('answers requests made in the same moment with one run, each caller its own answer', async () => {
    const runs: number[][] = [];
    const batcher = new Batcher<number, number>(async (inputs) => {
      runs.push(inputs);
      return inputs.map((n) => n * 10);
    });
    assert.deepEqual(await Promise.all([1, 2, 3].map((n) => batcher.add(n))), [10, 20, 30]);
    assert.deepEqual(runs, [[1, 2, 3]]);
  });

  it('keeps batches within its maximum', async () => {
    const sizes: number[] = [];
    const batcher = new Batcher<number, number>(async (inputs) => {
      sizes.push(inputs.length);
      return inputs;
    }, 2);
    await Promise.all([1, 2, 3, 4, 5].map((n) => batcher.add(n)));
    assert.deepEqual(sizes, [2, 2, 1]);
  });

  it('a batch that fails is tried again input by input: only the input that fails alone is refused', async () => {
    const runs: number[][] = [];
    const batcher = new Batcher<number, number>(async (inputs) => {
      runs.push(inputs);
      if (inputs.includes(2)) throw new Error('value 2 violates a constraint');
      return inputs;
    });
    const results = await Promise.allSettled([1, 2, 3].map((n) => batcher.add(n)));
    assert.deepEqual(
      results.map((r) => r.status),
      ['fulfilled', 'rejected', 'fulfilled'],
    );
    assert.match(String((results[1] as PromiseRejectedResult).reason), /violates/);
    assert.deepEqual(runs, [[1, 2, 3], [1], [2], [3]]);
  });
});
