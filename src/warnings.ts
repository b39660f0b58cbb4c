// Warnings about a user's input that do not stop the work (an assumed geometry, replaced NaN voxels).
// Library code calls `warn`; the CLI prints each as one "mosmos: warning:" line on stderr, and tests
// collect them. One listener for the process, like Python's warnings module.

type WarningListener = (message: string) => void;

const printToStderr: WarningListener = (message) => process.stderr.write(`mosmos: warning: ${message}\n`);
let listener: WarningListener = printToStderr;

/** Reports a problem with the user's input that mosmos worked around; the message names the file. */
export function warn(message: string): void {
  listener(message);
}

/**
 * Runs `work` with warnings collected instead of printed.
 *
 * @example const { result, warnings } = await collectWarnings(() => readVolume('scan.nii.gz'));
 */
export async function collectWarnings<T>(work: () => Promise<T>): Promise<{ result: T; warnings: string[] }> {
  const warnings: string[] = [];
  const previous = listener;
  listener = (message) => warnings.push(message);
  try {
    return { result: await work(), warnings };
  } finally {
    listener = previous;
  }
}
