/**
 * Requests made in the same moment go to the database together: what the delivery worker's turns
 * ask for concurrently (a fan-out to hundreds of channels) becomes one statement and one round
 * trip per moment instead of one each. Each caller still gets its own answer, in order. `run`
 * must do all of a batch or none of it (one statement or one transaction), so that a failed batch
 * can be tried again one input at a time.
 */
export class Batcher<I, O> {
  private waiting: Array<{ input: I; resolve: (output: O) => void; reject: (err: unknown) => void }> = [];

  constructor(
    /** Answers a batch: one output per input, in the same order. */
    private readonly run: (inputs: I[]) => Promise<O[]>,
    private readonly max = 128,
  ) {}

  add(input: I): Promise<O> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ input, resolve, reject });
      if (this.waiting.length === 1) setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    while (this.waiting.length > 0) {
      const batch = this.waiting.splice(0, this.max);
      this.run(batch.map((w) => w.input)).then(
        (outputs) => {
          batch.forEach((w, i) => w.resolve(outputs[i]));
        },
        (err: unknown) => {
          if (batch.length === 1) {
            batch[0].reject(err);
            return;
          }
          // A batch is one statement: it failed as a whole. Each input is tried again on its own,
          // so one that cannot be done (or a moment of trouble) fails only its own caller.
          for (const w of batch) this.run([w.input]).then(([output]) => w.resolve(output), w.reject);
        },
      );
    }
  }
}
