// Overlapping loads of one view (a filter changed twice, a search sent twice): only the
// newest answer may land, or an older one that arrives after it would replace it.

export class Latest {
  #started = 0;
  /** True while the newest load is in flight. */
  busy = $state(false);

  /** `busy` starts true for a view whose first load starts as it mounts. */
  constructor(loadingAtOnce = false) {
    this.busy = loadingAtOnce;
  }

  /** Runs `load`; answers what it answered, or undefined when a newer load began meanwhile. */
  async run<T>(load: () => Promise<T | undefined>): Promise<T | undefined> {
    const mine = ++this.#started;
    this.busy = true;
    try {
      const value = await load();
      return mine === this.#started ? value : undefined;
    } finally {
      if (mine === this.#started) this.busy = false;
    }
  }
}
