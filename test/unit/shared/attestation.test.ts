// The attestation's fixed texts: the archive spec digest it cites, the declaration templates, shell quoting of printed commands.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ARCHIVE_SPEC, makeDeclaration, shellQuote } from '../../../shared/core/attestation.ts';

const SPEC = fileURLToPath(new URL('../../../../shared/spec/archive-v1.md', import.meta.url));

test('the archive spec SHA-256 the method section cites is the digest of the spec text', () => {
  assert.ok(existsSync(SPEC), `${SPEC} (the format contract) is where the README says`);
  assert.equal(ARCHIVE_SPEC.sha256, createHash('sha256').update(readFileSync(SPEC)).digest('hex'));
  assert.match(readFileSync(SPEC, 'utf8'), new RegExp(`^# ${ARCHIVE_SPEC.title}\\n`));
});

test('declarations: the 28 U.S.C. 1746 form, the CrimPR 19 duties, and none', () => {
  const facts = { examiner: 'Dana Demo', role: 'Examiner', organisation: 'Lab', qualifications: null, evidence: 'E1', digestsMatched: true, verdict: 'verified' as const, claim: 'No alteration detected.', issuedAt: '2026-12-04T14:00:00Z' };
  const us = makeDeclaration('us-fre-902', facts);
  assert.match(us.text, /I declare under penalty of perjury under the laws of the United States of America that the foregoing is true and correct\.\n\nExecuted on 2026-12-04\./);
  assert.doesNotMatch(us.text, /authentic/i, 'non-conclusory: it states the process and the digests, not authenticity');
  const uk = makeDeclaration('uk-crimpr-19', { ...facts, digestsMatched: false });
  assert.match(uk.text, /overrides any obligation to the person who instructed or pays me/);
  assert.match(uk.text, /were NOT identical/);
  assert.match(uk.text, /I would be liable to prosecution if I have wilfully stated/);
  assert.deepEqual(makeDeclaration('none', facts), { template: 'none', templateVersion: '1', title: 'No declaration', text: '' });
});

test('shellQuote: what bash reads back is the string given', () => {
  for (const s of ['REPORT.pdf', 'Dana Demo', "O'Brien <ob@example.org>", 'a"b$c`d\\e']) {
    const r = spawnSync('bash', ['-c', `printf %s ${shellQuote(s)}`], { encoding: 'utf8' });
    assert.equal(r.stdout, s);
  }
  assert.equal(shellQuote('REPORT.pdf'), 'REPORT.pdf');
});
