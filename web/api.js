// The human-readable API page: renders /api/v1/openapi.json as a table (method, path, access,
// summary) with the same zh/en switch as the other pages.
const langButton = document.getElementById('lang');
let lang = localStorage.getItem('tongban.lang') || 'zh';
const publicLabel = { zh: '公开（无需登录）', en: 'public (no login)' };

function applyLanguage() {
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  for (const el of document.querySelectorAll('[data-zh]')) el.textContent = el.dataset[lang];
  for (const el of document.querySelectorAll('[data-public]')) el.textContent = publicLabel[lang];
  langButton.textContent = lang === 'zh' ? 'English' : '中文';
}

langButton.addEventListener('click', () => {
  lang = lang === 'zh' ? 'en' : 'zh';
  localStorage.setItem('tongban.lang', lang);
  applyLanguage();
});

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
      else access.dataset.public = '1';
      cell(row, op.summary || '');
      body.appendChild(row);
    }
  }
  applyLanguage();
}

applyLanguage();
render();
