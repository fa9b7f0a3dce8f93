// wasm-module.js — owns fetching and compiling the WebAssembly module, once per page. The page's
// cost estimates (js/cost.js) instantiate it, and the pool (js/pool.js) posts the compiled
// WebAssembly.Module to every worker (a Module is structured-cloneable), so the module is
// downloaded and compiled once, however many workers there are. Before, the page and each worker
// fetched it: on the bundled data the first load was ~950 KB gzipped, two thirds of it the module twice.

const WASM_URL = new URL('../pkg/memberlens_bg.wasm', import.meta.url);

let compiled = null;

/** The compiled module (a promise; the same one for every caller). */
export function wasmModule() {
  if (!compiled) compiled = compile();
  return compiled;
}

async function compile() {
  const res = await fetch(WASM_URL);
  if (!res.ok) throw new Error(`HTTP ${res.status} fetching ${WASM_URL.pathname}`);
  // Streaming compilation needs the application/wasm type; a host that sends another one still
  // works, compiling from the bytes.
  const type = res.headers.get('Content-Type') || '';
  if (typeof WebAssembly.compileStreaming === 'function' && type.startsWith('application/wasm')) {
    return WebAssembly.compileStreaming(res);
  }
  return WebAssembly.compile(await res.arrayBuffer());
}
