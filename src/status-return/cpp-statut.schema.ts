import { readFile } from 'node:fs/promises';
import { Injectable } from '@nestjs/common';
import { validateXML } from 'xmllint-wasm';
import { AppConfig } from '@/config/app.config';

/**
 * Validation against the official CPPStatutPivot_V1_19.xsd (AIFE) with libxml2 (xmllint-wasm), when its path
 * is configured (CPP_STATUT_XSD): the schema is AIFE's, published on communaute.chorus-pro.gouv.fr, and is
 * not shipped with Passerelle. Without it the reader's own checks apply.
 */
@Injectable()
export class CppStatutSchema {
  private xsd: Promise<string> | null = null;

  constructor(private readonly config: AppConfig) {}

  get configured(): boolean {
    return Boolean(this.config.statusReturn.statutXsdPath);
  }

  /** Schema errors (empty when valid, or when no XSD is configured). */
  async validate(xml: string): Promise<string[]> {
    const path = this.config.statusReturn.statutXsdPath;
    if (!path) return [];
    this.xsd ??= readFile(path, 'utf8').then((s) => s.replace(/^\uFEFF/, ''));
    return validateWithXsd(xml, await this.xsd);
  }
}

export async function validateWithXsd(xml: string, xsd: string): Promise<string[]> {
  const pages = Math.min(65536, Math.max(256, Math.ceil((xml.length * 12) / 65536)));
  const result = await validateXML({
    xml: { fileName: 'flux.xml', contents: xml.replace(/^\uFEFF/, '') },
    schema: { fileName: 'CPPStatutPivot_V1_19.xsd', contents: xsd.replace(/^\uFEFF/, '') },
    initialMemoryPages: pages,
    maxMemoryPages: 65536,
  });
  return result.valid ? [] : result.errors.map((e) => e.message);
}
