// artifact.mjs — owns finding one artefact in cargo's JSON messages (`--message-format=json...`,
// on stdin) for the Makefile and scripts/suite.sh; prints its path, or fails saying what it got.
//   cargo ... --message-format=json-render-diagnostics | node scripts/artifact.mjs TARGET wasm|exe
// wasm: the target's cdylib .wasm file (the memberlens library for wasm32); exe: the target's
// executable (a test binary).
const [target, kind] = process.argv.slice(2);
if (!target || !['wasm', 'exe'].includes(kind)) {
  console.error('usage: node scripts/artifact.mjs TARGET wasm|exe  (cargo JSON messages on stdin)');
  process.exit(2);
}
let text = '';
process.stdin.on('data', (d) => (text += d)).on('end', () => {
  const found = text.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l))
    .filter((m) => m.reason === 'compiler-artifact' && m.target.name === target)
    .flatMap((m) => (kind === 'exe'
      ? (m.executable ? [m.executable] : [])
      : m.target.kind.includes('cdylib') ? m.filenames.filter((f) => f.endsWith('.wasm')) : []));
  if (found.length !== 1) {
    console.error(`artifact.mjs: expected one ${kind} of ${target} from cargo, got ${JSON.stringify(found)}`);
    process.exit(1);
  }
  console.log(found[0]);
});
