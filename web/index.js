// Landing page: the shared shell (zh/en, large text) and live status from /healthz and /readyz.
import { initShell } from './shell.js';

initShell();

async function show(path, id) {
  const el = document.getElementById(id);
  try {
    const res = await fetch(path);
    const body = await res.json();
    el.textContent = `${res.status} ${body.status}`;
  } catch (e) {
    el.textContent = String(e);
  }
}

show('/healthz', 'health');
show('/readyz', 'ready');
