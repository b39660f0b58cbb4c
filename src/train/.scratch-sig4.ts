import { main } from '../cli/main.js';

setInterval(
  () =>
    process.stderr.write(
      `[listeners INT=${process.listenerCount('SIGINT')} TERM=${process.listenerCount('SIGTERM')}]\n`,
    ),
  3000,
).unref();
process.exitCode = await main(process.argv.slice(2));
