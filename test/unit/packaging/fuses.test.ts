// The afterPack hook flips every Electron fuse to the value the security checklist asks for, in a file laid out like Electron's fuse wire.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const require = createRequire(join(ROOT, 'package.json'));
const afterPack = (require(join(ROOT, 'scripts/after-pack.cjs')) as { default: (context: unknown) => Promise<void> }).default;

// Electron's fuse wire: the sentinel, the wire version (1), the wire length, then one byte per fuse ('0' off, '1' on, 'r' removed).
const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
const OFF = 0x30;
const ON = 0x31;
// Index order of FuseV1Options; the expected state for the shipped app.
const EXPECTED: [string, number][] = [
  ['RunAsNode', OFF],
  ['EnableCookieEncryption', ON],
  ['EnableNodeOptionsEnvironmentVariable', OFF],
  ['EnableNodeCliInspectArguments', OFF],
  ['EnableEmbeddedAsarIntegrityValidation', ON],
  ['OnlyLoadAppFromAsar', ON],
  ['LoadBrowserProcessSpecificV8Snapshot', OFF],
  ['GrantFileProtocolExtraPrivileges', OFF],
];

let dir = '';
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'sealcheck-fuses-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** A stand-in executable: junk, the wire with every fuse in the opposite state, a ninth fuse this hook does not know, junk. */
function standIn(path: string): { wireAt: number } {
  const head = Buffer.from('\x7fELF stand-in bytes before the wire '.repeat(40), 'latin1');
  const wire = Buffer.concat([
    Buffer.from(SENTINEL, 'latin1'),
    Buffer.from([1, EXPECTED.length + 1]),
    Buffer.from(EXPECTED.map(([, want]) => (want === ON ? OFF : ON))),
    Buffer.from([ON]),
  ]);
  writeFileSync(path, Buffer.concat([head, wire, Buffer.from(' and after it', 'latin1')]));
  return { wireAt: head.length + SENTINEL.length };
}

function context(platform: 'linux' | 'win32') {
  return { appOutDir: dir, electronPlatformName: platform, packager: { appInfo: { productFilename: 'Sealcheck' }, executableName: 'sealcheck' } };
}

for (const [platform, file] of [['linux', 'sealcheck'], ['win32', 'Sealcheck.exe']] as const) {
  test(`${platform}: every fuse byte of ${file} is set, the unknown ninth is left alone, nothing else changes`, async () => {
    const path = join(dir, file);
    const { wireAt } = standIn(path);
    const before = readFileSync(path);
    await afterPack(context(platform));
    const after = readFileSync(path);
    assert.equal(after.length, before.length);
    assert.equal(after[wireAt], 1, 'wire version');
    assert.equal(after[wireAt + 1], EXPECTED.length + 1, 'wire length');
    for (const [i, [name, want]] of EXPECTED.entries()) assert.equal(after[wireAt + 2 + i], want, name);
    assert.equal(after[wireAt + 2 + EXPECTED.length], ON, 'a fuse the hook does not know keeps its state');
    const changed = [...after.keys()].filter((i) => after[i] !== before[i]);
    assert.deepEqual(changed, EXPECTED.map((_, i) => wireAt + 2 + i));
  });
}

test('a file without the fuse sentinel is refused, not silently shipped unfused', async () => {
  writeFileSync(join(dir, 'sealcheck'), 'no wire here');
  await assert.rejects(afterPack(context('linux')), /Could not find sentinel/);
});
