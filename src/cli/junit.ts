/** JUnit XML for CI systems: one testcase per connection; failures carry the outcome, skips the reason. */
import type { CliResult } from './types';

/** Escapes text for XML content and attributes, dropping characters XML 1.0 cannot hold. */
export function xmlEscape(s: string): string {
  return s
    // eslint-disable-next-line no-control-regex -- characters XML 1.0 does not allow
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/**
 * `missingFails`: a connection not tested for want of credentials is a failure (else a skip), as
 * it fails the run. `nothingTested`: why the run tested nothing, reported as one more failed testcase
 * so that a CI's test view is red exactly when the exit status is.
 */
export function junitReport(results: readonly CliResult[], skipped: ReadonlyArray<{ model: string; connection: string; reason: string }>, manifest: string, run: { missingFails: boolean; nothingTested?: string }): string {
  const failures = results.filter((r) => r.outcome !== 'ok' && (r.tested || run.missingFails)).length + (run.nothingTested ? 1 : 0);
  const skips = (run.missingFails ? 0 : results.filter((r) => !r.tested).length) + skipped.length;
  const total = results.length + skipped.length + (run.nothingTested ? 1 : 0);
  const time = results.reduce((t, r) => t + (r.latencyMs ?? 0), 0) / 1000;
  const out: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="agent-connections" tests="${total}" failures="${failures}" errors="0" skipped="${skips}" time="${time.toFixed(3)}">`,
    `  <testsuite name="${xmlEscape(`agent-connections test ${manifest}`)}" tests="${total}" failures="${failures}" errors="0" skipped="${skips}" time="${time.toFixed(3)}" timestamp="${new Date().toISOString().slice(0, 19)}">`,
  ];
  for (const r of results) {
    const head = `    <testcase classname="${xmlEscape(r.model)}" name="${xmlEscape(`${r.model}/${r.connection}`)}" time="${((r.latencyMs ?? 0) / 1000).toFixed(3)}"`;
    if (r.outcome === 'ok') {
      out.push(`${head}/>`);
    } else if (!r.tested && !run.missingFails) {
      out.push(`${head}>`, `      <skipped message="${xmlEscape(`${r.outcome}: ${r.message}`)}"/>`, '    </testcase>');
    } else {
      const detail = [`provider: ${r.provider}`, `outcome: ${r.outcome}`, ...(r.status !== null ? [`status: ${r.status}`] : []), `message: ${r.message}`, `hint: ${r.hint}`].join('\n');
      out.push(`${head}>`, `      <failure type="${xmlEscape(r.outcome)}" message="${xmlEscape(`${r.outcome}: ${r.message}`)}">${xmlEscape(detail)}</failure>`, '    </testcase>');
    }
  }
  for (const s of skipped) {
    out.push(`    <testcase classname="${xmlEscape(s.model)}" name="${xmlEscape(`${s.model}/${s.connection}`)}" time="0.000">`, `      <skipped message="${xmlEscape(s.reason === 'disabled' ? 'disabled for inference' : s.reason)}"/>`, '    </testcase>');
  }
  if (run.nothingTested) {
    out.push('    <testcase classname="agent-connections" name="at least one connection tested" time="0.000">', `      <failure type="nothing_tested" message="${xmlEscape(run.nothingTested)}"/>`, '    </testcase>');
  }
  out.push('  </testsuite>', '</testsuites>');
  return out.join('\n') + '\n';
}
