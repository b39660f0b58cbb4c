/**
 * Training progress: a one-line bar redrawn with a carriage return on a terminal, plain periodic lines
 * elsewhere (CI, a log file), so logs stay readable and terminals stay quiet.
 */

export interface ProgressOptions {
  /** Total steps of this phase (e.g. steps in an epoch). */
  total: number;
  /** Text before the bar, e.g. "epoch 3/10". */
  label?: string;
  /** Where to write; defaults to process.stderr. */
  stream?: ProgressStream;
  /** Force TTY or plain mode; defaults to the stream's isTTY. */
  tty?: boolean;
  /** Plain mode: minimum seconds between lines (the last step always prints). Default 10. */
  plainIntervalS?: number;
  /** Clock in milliseconds, injectable for tests. */
  now?: () => number;
}

export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface Progress {
  /** Reports that `done` steps are complete, with named figures such as the loss. */
  update(done: number, figures?: Record<string, number>): void;
  /** Ends the line (TTY) or prints the final line (plain). */
  finish(figures?: Record<string, number>): void;
}

/** Seconds as "1h02m", "3m05s" or "12s". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s >= 3600) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${s}s`;
}

function formatFigures(figures: Record<string, number> | undefined): string {
  if (!figures) return '';
  return Object.entries(figures)
    .map(
      ([name, value]) =>
        `${name} ${Math.abs(value) >= 1000 || value === 0 ? value.toFixed(0) : value.toPrecision(4)}`,
    )
    .join(' ');
}

/** Creates a progress display for `total` steps. */
export function createProgress(options: ProgressOptions): Progress {
  const stream: ProgressStream = options.stream ?? process.stderr;
  const tty = options.tty ?? stream.isTTY === true;
  const now = options.now ?? (() => performance.now());
  const intervalMs = (options.plainIntervalS ?? 10) * 1000;
  const total = Math.max(1, options.total);
  const start = now();
  let lastPlain = Number.NEGATIVE_INFINITY;
  let lastDone = 0;
  let lastFigures: Record<string, number> | undefined;

  const line = (done: number, figures?: Record<string, number>): string => {
    const elapsed = (now() - start) / 1000;
    const rate = elapsed > 0 ? done / elapsed : 0;
    const eta = rate > 0 ? (total - done) / rate : Number.NaN;
    const label = options.label ? `${options.label} ` : '';
    const stats = `${done}/${total} ${rate.toFixed(2)} it/s elapsed ${formatDuration(elapsed)} eta ${formatDuration(eta)}`;
    const extra = formatFigures(figures);
    if (!tty) return `${label}${stats}${extra ? ` ${extra}` : ''}`;
    const width = 20;
    const filled = Math.round((width * Math.min(done, total)) / total);
    const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
    const text = `${label}${bar} ${stats}${extra ? ` ${extra}` : ''}`;
    const columns = stream.columns ?? 120;
    return text.length >= columns ? text.slice(0, columns - 1) : text;
  };

  return {
    update(done, figures) {
      lastDone = done;
      lastFigures = figures ?? lastFigures;
      if (tty) {
        stream.write(`\r${line(done, lastFigures)}\x1b[K`);
        return;
      }
      const t = now();
      if (t - lastPlain >= intervalMs || done >= total) {
        lastPlain = t;
        stream.write(`${line(done, lastFigures)}\n`);
      }
    },
    finish(figures) {
      lastFigures = figures ?? lastFigures;
      if (tty) stream.write(`\r${line(lastDone, lastFigures)}\x1b[K\n`);
      else if (lastPlain === Number.NEGATIVE_INFINITY || lastDone < total)
        stream.write(`${line(lastDone, lastFigures)}\n`);
    },
  };
}
