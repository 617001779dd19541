// Shared by the data platform's pages (/portal/data, /console/data, /console/department): the
// public catalogue (GET /api/v1/data/catalogue, fetched once per page) with department, dataset
// and element names in the reader's language, masked ID numbers, values shown by their element
// type, and refusals (403) explained in words. Endpoints and answers: docs/data.md.

import { api, ApiError, h, L, showError } from './shell.js';

let cataloguePromise = null;
// {departments, datasets, dept(key), deptByName(name_zh), dataset(code)}; fetched once per page.
export function catalogue() {
  cataloguePromise ||= api('/api/v1/data/catalogue').then((c) => {
    const depts = new Map(c.departments.map((d) => [d.key, d]));
    const sets = new Map(c.datasets.map((d) => [d.code, d]));
    return {
      ...c,
      dept: (key) => depts.get(key),
      deptByName: (name) => c.departments.find((d) => d.name_zh === name),
      dataset: (code) => sets.get(code),
    };
  }).catch((e) => { cataloguePromise = null; throw e; });
  return cataloguePromise;
}

// A department or dataset ({name_zh, name_en}) named in the reader's language.
export const named = (x, fallback = '—') => (x ? L(x.name_zh, x.name_en || x.name_zh) : fallback);

// An element of a dataset named in the reader's language (its code when the catalogue lacks it).
export function elementOf(dataset, code) {
  return (dataset && dataset.elements || []).find((e) => e.code === code) || { code, name_zh: code, name_en: code };
}
export const elementName = (dataset, code) => named(elementOf(dataset, code));

// A list of element names, "姓名、户籍地址" / "Name, Registered address".
export const elementList = (dataset, codes) => h('span', {}, codes.flatMap((c, i) => (i ? [L('、', ', '), elementName(dataset, c)] : [elementName(dataset, c)])));

// An <option> naming a department, dataset or element ({name_zh, name_en}) in the reader's language.
export function option(x, value) {
  const o = L(x.name_zh, x.name_en || x.name_zh, 'option');
  o.value = value;
  return o;
}

// A fieldset's checkboxes, one per element of the dataset (none without one), each with the id
// idPrefix + the element's code; the fieldset's other children (its legend) stay.
export function elementCheckboxes(fieldset, ds, idPrefix) {
  for (const el of [...fieldset.querySelectorAll('label')]) el.remove();
  for (const e of ds ? ds.elements : []) {
    const id = `${idPrefix}${e.code}`;
    fieldset.append(h('label', { for: id }, h('input', { type: 'checkbox', id, name: 'element', value: e.code }), named(e)));
  }
}

// "330106198503122138" → "3301**********2138": the first four and last four characters.
export function maskId(id) {
  const s = String(id || '');
  return s.length <= 8 ? s : `${s.slice(0, 4)}${'*'.repeat(s.length - 8)}${s.slice(-4)}`;
}

// GB 11643 (18 characters, the last a check character) or GB 32100 (18, two check characters):
// the shape only; the server checks both check characters.
export const looksLikeSubject = (s) => /^[0-9]{17}[0-9X]$/.test(s) || /^[0-9A-HJ-NP-RTUWXY]{2}[0-9]{6}[0-9A-HJ-NP-RTUWXY]{10}$/.test(s);

// GB 11643's check character of a citizen ID number (true when it matches).
export function citizenIdChecks(id) {
  if (!/^[0-9]{17}[0-9X]$/.test(id)) return false;
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...id.slice(0, 17)].reduce((a, d, i) => a + Number(d) * w[i], 0);
  return '10X98765432'[sum % 11] === id[17];
}

// A value of an element, as shown: ID numbers masked (the full number is never needed to read the
// page), money in yuan from integer fen; numbers, dates and codes never broken across lines.
export function valueCell(element, value) {
  if (value === null || value === undefined || value === '') return h('span', { className: 'muted' }, '—');
  const t = element && element.type;
  if (t === 'citizen_id' || t === 'uscc') return h('span', { className: 'nobr', 'data-raw': '' }, maskId(value));
  if (t === 'fen') {
    const v = BigInt(value);
    const yuan = (v / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
    return h('span', { className: 'nobr', 'data-raw': '' }, `¥${yuan}.${(v % 100n).toString().padStart(2, '0')}`);
  }
  if (['date', 'integer', 'decimal'].includes(t)) return h('span', { className: 'nobr', 'data-raw': '' }, String(value));
  return h('span', { 'data-raw': '' }, String(value));
}

// Raw text from the data (a person's name, an address, a purpose typed by a department): shown as
// is in both languages.
export const raw = (text, className) => h('span', { 'data-raw': '', className }, text === undefined || text === null || text === '' ? '—' : String(text));

// A time as formatTime gives it ("2026-12-07 19:25:44 (UTC+8)"): the date, the time and the zone
// each unbroken, a line break allowed only between them.
export function when(text) {
  const parts = String(text).split(' ');
  return h('span', { className: 'when' }, parts.flatMap((p, i) => [i ? ' ' : '', h('span', { className: 'nobr' }, p)]));
}

// The server's reasons for a refused read or decision (data_service.cc), in words, both languages.
const REASONS = [
  [/no such agreement/, '没有找到本部门的这项共享协议（协议编号有误，或协议属于其他部门）。', 'There is no such sharing agreement of your department (a wrong number, or it belongs to another department).'],
  [/agreement is for another dataset/, '该共享协议不涵盖这个数据集：请选择涵盖该数据集的协议。', 'The sharing agreement does not cover this dataset: pick an agreement that does.'],
  [/agreement is requested/, '该共享协议尚未获得数据提供部门批准，批准前不能查询。', 'The provider has not approved this sharing agreement yet; no reads until it does.'],
  [/agreement is rejected/, '该共享协议已被数据提供部门驳回，不能据此查询。', 'The provider rejected this sharing agreement; it allows no reads.'],
  [/agreement is revoked/, '该共享协议已被撤销，查询随即停止。', 'This sharing agreement was revoked; reads under it have stopped.'],
  [/agreement has expired/, '该共享协议已过期，请重新申请。', 'This sharing agreement has expired; request a new one.'],
  [/no such grant/, '当事人没有向本部门授权查询这些数据。', 'The person has not authorised your department to read this data.'],
  [/grant is for another dataset/, '当事人的授权不涵盖这个数据集。', 'The person\'s authorisation does not cover this dataset.'],
  [/withdrew the grant/, '当事人已撤回授权。', 'The person has withdrawn the authorisation.'],
  [/grant has expired/, '当事人的授权已过期。', 'The person\'s authorisation has expired.'],
  [/cases are not handled/, '本系统尚未接入办件：不能凭办件编号查询，请选择共享协议。', 'This system does not handle cases yet: a case number allows no reads; pick an agreement.'],
  [/no such case|no open case/, '没有本部门需要这些数据的在办件。', 'No open case of your department needs this data.'],
  [/not covered by the purpose/, '所选数据项超出了查询依据的范围：只能查询协议或授权列明的数据项。', 'An element you picked is outside what the purpose covers: only the elements the agreement or authorisation names can be read.'],
  [/department is not in the data catalogue/, '您所在的部门不在公共数据目录中，不能查询或共享数据。', 'Your department is not in the public data catalogue, so it cannot read or share data.'],
  [/only the department that owns/, '只有数据集的所属部门可以这样做。', 'Only the department that owns the dataset may do this.'],
  [/already (withdrawn|rejected|revoked|approved)/, '该事项已经处理过，状态已变化。', 'This was already decided; its state has changed.'],
  [/an objection to element .* (waits|is)/, '对这一数据项的异议正在处理中，处理完之前不能再提。', 'An objection to this element is still being handled; wait for its decision.'],
  [/objection is already/, '该异议已经处理过。', 'This objection was already decided.'],
  [/changed meanwhile|decided meanwhile/, '该事项刚刚被他人处理，请刷新后再试。', 'Someone else changed this just now; reload and try again.'],
];

// A box explaining a refusal (an ApiError): what it means in words, then the server's own detail.
export function explainRefusal(err) {
  const detail = (err && err.problem && err.problem.detail) || String(err && err.message || err);
  const hit = REASONS.find(([re]) => re.test(detail));
  const box = h('div', { className: 'problem', role: 'alert', 'data-refused': String(err && err.status || '') });
  box.append(h('strong', {}, err && err.status === 403 ? L('查询被拒绝', 'Read refused') : L('未能完成', 'Not done'),
    err && err.status ? ` (${err.status})` : ''));
  box.append(h('p', { className: 'explain' }, hit ? L(hit[1], hit[2]) : L('服务器拒绝了此操作。', 'The server refused this.')));
  box.append(h('p', { className: 'muted' }, L('服务器说明：', 'The server said: '), h('code', { 'data-raw': '' }, detail)));
  return box;
}

// A refused form or decision shown in its error box: bad input (400) as a plain error, a refusal
// explained in words; nothing on 401 (the session's onExpired says so).
export function showRefusal(box, e) {
  if (e instanceof ApiError && e.status === 400) showError(box, e);
  else if (!(e instanceof ApiError && e.status === 401)) { box.hidden = false; box.replaceChildren(explainRefusal(e)); }
}

// A state as a badge, from a table of state → [zh, en, tone] (tone: good, bad or warn); a state
// the table lacks is shown as is, in warn. By default a sharing agreement's states.
const AGREEMENT_STATES = {
  requested: ['待审批', 'awaiting approval', 'warn'],
  approved: ['已批准', 'approved', 'good'],
  rejected: ['已驳回', 'rejected', 'bad'],
  revoked: ['已撤销', 'revoked', 'bad'],
};
export const stateBadge = (state, states = AGREEMENT_STATES) => {
  const [zh, en, tone] = states[state] || [state, state, 'warn'];
  return h('span', { className: `state state-${tone}`, 'data-state': state }, L(zh, en));
};
