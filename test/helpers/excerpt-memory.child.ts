// Child of the excerpt memory test: verifies one excerpt in a fresh process and prints how far its resident memory grew.
import { verifyExcerpt } from '../../electron/services/excerpt.node.ts';
import { trustPolicy } from './archives.ts';

const [path, module] = process.argv.slice(2);
const verify: typeof verifyExcerpt = module ? (await import(module)).verifyExcerpt : verifyExcerpt;
globalThis.gc?.();
const start = process.memoryUsage().rss;
let peak = start;
const timer = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage().rss);
}, 5);
const v = await verify(path!, trustPolicy());
clearInterval(timer);
peak = Math.max(peak, process.memoryUsage().rss, process.resourceUsage().maxRSS * 1024);
process.stdout.write(`${JSON.stringify({ valid: v.valid, items: v.items.length, problems: v.problems.slice(0, 3), growthMiB: Math.round((peak - start) / 2 ** 20) })}\n`);
