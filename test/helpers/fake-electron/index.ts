// Maps `electron` to the stand-in for this test process and loads one isolated scenario: the built main (or any module) with its own fake app.
import { register } from 'node:module';

register('./hooks.mjs', import.meta.url);

let counter = 0;

export type FakeElectron = typeof import('./electron.ts');

/** A fresh stand-in `electron` instance; `setup` runs before the module under test is imported (e.g. to set packaged mode). */
export async function scenario<T = unknown>(moduleUrl: URL, setup: (fake: FakeElectron) => void = () => {}): Promise<{ fake: FakeElectron; module: T }> {
  const instance = `${process.pid}-${++counter}`;
  const fakeUrl = new URL('./electron.ts', import.meta.url);
  fakeUrl.searchParams.set('instance', instance);
  const fake = (await import(fakeUrl.href)) as FakeElectron;
  setup(fake);
  const target = new URL(moduleUrl);
  target.searchParams.set('instance', instance);
  const module = (await import(target.href)) as T;
  return { fake, module };
}
