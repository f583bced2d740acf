import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { DomainError } from '@/common/errors/domain.error';

// Technical account passwords are stored encrypted (AES-256-GCM, authenticated), with a key derived (HKDF-SHA256)
// from PASSERELLE_SECRET_KEY. Format: "v1:<iv>:<tag>:<ciphertext>" (base64url). Without the key nothing is
// stored: a password in clear in the database would leak with any backup.

const VERSION = 'v1';

function keyFrom(secret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'utf8'), Buffer.from('passerelle'), Buffer.from('cpro-technical-account'), 32));
}

function requireSecret(secret: string | undefined): string {
  if (!secret) {
    throw new DomainError(
      'SECRET_KEY_MISSING',
      "PASSERELLE_SECRET_KEY n'est pas défini : le mot de passe du compte technique ne peut pas être chiffré. " +
        'Définissez une clé (32 caractères aléatoires, ex. « openssl rand -base64 32 ») dans l’environnement du service et des commandes.',
    );
  }
  return secret;
}

export function encryptSecret(plain: string, secret: string | undefined): string {
  const key = keyFrom(requireSecret(secret));
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return [VERSION, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), data.toString('base64url')].join(':');
}

export function decryptSecret(stored: string, secret: string | undefined): string {
  const key = keyFrom(requireSecret(secret));
  const [version, iv, tag, data] = stored.split(':');
  if (version !== VERSION || !iv || !tag || data === undefined) throw new DomainError('SECRET_UNREADABLE', 'Mot de passe chiffré illisible (format inconnu)');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    throw new DomainError('SECRET_UNREADABLE', 'Mot de passe du compte technique indéchiffrable : PASSERELLE_SECRET_KEY a-t-elle changé ?');
  }
}
