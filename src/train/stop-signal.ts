/**
 * Ctrl-C during training: the first SIGINT asks the loop to finish its current step, write a
 * checkpoint and stop; a second one exits at once (the last completed checkpoint is still on disk,
 * because checkpoints are written atomically).
 */

export interface StopSignal {
  /** True once a stop was asked for. */
  readonly requested: boolean;
  /** Asks for a stop from code (tests, a time limit). */
  request(): void;
  /** Removes the handler. */
  dispose(): void;
}

/** Installs the SIGINT/SIGTERM handler for one training run. */
export function installStopSignal(
  log: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
): StopSignal {
  let requested = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (requested) {
      log(`\n${signal} again: stopping now without a checkpoint of this step`);
      process.exit(130);
    }
    requested = true;
    log(`\n${signal}: finishing the current step, writing a checkpoint, then stopping (again to stop now)`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    get requested() {
      return requested;
    },
    request() {
      requested = true;
    },
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
