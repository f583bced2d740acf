import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { FileStore, FileTooLargeError, PutOptions, StoredObject } from '@/storage/file-store.port';

/**
 * Files addressed by SHA-256 under `<root>/<aa>/<bb>/<sha>[.gz]`. Writes go to a temp file first and are
 * fsynced then renamed, so a crash never leaves a half-written object under its final name.
 */
export class LocalFileStore extends FileStore {
  constructor(private readonly root: string) {
    super();
  }

  async put(content: Readable | Buffer, options: PutOptions = {}): Promise<StoredObject> {
    const tmp = await this.tempPath();
    const hash = createHash('sha256');
    let size = 0;
    const limit = options.maxBytes;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        size += chunk.length;
        if (limit !== undefined && size > limit) return cb(new FileTooLargeError(limit));
        hash.update(chunk);
        cb(null, chunk);
      },
    });
    const source = Buffer.isBuffer(content) ? Readable.from([content]) : content;
    const out = createWriteStream(tmp);
    try {
      if (options.compress) await pipeline(source, meter, createGzip(), out);
      else await pipeline(source, meter, out);
      await fsyncFile(tmp);
    } catch (err) {
      await fs.rm(tmp, { force: true });
      throw err;
    }
    const sha256 = hash.digest('hex');
    const final = this.pathFor(sha256, options.compress ?? false);
    await fs.mkdir(join(final, '..'), { recursive: true });
    if (await this.exists(sha256)) await fs.rm(tmp, { force: true });
    else await fs.rename(tmp, final);
    return { key: sha256, sha256, size };
  }

  async openRead(key: string): Promise<Readable> {
    const plain = this.pathFor(key, false);
    if (await fileExists(plain)) return createReadStream(plain);
    const gz = this.pathFor(key, true);
    if (await fileExists(gz)) return createReadStream(gz).pipe(createGunzip());
    throw new Error(`Objet introuvable dans le stockage : ${key}`);
  }

  async exists(key: string): Promise<boolean> {
    return (await fileExists(this.pathFor(key, false))) || (await fileExists(this.pathFor(key, true)));
  }

  async tempPath(suffix = ''): Promise<string> {
    const dir = join(this.root, 'tmp');
    await fs.mkdir(dir, { recursive: true });
    return join(dir, `${randomUUID()}${suffix}`);
  }

  private pathFor(sha256: string, compressed: boolean): string {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error(`Clé de stockage invalide : ${sha256}`);
    return join(this.root, sha256.slice(0, 2), sha256.slice(2, 4), compressed ? `${sha256}.gz` : sha256);
  }
}

async function fileExists(path: string): Promise<boolean> {
  try {
    await fs.access(path);
    return true;
  } catch {
    return false;
  }
}

async function fsyncFile(path: string): Promise<void> {
  const handle = await fs.open(path, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
