import { join, resolve } from 'node:path';
import { declareFixtureStructures } from '@/demo/demo.seed';
import { IngestionService } from '@/ingestion/ingestion.service';
import { apiAs, authHeaders, createUserAndToken } from '@test/support/auth';
import { createTestApp, TestApp } from '@test/support/test-app';

const FIXTURES = resolve(__dirname, '..', '..', 'fixtures');
const COMMUNE = '21490412000018';

// What an attacker or a broken script puts in a query parameter or a path segment.
const GARBAGE = [
  'abc',
  '-1',
  '0',
  '1.5',
  '2025-13-45',
  '2025-02-30',
  '99999999999999999999999999999',
  '1e400',
  'NaN',
  '------------------------------------',
  "'; DROP TABLE invoices; --",
  'x'.repeat(900), // all the names at once stay under Node's 16 KB of request head
  '%00',
  'a%00b',
  '%ED%A0%80', // a lone surrogate, as UTF-8 bytes (invalid)
  '%C3%28', // invalid UTF-8
  '[]',
  'true',
];
// English fragments of library messages that must never reach a user.
const ENGLISH = /\b(must be|should not|Cannot (GET|POST)|Validation failed|Internal server error|Unexpected token|is not valid JSON|invalid input syntax)\b/i;


interface Route {
  path: string;
  /** Query parameters the OpenAPI document lists for the route. */
  documented: string[];
}

// Names routes commonly read, sent to every route (undocumented ones included).
const COMMON_NAMES = ['limit', 'cursor', 'structure', 'flow', 'from', 'to', 'date', 'before', 'status', 'budget', 'year', 'id', 'sort', 'all', 'download'];

/** A few requests at a time: the sweep is a few thousand requests. */
async function inParallel(tasks: Array<() => Promise<void>>, width = 6): Promise<void> {
  const queue = [...tasks];
  await Promise.all(Array.from({ length: width }, async () => {
    for (let task = queue.shift(); task; task = queue.shift()) await task();
  }));
}

/**
 * Malformed input is the caller's mistake: 400 (or 404, 413) with a French message, never a 500. Every GET route the
 * Nest router serves — new ones included, read from the router itself — gets garbage in each of its query parameters
 * (those the OpenAPI document lists, plus the usual names) and in each path segment.
 */
describe('Malformed requests: a French 4xx, never a 500', () => {
  let t: TestApp;
  let admin: ReturnType<typeof apiAs>;
  let token: string;
  let routes: Route[];
  const realIds: Record<string, string> = {};

  beforeAll(async () => {
    t = await createTestApp();
    await declareFixtureStructures(t.app);
    await t.app.get(IngestionService).importPaths([join(FIXTURES, 'pivot', 'flux-001.xml')], { source: 'cli' });
    token = await createUserAndToken(t, { email: 'gp@saint-aubin.fr', role: 'admin', structureSirets: [COMMUNE] });
    admin = apiAs(t, token);
    const invoice = (await admin.get('/api/invoices?limit=1')).body.items[0];
    realIds.invoice = invoice.id;
    realIds.attachment = (await admin.get(`/api/invoices/${invoice.id}`)).body.attachments[0].id;
    realIds.flow = invoice.flowId;

    // Every GET route of the router (pages included), and the query parameters the OpenAPI document gives them.
    const doc = (await admin.get('/api/docs-json')).body as { paths: Record<string, { get?: { parameters?: Array<{ name: string; in: string }> } }> };
    const router = (t.app.getHttpAdapter().getInstance() as { router: { stack: Array<{ route?: { path: string; methods: Record<string, boolean> } }> } }).router;
    const paths = [...new Set(router.stack.filter((l) => l.route?.methods.get).map((l) => l.route!.path))];
    routes = paths
      .filter((path) => !path.startsWith('/api/docs'))
      .map((path) => {
        const openApi = path.replace(/:(\w+)/g, '{$1}');
        return { path, documented: (doc.paths[openApi]?.get?.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name) };
      });
    expect(routes.length).toBeGreaterThan(25);
  });
  afterAll(async () => t?.close());

  /** A plausible value for a path parameter, so that query parameters reach the code behind the route. */
  function withRealIds(path: string): string {
    return path
      .replace(/^\/api\/invoices\/:id/, `/api/invoices/${realIds.invoice}`)
      .replace(':attachmentId', realIds.attachment)
      .replace(/^\/api\/flows\/:id/, `/api/flows/${realIds.flow}`)
      .replace(':siret', COMMUNE)
      .replace(/:\w+/g, 'x');
  }

  async function expectNo500(url: string, failures: string[]): Promise<void> {
    const res = await admin.call('GET', url);
    const text = typeof res.body === 'string' ? res.body : JSON.stringify(res.body);
    if (res.status >= 500) failures.push(`${res.status} GET ${url.slice(0, 160)} → ${text.slice(0, 200)}`);
    else if (res.status >= 400 && (ENGLISH.test(text) || !res.body?.message)) failures.push(`${res.status} GET ${url.slice(0, 160)} : message ${text.slice(0, 200)}`);
  }

  it('answers garbage in every query parameter of every GET route without a 500, in French', async () => {
    const failures: string[] = [];
    for (const route of routes) {
      const base = withRealIds(route.path);
      // Each documented parameter on its own, then the usual names all at once, with each garbage value.
      for (const name of route.documented) {
        await inParallel(GARBAGE.map((value) => () => expectNo500(`${base}?${name}=${value}`, failures)));
      }
      await inParallel(GARBAGE.map((value) => () => expectNo500(`${base}?${COMMON_NAMES.map((n) => `${n}=${value}`).join('&')}`, failures)));
    }
    expect(failures).toEqual([]);
  });

  it('answers garbage in every path parameter without a 500, in French', async () => {
    const failures: string[] = [];
    for (const route of routes.filter((r) => r.path.includes(':'))) {
      const names = route.path.match(/:\w+/g)!;
      for (const name of names) {
        await inParallel(GARBAGE.filter((v) => !v.includes('/')).map((value) => () => expectNo500(withRealIds(route.path.replace(name, value)), failures)));
      }
    }
    expect(failures).toEqual([]);
  });

  it('says in French which invoice filter is wrong (the cases of the attack test)', async () => {
    const cases: Array<[string, RegExp]> = [
      ['structure=abc', /« structure »/],
      ['flow=xyz', /« flow » : identifiant attendu/],
      ['from=2025-13-45', /« from » : date AAAA-MM-JJ attendue/],
      ['amountMin=douze', /« amountMin » : nombre attendu/],
      ['status=PAYEE', /« status » : valeur inconnue/],
      ['limit=0', /« limit » : doit valoir au moins 1/],
      ['limit=abc', /« limit » : nombre entier attendu/],
      ['cursor=pas-un-curseur', /Curseur de page invalide/],
      ['sort=prix', /« sort » : valeur inconnue/],
    ];
    for (const [query, message] of cases) {
      const res = await admin.get(`/api/invoices?${query}`);
      expect([query, res.status, res.body.message]).toEqual([query, 400, expect.stringMatching(message)]);
    }
  });

  it('refuses a JSON body over the limit with 413, malformed JSON with 400, both in French', async () => {
    const huge = await admin.call('POST', `/api/invoices/${realIds.invoice}/reject`, { reasonCode: 'DOUBLON', complement: 'x'.repeat(t.config.maxJsonBytes) });
    expect([huge.status, huge.body.code, huge.body.message]).toEqual([413, 'REQUEST_TOO_LARGE', expect.stringMatching(/Requête trop volumineuse : .* Mo au plus/)]);
    const res = await fetch(`${t.url}/api/invoices/${realIds.invoice}/reject`, {
      method: 'POST',
      headers: { ...authHeaders(token), 'content-type': 'application/json' },
      body: '{"reasonCode": "DOUBLON",',
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'INVALID_JSON', message: 'Corps de requête illisible : JSON mal formé' });
  });

  it('refuses NUL characters and lone surrogates in text fields with 400, naming the field', async () => {
    for (const complement of ['avant\u0000après', 'moitié \ud83d d’emoji']) {
      const res = await fetch(`${t.url}/api/invoices/${realIds.invoice}/reject`, {
        method: 'POST',
        headers: { ...authHeaders(token), 'content-type': 'application/json' },
        // Written by hand: JSON.stringify would escape the lone surrogate as it is, which is what a client sends.
        body: `{"reasonCode":"DOUBLON","complement":${JSON.stringify(complement)}}`,
      });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ code: 'INVALID_CHARACTERS', message: expect.stringContaining('« complement »') });
    }
    expect((await admin.get(`/api/invoices/${realIds.invoice}`)).body.status).toBe('A_TRAITER');
  });

  it('says in French what is wrong with a body, field by field', async () => {
    const res = await admin.post(`/api/invoices/${realIds.invoice}/mandate`, { imputations: [{ article: 6064, amount: 12 }], train: 'express' });
    expect(res.status).toBe(400);
    expect(res.body.message).toBe(
      'Requête invalide : « imputations.0.article » : texte attendu ; « imputations.0.amount » : texte attendu ; « train » : valeur inconnue (valeurs possibles : normal, attente)',
    );
    expect(res.body.details.fields).toEqual([
      { field: 'imputations.0.article', message: 'texte attendu' },
      { field: 'imputations.0.amount', message: 'texte attendu' },
      { field: 'train', message: 'valeur inconnue (valeurs possibles : normal, attente)' },
    ]);
  });
});
