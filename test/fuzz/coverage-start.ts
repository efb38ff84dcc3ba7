// Imported first by the fuzz runner and the smoke test, so block coverage covers the parsers from their first compilation.
import { startCoverage } from './engine.ts';

startCoverage();
