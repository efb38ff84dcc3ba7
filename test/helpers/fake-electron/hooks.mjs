// Module loader hook for tests: the specifier `electron` resolves to the stand-in (electron.ts), one instance per `?instance=` of the importer.
const FAKE = new URL('./electron.ts', import.meta.url);

export async function resolve(specifier, context, nextResolve) {
  if (specifier !== 'electron') return nextResolve(specifier, context);
  const url = new URL(FAKE);
  const instance = context.parentURL ? new URL(context.parentURL).searchParams.get('instance') : null;
  if (instance) url.searchParams.set('instance', instance);
  return { url: url.href, format: 'module', shortCircuit: true };
}
