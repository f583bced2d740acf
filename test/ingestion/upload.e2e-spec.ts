import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { declareFixtureStructures } from '@/demo/demo.seed';
import { apiAs, createUserAndToken } from '@test/support/auth';
import { createTestApp, TestApp } from '@test/support/test-app';

/**
 * « Mode portail » from the pages: pivot files sent by « Fichier… / Lecture » (multipart, streamed to disk), imported
 * by the inbox's import, a result per file; a file rejected before says « déjà rejeté : motif… »; the raw file of
 * any flow, rejected ones included, downloads as received.
 */
const FIXTURES = resolve(__dirname, '..', '..', 'fixtures');
const COMMUNE = '21490412000018';
const CC = '20007139700018';

describe('POST /api/flows/upload (mode portail from the pages)', () => {
  let t: TestApp;
  let agent: ReturnType<typeof apiAs>;
  let token: string;

  beforeAll(async () => {
    t = await createTestApp();
    await declareFixtureStructures(t.app);
    token = await createUserAndToken(t, { email: 'agent@saint-aubin.fr', role: 'agent', structureSirets: [COMMUNE] });
    agent = apiAs(t, token);
  });
  afterAll(async () => t?.close());

  async function upload(files: Array<{ name: string; content: Buffer | string }>, query = '', as = token) {
    const form = new FormData();
    for (const f of files) form.append('files', new Blob([typeof f.content === 'string' ? f.content : new Uint8Array(f.content)]), f.name);
    const res = await fetch(`${t.url}/api/flows/upload${query}`, { method: 'POST', headers: { authorization: `Bearer ${as}` }, body: form });
    return { status: res.status, body: await res.json() };
  }

  it('imports XML and ZIP pivot files, one result per file, and keeps nothing of them in the temporary folder', async () => {
    const r = await upload([
      { name: 'flux-001.xml', content: readFileSync(join(FIXTURES, 'pivot', 'flux-001.xml')) },
      { name: 'C:\\Users\\compta\\Chorus Pro\\two-flows.zip', content: readFileSync(join(FIXTURES, 'pivot-bad', 'two-flows.zip')) },
      { name: 'wrong-root.xml', content: readFileSync(join(FIXTURES, 'pivot-bad', 'wrong-root.xml')) },
    ]);
    expect(r.status).toBe(200);
    const [xml, zip, bad] = r.body.files;
    expect(xml).toMatchObject({ fileName: 'flux-001.xml', outcome: 'integrated', flows: { integrated: 1 } });
    expect(xml.invoices.created).toBeGreaterThan(0);
    expect(zip.fileName).toBe('two-flows.zip'); // the browser's folder is never kept
    expect(zip.flows.integrated).toBe(2);
    expect(bad).toMatchObject({ fileName: 'wrong-root.xml', outcome: 'rejected', errors: [{ code: 'WRONG_ROOT' }] });
    expect(bad.errors[0].message).toMatch(/CPPFacturePivot/);
    const tmp = join(t.config.storeDir, 'tmp');
    expect(readdirSync(tmp)).toEqual([]);

    const adminToken = await createUserAndToken(t, { email: 'gp@saint-aubin.fr', role: 'admin', structureSirets: [COMMUNE] });
    const flows = (await apiAs(t, adminToken).get('/api/flows')).body;
    expect(flows.find((f: { fileName: string }) => f.fileName === 'flux-001.xml').source).toBe('upload');
  });

  it('a file sent again: « déjà importé », or « déjà rejeté : motif… » for one rejected before', async () => {
    const r = await upload([
      { name: 'flux-001.xml', content: readFileSync(join(FIXTURES, 'pivot', 'flux-001.xml')) },
      { name: 'wrong-root.xml', content: readFileSync(join(FIXTURES, 'pivot-bad', 'wrong-root.xml')) },
    ]);
    expect(r.body.files.map((f: { outcome: string }) => f.outcome)).toEqual(['alreadyImported', 'alreadyRejected']);
    expect(r.body.files[1].errors).toEqual([{ file: 'wrong-root.xml', invoice: null, code: 'FLOW_ALREADY_REJECTED', message: expect.stringMatching(/^Déjà rejeté : .*CPPFacturePivot/) }]);
  });

  it('downloads the raw file of a rejected flow as received (never rendered)', async () => {
    // Attributed to the uploader's current structure (flow visibility rule): its agent sees it with its reason.
    const flow = (await agent.get('/api/flows')).body.find((f: { fileName: string }) => f.fileName === 'wrong-root.xml');
    expect(flow).toMatchObject({ status: 'rejected', errorCode: 'WRONG_ROOT', errorMessage: expect.stringContaining('CPPFacturePivot') });
    const res = await fetch(`${t.url}/api/flows/${flow.id}/raw`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    expect(res.headers.get('content-disposition')).toContain("attachment; filename*=UTF-8''wrong-root.xml");
    expect(Buffer.from(await res.arrayBuffer()).equals(readFileSync(join(FIXTURES, 'pivot-bad', 'wrong-root.xml')))).toBe(true);
    const stranger = await createUserAndToken(t, { email: 'agent@val-aubance.fr', role: 'agent', structureSirets: [CC] });
    expect((await fetch(`${t.url}/api/flows/${flow.id}/raw`, { headers: { authorization: `Bearer ${stranger}` } })).status).toBe(404);
  });

  it('refuses what is not an upload, a trésorier, and a structure that is not the uploader’s, in French', async () => {
    const json = await agent.post('/api/flows/upload', { files: [] });
    expect(json.status).toBe(422);
    expect(json.body).toMatchObject({ code: 'UPLOAD_NOT_MULTIPART' });
    const empty = await upload([]);
    expect(empty.body).toMatchObject({ code: 'UPLOAD_EMPTY', message: expect.stringContaining('Aucun fichier') });
    const other = await upload([{ name: 'a.xml', content: '<a/>' }], `?structure=${CC}`);
    expect(other.status).toBe(403);
    const tresorier = await createUserAndToken(t, { email: 'tresorier@dgfip.fr', role: 'tresorier', structureSirets: [COMMUNE] });
    expect((await upload([{ name: 'a.xml', content: '<a/>' }], '', tresorier)).status).toBe(403);
  });

  it('a file above the flow limit is refused by itself, the others imported', async () => {
    const small = await createTestApp({ env: { MAX_FLOW_BYTES: '20000' } });
    try {
      await declareFixtureStructures(small.app);
      // Same throwaway database as the other app of this file: another user.
      const tk = await createUserAndToken(small, { email: 'agent2@saint-aubin.fr', role: 'agent', structureSirets: [COMMUNE] });
      const form = new FormData();
      form.append('files', new Blob([new Uint8Array(Buffer.alloc(50_000, 'a'))]), 'huge.xml');
      form.append('files', new Blob([new Uint8Array(readFileSync(join(FIXTURES, 'pivot-bad', 'malformed-xml.xml')))]), 'small.xml');
      const res = await fetch(`${small.url}/api/flows/upload`, { method: 'POST', headers: { authorization: `Bearer ${tk}` }, body: form });
      const body = await res.json();
      expect(res.status).toBe(200);
      expect(body.files[0]).toMatchObject({ fileName: 'huge.xml', outcome: 'rejected', errors: [{ code: 'FLOW_TOO_LARGE' }] });
      expect(body.files[1]).toMatchObject({ fileName: 'small.xml', outcome: 'rejected', errors: [{ code: 'MALFORMED_XML' }] });
    } finally {
      await small.close();
    }
  });
});
