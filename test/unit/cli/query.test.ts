// sealcheck query as a user runs it (the built bundle): the sensitive preset and column in text, JSON and CSV, and counts from the aggregates.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TempDirs, sealArchive, writeKeyFiles, logKey, auditLines } from '../../helpers/archives.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const FIXTURES = join(ROOT, 'test/fixtures/formats');
const temp = new TempDirs();
let dir = '';

function ok(args: string[]): string {
  const r = spawnSync(process.execPath, [join(ROOT, 'electron/cli/sealcheck.mjs'), ...args], { cwd: dir, encoding: 'utf8' });
  assert.equal(r.status, 0, `${args.join(' ')}\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

// Ten plain events, then the six real ConfigMap creations carrying AWS-looking credentials (falco trace), then one
// event of a user who signs in with an e-mail address.
const CONFIGMAPS = readFileSync(join(FIXTURES, 'falco_k8s-audit_configmap-sensitive-values.jsonl'), 'utf8').split('\n').filter(Boolean);
const EMAIL_USER = JSON.stringify({ kind: 'Event', apiVersion: 'audit.k8s.io/v1', level: 'Metadata', auditID: '0b7c6f3e-1d2a-4c5b-9e8f-7a6b5c4d3e2f', stage: 'ResponseComplete', requestURI: '/api/v1/namespaces', verb: 'list', user: { username: 'jane.doe@corp.example' }, responseStatus: { code: 200 }, requestReceivedTimestamp: '2026-11-21T10:00:30.000000Z' });

before(async () => {
  const sealed = await sealArchive(temp, { lines: [...auditLines(10), ...CONFIGMAPS, EMAIL_USER] });
  dir = sealed.dir;
  await writeKeyFiles(join(dir, 'log'), logKey);
  ok(['verify', sealed.path, '--trust', 'log.pub', '--index', 'case.sqlite']);
});
after(() => temp.cleanup());

test('--preset sensitive: exactly the entries the rules match, with their rules in the text, JSON and CSV outputs, and counted from the aggregates', () => {
  assert.equal(ok(['query', 'case.sqlite', '--preset', 'sensitive', '--count']), '7\n');
  const events = JSON.parse(ok(['query', 'case.sqlite', '--preset', 'sensitive', '--json'])).events as { index: number; sensitive: string[] }[];
  assert.deepEqual(events.map((e) => [e.index, e.sensitive]).sort((a, b) => (a[0] as number) - (b[0] as number)), [
    ...CONFIGMAPS.map((_l, i) => [10 + i, ['credential-in-object']]),
    [16, ['personal-email']],
  ]);
  const all = JSON.parse(ok(['query', 'case.sqlite', '--json', '--limit', '100'])).events as { index: number; sensitive: string[] }[];
  assert.equal(all.length, 17);
  assert.deepEqual(all.filter((e) => e.index < 10).map((e) => e.sensitive), Array.from({ length: 10 }, () => []));
  const text = ok(['query', 'case.sqlite', '--preset', 'sensitive']).trim().split('\n');
  assert.equal(text.length, 7);
  assert.ok(text.every((l) => /\t(credential-in-object|personal-email)$/.test(l)), text.join('\n'));
  assert.match(ok(['query', 'case.sqlite', '--verb', 'list']), /\tjane\.doe@corp\.example\t.*\tpersonal-email\n/);
  const csv = ok(['query', 'case.sqlite', '--preset', 'sensitive', '--csv']).trim().split('\n');
  const col = csv[0]!.split(',').indexOf('sensitive');
  assert.ok(col > 0, csv[0]);
  assert.equal(csv.filter((l) => l.includes(',credential-in-object,')).length, 6);
});
