// Validates logged answers (one JSON line each: method, pattern, status, content_type, body)
// against the OpenAPI 3.1 document: the operation of (method, pattern), its response for the
// status (or `default` for an error status it does not name), the schema of that content type.
// Prints each mismatch with the operation, status and Ajv's reason; exit 1 if any.
//   node validate_answers.mjs openapi.json answers_dir
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(join(process.env.NODE_PATH || '.', 'x.js'));
const Ajv2020 = require('ajv/dist/2020').default;

const [docFile, dir] = process.argv.slice(2);
const doc = JSON.parse(readFileSync(docFile, 'utf8'));
// The whole document as one schema resource, so "#/components/schemas/X" resolves inside it.
const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
ajv.addSchema({ ...doc, $id: 'openapi.json' });

const pointer = (parts) => parts.map((p) => String(p).replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
const openapiPath = (pattern) => pattern.replace(/\.\.\.\}/g, '}');
const cache = new Map();
function validatorFor(path, method, status, contentType) {
  const key = [path, method, status, contentType].join(' ');
  if (cache.has(key)) return cache.get(key);
  let result;
  const op = doc.paths?.[path]?.[method];
  if (!op) {
    result = { missing: `no operation ${method.toUpperCase()} ${path} in the document` };
  } else {
    let code = String(status);
    let response = op.responses?.[code];
    if (!response && status >= 400) { code = 'default'; response = op.responses?.default; }
    if (!response) {
      result = { missing: `${op.operationId}: status ${status} is not in the document` };
    } else {
      let ref = ['paths', path, method, 'responses', code];
      if (response.$ref) {
        ref = response.$ref.replace(/^#\//, '').split('/').map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
        response = ref.reduce((o, p) => o[p], doc);
      }
      const type = Object.keys(response.content || {}).find((t) => contentType.startsWith(t));
      if (!type) {
        result = { missing: `${op.operationId}: ${status} ${contentType} is not in the document` };
      } else {
        const validate = ajv.getSchema(`openapi.json#/${pointer([...ref, 'content', type, 'schema'])}`);
        result = { validate, name: `${op.operationId} ${status}` };
      }
    }
  }
  cache.set(key, result);
  return result;
}

let checked = 0;
let testOnly = 0;  // answers of routes a test registered itself (not in the program's document)
const failures = new Map();  // one line per (operation, status, reason)
const files = readdirSync(dir).filter((f) => f.endsWith('.jsonl'));
for (const file of files) {
  for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const a = JSON.parse(line);
    if (!doc.paths?.[openapiPath(a.pattern)]) { testOnly++; continue; }
    const v = validatorFor(openapiPath(a.pattern), a.method.toLowerCase(), a.status, a.content_type);
    checked++;
    if (v.missing) {
      failures.set(v.missing, `${file}: ${v.missing}`);
    } else if (!v.validate(a.body)) {
      const reason = ajv.errorsText(v.validate.errors, { separator: '; ' });
      failures.set(`${v.name} ${reason}`, `${file}: ${v.name}: ${reason}\n    body: ${JSON.stringify(a.body).slice(0, 300)}`);
    }
  }
}
for (const f of failures.values()) console.log(`FAIL ${f}`);
console.log(`answers: ${checked} checked from ${files.length} test programs (${testOnly} of test-only routes skipped), ${failures.size} distinct mismatches`);
if (checked < 100) { console.log('FAIL: fewer than 100 answers logged (is TONGBAN_ANSWER_DIR set?)'); process.exit(1); }
process.exit(failures.size ? 1 : 0);
