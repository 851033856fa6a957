// A node:test reporter used by scripts/run-tests.mjs next to the spec reporter: writes one JSON line
// per skipped test or suite ({ file, name, reason }), so the runner can tell intentional skips
// ("not applicable: …") from suites skipped for a missing tool.
export default async function* skipReporter(source) {
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const { skip, name, file } = event.data;
    if (skip === undefined || skip === false) continue;
    const reason = typeof skip === 'string' ? skip : '';
    yield `${JSON.stringify({ file: file ?? null, name, reason })}\n`;
  }
}
