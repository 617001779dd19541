// The human-readable API page: renders /api/v1/openapi.json as a table (method, path, access,
// summary) in the shared page shell (zh/en, large text).
import { applyLanguage, initShell, L } from './shell.js';

initShell();

function cell(row, text) {
  const td = document.createElement('td');
  td.textContent = text;
  row.appendChild(td);
  return td;
}

async function render() {
  const doc = await (await fetch('/api/v1/openapi.json')).json();
  const body = document.querySelector('#routes tbody');
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const row = document.createElement('tr');
      cell(row, method.toUpperCase());
      const code = document.createElement('code');
      code.textContent = path;
      row.appendChild(document.createElement('td')).appendChild(code);
      const access = cell(row, '');
      if (op['x-tongban-roles']) access.textContent = op['x-tongban-roles'].join(', ');
      else access.append(L('公开（无需登录）', 'public (no login)'));
      cell(row, op.summary || '');
      body.appendChild(row);
    }
  }
  applyLanguage();
  document.body.dataset.ready = 'true';
}

render();
