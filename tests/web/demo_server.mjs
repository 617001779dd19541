// Starts a throwaway `tongban demo` on a free 127.0.0.1 port for node scripts that need answers
// made by the real server (tests/web/receipt_answers.mjs, bench/web/verify_bench.mjs), and reads
// what it prints: the address, the API key of the demo hospital that issued the sample receipt (杭州市示范第一医院) and the sample receipt.
//   const demo = await startDemo('build/tongban', { suite: 'intl' }); … await demo.stop();
// One demo per call; stop() kills it and deletes its folder.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Resolves {base, hospitalKey, sample: {code, number, check}, stop} once /healthz answers; rejects
// (after stopping it) when the demo exits or prints nothing usable within 30 s.
export async function startDemo(tongban, { suite = 'gm' } = {}) {
  const dir = mkdtempSync(join(tmpdir(), `tb-demo-${suite}-`));
  const args = ['demo', '--dir', join(dir, 'demo'), '--listen', '127.0.0.1:0', ...(suite === 'gm' ? [] : ['--suite', suite])];
  const proc = spawn(tongban, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout.on('data', (d) => { out += d; });
  proc.stderr.on('data', (d) => { err += d; });
  const exited = new Promise((resolve) => proc.on('exit', resolve));
  const stop = async () => {
    if (proc.exitCode === null) proc.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  try {
    let sm = null;
    for (let i = 0; i < 300 && !sm; i++) {
      sm = /Sample receipt[^\n]*code\/number ([0-9]{8})\/([0-9]{10}), check code ([0-9A-Z]{6})/.exec(out);
      if (!sm) {
        if (proc.exitCode !== null) throw new Error(`demo exited: ${err.slice(-2000)}`);
        await sleep(100);
      }
    }
    const base = (/http:\/\/127\.0\.0\.1:[0-9]+/.exec(out) || [])[0];
    const hospital = out.split('\n').find((l) => /杭州市示范第一医院/.test(l) && /tbk_/.test(l));
    if (!sm || !base || !hospital) throw new Error(`the demo printed no address, hospital key or sample receipt: ${out}${err.slice(-2000)}`);
    for (let i = 0; i < 100; i++) {
      if ((await fetch(`${base}/healthz`).catch(() => ({ ok: false }))).ok) break;
      await sleep(100);
    }
    return { base, hospitalKey: /(tbk_[A-Za-z0-9_-]+)/.exec(hospital)[1], sample: { code: sm[1], number: sm[2], check: sm[3] }, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

// GB 11643 check digit for a synthetic 17-digit body (as cli/demo_data.cc builds 张伟's).
export function citizenId(body17) {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...body17].reduce((a, d, i) => a + Number(d) * w[i], 0);
  return body17 + '10X98765432'[sum % 11];
}
