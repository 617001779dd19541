// Landing page: live status from /healthz and /readyz, and the zh/en switch (Chinese by default).
const langButton = document.getElementById('lang');
let lang = localStorage.getItem('tongban.lang') || 'zh';

function applyLanguage() {
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  for (const el of document.querySelectorAll('[data-zh]')) el.textContent = el.dataset[lang];
  langButton.textContent = lang === 'zh' ? 'English' : '中文';
}

langButton.addEventListener('click', () => {
  lang = lang === 'zh' ? 'en' : 'zh';
  localStorage.setItem('tongban.lang', lang);
  applyLanguage();
});

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

applyLanguage();
show('/healthz', 'health');
show('/readyz', 'ready');
