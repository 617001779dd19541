// What an integrating department writes against the generated client types (openapi-typescript
// over the served OpenAPI document): log in as a citizen, list the wallet, verify a receipt.
// tests/api/client_test.sh type-checks it (tsc --strict) and runs it against a demo server, so a
// schema that does not say what the server answers fails here as well as in api_answers_test.
import type { paths } from './api';

declare const process: { argv: string[]; exit(code: number): never };

type Body<P extends keyof paths, M extends keyof paths[P]> =
  paths[P][M] extends { requestBody?: { content: { 'application/json': infer B } } } ? B : never;
type Answer<P extends keyof paths, M extends keyof paths[P], S extends number = 200> =
  paths[P][M] extends { responses: { [K in S]: { content: { 'application/json': infer A } } } } ? A : never;

async function call<T>(url: string, init: RequestInit = {}): Promise<T> {
  const r = await fetch(url, init);
  if (!r.ok) throw new Error(`${init.method ?? 'GET'} ${url}: ${r.status} ${await r.text()}`);
  return (await r.json()) as T;
}

export async function run(base: string, receipt: { code: string; number: string; check: string }) {
  const login: Body<'/api/v1/auth/login', 'post'> = { login: '13800000001', password: 'tongban-demo' };
  const tokens = await call<Answer<'/api/v1/auth/login', 'post'>>(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(login),
  });
  const auth = { Authorization: `${tokens.token_type} ${tokens.access_token}` };
  const me = await call<Answer<'/api/v1/me', 'get'>>(`${base}/api/v1/me`, { headers: auth });
  const wallet = await call<Answer<'/api/v1/me/licenses', 'get'>>(`${base}/api/v1/me/licenses`, { headers: auth });
  const licences: string[] = wallet.items.map((l) => `${l.type_code} ${l.status}`);
  const q = new URLSearchParams(receipt).toString();
  const verdict = await call<Answer<'/api/v1/receipts/verify', 'get'>>(`${base}/api/v1/receipts/verify?${q}`);
  const status: string = verdict.status;
  return { who: me.display_name, licences, receipt: status };
}

const [base, code, number, check] = process.argv.slice(2);
run(base, { code, number, check }).then(
  (r) => console.log(JSON.stringify(r)),
  (e) => { console.error(String(e)); process.exit(1); },
);
