// Process entry of the CLI bundle: real stdout/stderr, exit code, and no stack trace for an unexpected error.
import { main } from './main.ts';

export async function run(): Promise<void> {
  const write = (stream: NodeJS.WriteStream) => (s: string) => void stream.write(s);
  try {
    process.exitCode = await main(process.argv.slice(2), { stdout: write(process.stdout), stderr: write(process.stderr), stderrIsTty: Boolean(process.stderr.isTTY) });
  } catch (e) {
    process.stderr.write(`sealcheck: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 70;
  }
}
