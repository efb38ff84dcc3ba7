// A strict command-line parser: known flags only, values checked, every mistake one clear message (exit 2).
import { UsageError } from '../services/keys.node.ts';

export interface FlagSpec {
  /** 'bool' takes no value; 'one' at most once; 'many' repeatable. */
  kind: 'bool' | 'one' | 'many';
}

export interface Parsed {
  flags: Map<string, string[]>;
  positional: string[];
}

export function parseArgs(argv: readonly string[], spec: Record<string, FlagSpec>, command: string): Parsed {
  const flags = new Map<string, string[]>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
      const s = spec[name];
      if (!s) throw new UsageError(`${command}: unknown option --${name} (see sealcheck help)`);
      let value: string;
      if (s.kind === 'bool') {
        if (eq > 0) throw new UsageError(`${command}: --${name} takes no value`);
        value = 'true';
      } else if (eq > 0) value = a.slice(eq + 1);
      else {
        const next = argv[++i];
        if (next === undefined) throw new UsageError(`${command}: --${name} needs a value`);
        value = next;
      }
      const list = flags.get(name) ?? [];
      if (s.kind !== 'many' && list.length) throw new UsageError(`${command}: --${name} given more than once`);
      list.push(value);
      flags.set(name, list);
    } else positional.push(a);
  }
  return { flags, positional };
}

export function one(p: Parsed, name: string): string | undefined {
  return p.flags.get(name)?.[0];
}

export function required(p: Parsed, name: string, command: string): string {
  const v = one(p, name);
  if (v === undefined || v === '') throw new UsageError(`${command}: --${name} is required`);
  return v;
}

export function positiveInteger(p: Parsed, name: string, command: string): number | undefined {
  const v = one(p, name);
  if (v === undefined) return undefined;
  if (!/^[1-9][0-9]*$/.test(v) || !Number.isSafeInteger(Number(v))) throw new UsageError(`${command}: --${name} must be a positive integer, got ${JSON.stringify(v)}`);
  return Number(v);
}
