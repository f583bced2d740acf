import { findStructure } from '@/fixtures-generator/good-flows.fixtures';
import { AttachmentSpec, buildInvoiceSpec, InvoiceSpec, makeIdFlx, PivotFlowSpec } from '@/fixtures-generator/pivot-flow.generator';
import { SeededRng } from '@/fixtures-generator/seeded.rng';

// Attachments a hostile supplier can deposit on Chorus Pro: active content (HTML, SVG, XHTML) under an innocent name
// or a PDF type. Each script, if it ever ran in the app's origin, would read the agent's session and call back
// `/api/users/me?pwned=<marker>` and set `top.__pwned`: the browser test watches for both.

/** Script body of a payload: what an attacker would do with the agent's session. */
export function hostileScript(marker: string): string {
  return `try{top.__pwned=(top.__pwned||[]).concat('${marker}')}catch(e){};fetch('/api/users/me?pwned=${marker}').catch(function(){});`;
}

export interface HostileAttachment {
  /** Marker in its payload's callback URL. */
  marker: string;
  name: string;
  mimeType: string;
  content: string;
  /** What the service must do with it. */
  served: 'download' | 'inline';
}

export const HOSTILE_ATTACHMENTS: readonly HostileAttachment[] = [
  {
    marker: 'html-as-pdf',
    name: 'facture.pdf',
    mimeType: 'text/html;name=facture.pdf',
    content: `<!doctype html><html><body><h1>Facture</h1><script>${hostileScript('html-as-pdf')}</script></body></html>`,
    served: 'download',
  },
  {
    marker: 'svg',
    name: 'plan-de-masse.svg',
    mimeType: 'image/svg+xml',
    content: `<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="${hostileScript('svg-onload').replace(/"/g, '&quot;')}"><script>${hostileScript('svg')}</script><rect width="10" height="10"/></svg>`,
    served: 'download',
  },
  {
    marker: 'xml-as-pdf',
    name: 'annexe.xml',
    mimeType: 'application/pdf',
    content: `<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><body><script>${hostileScript('xml-as-pdf')}</script></body></html>`,
    served: 'download',
  },
  {
    marker: 'unknown-ext',
    name: 'bordereau.zzz',
    mimeType: 'text/html',
    content: `<html><body onload="${hostileScript('unknown-ext-onload')}"><script>${hostileScript('unknown-ext')}</script></body></html>`,
    served: 'download',
  },
  {
    // Plain text first, markup after: it is text (shown as text/plain, never interpreted).
    marker: 'text-then-html',
    name: 'note.txt',
    mimeType: 'text/html',
    content: `Note du fournisseur\n<script>${hostileScript('text-then-html')}</script>\n`,
    served: 'inline',
  },
];

function attachment(numOrdre: number, type: '01' | '02', a: HostileAttachment): AttachmentSpec {
  return { numOrdre, name: a.name, type, mimeType: a.mimeType, content: { kind: 'zip', entries: [{ name: a.name, data: a.content }] } };
}

/**
 * Two invoices of the commune: one whose type-01 attachment is the HTML file declared `text/html;name=facture.pdf`,
 * with every other hostile attachment as type 02; and a control invoice with its genuine PDF.
 */
export function buildHostileAttachmentFlow(seed = 20251111): { flow: PivotFlowSpec; hostile: InvoiceSpec; control: InvoiceSpec } {
  const rng = new SeededRng(seed);
  const structure = findStructure('Commune de Saint-Aubin-sur-Loire');
  const hostile = buildInvoiceSpec(rng.fork('hostile'), { structure, service: null, sequence: 95_001, supplementaryAttachments: 0 });
  const [first, ...others] = HOSTILE_ATTACHMENTS;
  hostile.attachments = [attachment(1, '01', first), ...others.map((a, i) => attachment(i + 2, '02', a))];
  const control = buildInvoiceSpec(rng.fork('control'), { structure, service: null, sequence: 95_002, supplementaryAttachments: 0 });
  return { flow: { idFlx: makeIdFlx(950), dtPrd: hostile.receptionDate, invoices: [hostile, control] }, hostile, control };
}
