// Attestation in Chromium against the real backend: examiner key created in the app, a signed report of the verified sample archive, checked valid and (tampered) invalid; an entry's proof exported from the explorer.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Page } from 'playwright-core';
import { SAMPLES, appSession, eventually, screen, screenshot, stepTab, textIs, uiTests, verifiedCase, type AppSession, type Fixtures } from './helpers.ts';

let fx: Fixtures;
let app: AppSession;
let page: Page;
const ui = appSession({ ready: (s) => ({ fx, app, page } = s) });
const uiTest = uiTests(ui);
const PASSPHRASE = 'correct horse battery staple 2026';
const step = (name: string) => stepTab(page, name);
const detail = () => page.getByRole('complementary', { name: /^Entry \d+ details$/ });
/** The value of a <dt> in a facts list. */
const fact = (list: ReturnType<Page['locator']>, term: string) => list.locator(`dt:text-is("${term}") + dd`);

/** What the result card showed, kept for the checks that follow. */
let pdfPath = '';
let caseFolder = '';

uiTest('Setup: a case with the verified sample archive (log key, witness key)', async () => {
  const verdict = await verifiedCase(page, { number: '2026-0217', title: 'Attested audit trail of cluster-1' }, fx.goodTarGz, { log: fx.logPub, witness: fx.witnessPub });
  assert.equal(await verdict.getAttribute('data-verdict'), 'verified');
});

uiTest('Examiner key: created in the app (passphrase typed twice, never shown), then shown with its fingerprints and files', async () => {
  await step('Attestation').click();
  const s = screen(page);
  const form = s.getByRole('form', { name: 'Examiner key' });
  assert.equal(await form.getByLabel('Name').inputValue(), 'Dana Example', 'the case examiner is the default name');
  await form.getByLabel('Email').fill('dana@example.org');
  await form.getByLabel(/^Passphrase/).fill(PASSPHRASE);
  await form.getByLabel('Confirm passphrase').fill(`${PASSPHRASE}x`);
  // Never echoed: password inputs, and the passphrase is nowhere in the page's text.
  assert.equal(await form.getByLabel(/^Passphrase/).getAttribute('type'), 'password');
  assert.equal(await form.getByLabel('Confirm passphrase').getAttribute('type'), 'password');
  assert.equal((await page.locator('body').innerText()).includes(PASSPHRASE), false);
  await form.getByRole('button', { name: 'Create examiner key' }).click();
  await textIs(form.locator('p.field-error'), 'The two passphrases differ; type the same passphrase twice.');
  await form.getByLabel('Confirm passphrase').fill(PASSPHRASE);
  await form.getByRole('button', { name: 'Create examiner key' }).click();

  const key = s.locator('dl[aria-label="Examiner key"]');
  await key.waitFor();
  await textIs(fact(key, 'Name'), 'Dana Example');
  await textIs(fact(key, 'Email'), 'dana@example.org');
  const fingerprint = (await key.locator('[data-hash]').getAttribute('data-hash'))!;
  assert.match(fingerprint, /^[0-9a-f]{64}$/);
  // Grouped like the key table: 16 groups of 4.
  assert.equal(await key.locator('[data-hash] > span').count(), 16);
  const ssh = (await key.getByTestId('ssh-fingerprint').textContent())!.trim();
  assert.match(ssh, /^SHA256:[A-Za-z0-9+/]{43}$/);
  const files = ['Private key', 'Public key (PEM)', 'Public key (OpenSSH)'];
  const paths: string[] = [];
  for (const f of files) paths.push((await fact(key, f).locator('.path').getAttribute('title'))!);
  for (const p of paths) assert.ok(existsSync(p), `${p} exists`);
  caseFolder = dirname(paths[0]!);
  // The OpenSSH fingerprint is the one ssh-keygen computes from the .ssh.pub file, where ssh-keygen is installed.
  const lf = spawnSync('ssh-keygen', ['-l', '-f', paths[2]!], { encoding: 'utf8' });
  if (lf.status === 0) assert.equal(lf.stdout.split(' ')[1], ssh);
  assert.equal(await s.getByRole('form', { name: 'Examiner key' }).count(), 0, 'the form is gone once the key exists');
});

uiTest('Sign: a wrong passphrase is refused; the right one signs the verified archive, with the four files and the ssh-keygen command', async () => {
  const s = screen(page);
  const form = s.getByRole('form', { name: 'Sign an attestation' });
  assert.match((await form.getByRole('combobox', { name: 'Archive' }).locator('option:checked').textContent())!, /good\.tar\.gz \(verified\)$/);
  await form.getByLabel('Examiner key passphrase').fill('not the passphrase');
  await form.getByRole('button', { name: 'Sign attestation' }).click();
  await s.getByRole('alert').filter({ hasText: 'The attestation could not be signed' }).waitFor({ timeout: 60_000 });

  // The declaration is the examiner's choice, as with attest --declaration.
  const declaration = s.getByRole('form', { name: 'Sign an attestation' }).getByRole('combobox', { name: 'Declaration' });
  assert.equal(await declaration.inputValue(), 'none');
  await declaration.selectOption({ label: 'England and Wales: Criminal Procedure Rules, Part 19' });
  await s.getByRole('form', { name: 'Sign an attestation' }).getByLabel('Examiner key passphrase').fill(PASSPHRASE);
  await s.getByRole('form', { name: 'Sign an attestation' }).getByRole('button', { name: 'Sign attestation' }).click();
  const verdict = s.getByRole('status', { name: 'Attested verdict' });
  await verdict.waitFor({ timeout: 90_000 });
  assert.equal(await verdict.getAttribute('data-verdict'), 'verified');
  await textIs(verdict.getByRole('heading'), 'Verified');
  // The exact claim: what was checked and no more.
  assert.match((await verdict.locator('.verdict-reason').textContent())!.trim(), /^No alteration detected in the 2,971 sealed entries up to tree size 2,971 \(root [A-Za-z0-9+/]{43}=\), relative to the keys listed in \u00a74\.$/);
  assert.equal(await s.getByRole('alert').count(), 0, 'the wrong-passphrase error is gone');
  const files = s.locator('dl[aria-label="Attestation files"]');
  assert.ok(((await files.getByTestId('report-id').textContent()) ?? '').trim().length > 0, 'a report id');
  const shown: Record<string, string> = {};
  for (const term of ['Signed PDF', 'DSSE statement', 'SSH signature', 'Allowed signers']) {
    shown[term] = (await fact(files, term).locator('.path').getAttribute('title'))!;
    assert.ok(existsSync(shown[term]!), `${term}: ${shown[term]} exists`);
    assert.equal(dirname(shown[term]!), join(caseFolder, 'attestations'));
  }
  pdfPath = shown['Signed PDF']!;
  const statement = JSON.parse(Buffer.from(JSON.parse(await readFile(shown['DSSE statement']!, 'utf8')).payload, 'base64').toString('utf8'));
  assert.equal(JSON.stringify(statement).match(/"template":"([a-z0-9-]+)"/)?.[1], 'uk-crimpr-19', 'the chosen declaration is the one signed');
  // As with CLI attest, the installation self-test ran first: passed, its record beside the report and hashed into it.
  const selfTest = JSON.stringify(statement).match(/"selfTest":(\{[^}]*\})/)?.[1];
  assert.ok(selfTest, 'the statement records the self-test');
  const recorded = JSON.parse(selfTest!) as { status: string; recordSha256: string };
  assert.equal(recorded.status, 'passed');
  const record = await readFile(pdfPath.replace(/\.pdf$/, '.self-test.json'));
  assert.equal(createHash('sha256').update(record).digest('hex'), recorded.recordSha256);
  assert.match(basename(pdfPath), /^.*\.pdf$/);
  assert.equal((await readFile(pdfPath)).subarray(0, 5).toString('latin1'), '%PDF-');
  const command = (await s.getByRole('region', { name: 'Signed attestation' }).locator('pre[aria-label="ssh-keygen verify command"]').textContent())!;
  assert.match(command, /^ssh-keygen -Y verify -f \S+ -I \S+ -n sealcheck-attestation -s \S+ < \S+\.pdf$/);
  assert.ok(command.includes(shown['SSH signature']!) && command.includes(shown['Allowed signers']!));
  // The command works as shown, where OpenSSH is installed.
  if (spawnSync('ssh-keygen', ['-?']).error === undefined) {
    const r = spawnSync('sh', ['-c', command], { encoding: 'utf8' });
    assert.equal(r.status, 0, `${command}\n${r.stdout}${r.stderr}`);
  }
  assert.equal((await page.locator('body').innerText()).includes(PASSPHRASE), false, 'the passphrase is not echoed');

  // Open report / Show in folder: real buttons, keyboard-operable, the outcome announced in a live region that was there (empty) before.
  const card = s.getByRole('region', { name: 'Signed attestation' });
  const announced = card.locator('.reveal-buttons [role=status]');
  assert.equal(await announced.textContent(), '');
  const openReport = card.getByRole('button', { name: 'Open report', exact: true });
  await openReport.focus();
  await page.keyboard.press('Enter');
  await textIs(announced, 'Opened the report in its viewer.');
  assert.equal(await page.evaluate('document.activeElement && document.activeElement.textContent.trim()'), 'Open report', 'focus stays on the button');
  await card.getByRole('button', { name: 'Show in folder: the report', exact: true }).click();
  await textIs(announced, 'Showed the report in its folder.');
  assert.deepEqual(app.bridge.revealed, [{ path: pdfPath, how: 'open' }, { path: pdfPath, how: 'folder' }]);
  await page.locator('main').evaluate((el) => el.scrollTo(0, 0));
  await s.getByRole('region', { name: 'Signed attestation' }).scrollIntoViewIfNeeded();
  await screenshot(page, 'attestation-light');
});

uiTest('Check: the signed report with its evidence is VALID (9 checks ✓); a copy with one byte flipped is INVALID at the PDF signature', async () => {
  const s = screen(page);
  const form = s.getByRole('form', { name: 'Check an attestation' });
  await form.getByLabel('Signed PDF').fill(pdfPath);
  await form.getByLabel('Evidence archive').fill(fx.goodTarGz);
  await form.getByRole('button', { name: 'Check attestation' }).click();
  const result = s.getByRole('region', { name: 'Attestation check', exact: true });
  await result.waitFor({ timeout: 60_000 });
  assert.equal(await result.getAttribute('data-valid'), 'true');
  await textIs(result.getByTestId('attestation-validity'), 'VALID');
  const checks = result.getByRole('list', { name: 'Checks' }).getByRole('listitem');
  // PDF signature, both statements (ours and the SLSA summary) and their agreement, both copies beside the PDF, the pages, SSHSIG, the evidence.
  assert.equal(await checks.count(), 9);
  assert.deepEqual(await checks.locator('.check-mark').allTextContents(), Array(9).fill('✓'));
  assert.deepEqual(await checks.evaluateAll((els) => els.map((e) => e.getAttribute('data-ok'))), Array(9).fill('true'));
  assert.match((await checks.first().textContent())!, /^✓PDF signature/);
  assert.match((await checks.last().textContent())!, /evidence digests/);
  await result.scrollIntoViewIfNeeded();
  await screenshot(page, 'attestation-check-light');

  // A copy of the PDF with one byte in the middle changed.
  const tampered = join(await ui.temp.dir('tampered-pdf'), 'report-copy.pdf');
  await copyFile(pdfPath, tampered);
  const b = await readFile(tampered);
  b[Math.floor(b.length / 2)]! ^= 0x01;
  await writeFile(tampered, b);
  await form.getByLabel('Signed PDF').fill(tampered);
  await form.getByLabel('Evidence archive').fill('');
  await form.getByRole('button', { name: 'Check attestation' }).click();
  await eventually(() => result.getAttribute('data-valid'), (v) => v === 'false', 'INVALID', 60_000);
  await textIs(result.getByTestId('attestation-validity'), 'INVALID');
  const pdfCheck = result.getByRole('listitem').filter({ hasText: 'PDF signature' });
  assert.equal(await pdfCheck.getAttribute('data-ok'), 'false');
  await textIs(pdfCheck.locator('.check-mark'), '✗');
  await result.scrollIntoViewIfNeeded();
  await screenshot(page, 'attestation-check-invalid-light');
});

uiTest('Explorer: Export proof writes the tlog-proof and the entry bytes, and shows the checkpoint and tree size', async () => {
  await step('Explorer').click();
  const grid = page.getByRole('grid', { name: 'Events' });
  await grid.locator('[role=row][aria-rowindex="7"]').click();
  await textIs(detail().getByTestId('detail-index'), '5');
  await detail().getByRole('button', { name: 'Export proof' }).click();
  const proof = detail().locator('dl[aria-label="Exported proof"]');
  await proof.waitFor();
  const proofPath = (await fact(proof, 'Proof').locator('.path').getAttribute('title'))!;
  const entryPath = (await fact(proof, 'Entry bytes').locator('.path').getAttribute('title'))!;
  const checkpoint = (await fact(proof, 'Against checkpoint').locator('.path').getAttribute('title'))!;
  assert.ok(existsSync(proofPath), `${proofPath} exists`);
  assert.ok(existsSync(entryPath), `${entryPath} exists`);
  assert.equal(dirname(proofPath), join(caseFolder, 'proofs'));
  // The entry's bytes are line 6 of the sample exactly; the tree size is the checkpoint's.
  const line5 = (await readFile(join(SAMPLES, 'immudb-log-audit_k8s.jsonl'), 'utf8')).split('\n')[5]!;
  assert.equal((await readFile(entryPath, 'utf8')).replace(/\n$/, ''), line5);
  assert.match(checkpoint, /checkpoints\/\d{12}\.ckpt$/);
  const size = Number(/(\d{12})\.ckpt$/.exec(checkpoint)![1]);
  await textIs(proof.getByTestId('proof-tree-size'), size.toLocaleString('en-US'));
  assert.equal(await proof.getAttribute('data-tree-size'), String(size));
  assert.ok((await readFile(proofPath, 'utf8')).length > 0);
  const before = app.bridge.revealed.length;
  assert.equal(await detail().getByRole('button', { name: /^Open proof/ }).count(), 0, 'a .tlog-proof has no viewer: only Show in folder');
  await detail().getByRole('button', { name: 'Show in folder: the proof', exact: true }).press('Space');
  await textIs(detail().locator('.reveal-buttons [role=status]'), 'Showed the proof in its folder.');
  assert.deepEqual(app.bridge.revealed.slice(before), [{ path: proofPath, how: 'folder' }]);
  await proof.scrollIntoViewIfNeeded();
  await screenshot(page, 'explorer-proof-light');
  assert.deepEqual(app.guard.errors, [], 'no console error, page error or CSP violation');
  assert.deepEqual(app.guard.foreignRequests, [], 'no request outside the app');
});
