// The few runtime globals shared/ relies on. They exist in Node, Electron and every browser,
// but shared/ compiles without DOM or node types, so they are declared here, narrowly.
declare class TextEncoder {
  encode(input?: string): Uint8Array;
}
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean });
  decode(input?: Uint8Array, options?: { stream?: boolean }): string;
}
