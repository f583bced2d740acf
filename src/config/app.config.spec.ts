import { ConfigError, loadConfig } from '@/config/app.config';

describe('configuration', () => {
  it('reads defaults, then environment overrides', () => {
    const config = loadConfig({ PORT: '8080', DATA_DIR: '/srv/passerelle', INBOX_CRON: '0 * * * *' });
    expect(config.port).toBe(8080);
    expect(config.dataDir).toBe('/srv/passerelle');
    expect(config.inboxDir).toBe('/srv/passerelle/inbox');
    expect(config.ingestion.inboxCron).toBe('0 * * * *');
    expect(config.databaseUrl).toBeUndefined();
  });

  it('refuses an invalid value at boot with a French message naming the setting', () => {
    expect(() => loadConfig({ PORT: 'abc' })).toThrow(ConfigError);
    expect(() => loadConfig({ DATABASE_URL: 'pas une url' })).toThrow(/Configuration invalide — databaseUrl/);
  });

  it('reads on/off settings from JSON booleans and from environment strings ("false" is off)', () => {
    expect(loadConfig({}).ingestion.readerThread).toBe(true);
    expect(loadConfig({ INGESTION_READER_THREAD: 'false' }).ingestion.readerThread).toBe(false);
    expect(loadConfig({ INGESTION_READER_THREAD: '0' }).ingestion.readerThread).toBe(false);
    expect(loadConfig({ INGESTION_READER_THREAD: 'true' }).ingestion.readerThread).toBe(true);
    expect(() => loadConfig({ INGESTION_READER_THREAD: 'peut-être' })).toThrow(/ingestion\.readerThread.*true ou false/);
    expect(loadConfig({}).sessionCookieSecure).toBe(false);
    expect(loadConfig({ SESSION_COOKIE_SECURE: 'true' }).sessionCookieSecure).toBe(true);
  });

  it('keeps the origin of PUBLIC_URL, and refuses an address with a path or another scheme', () => {
    expect(loadConfig({}).publicOrigin).toBeUndefined();
    expect(loadConfig({ PUBLIC_URL: 'https://Passerelle.Mairie.fr/' }).publicOrigin).toBe('https://passerelle.mairie.fr');
    expect(loadConfig({ PUBLIC_URL: 'http://10.0.0.5:8080' }).publicOrigin).toBe('http://10.0.0.5:8080');
    for (const bad of ['passerelle.mairie.fr', 'ftp://passerelle.mairie.fr', 'https://passerelle.mairie.fr/pages', 'https://x.fr/?a=1']) {
      expect(() => loadConfig({ PUBLIC_URL: bad })).toThrow(/publicUrl : adresse des pages attendue/);
    }
  });

  it('never shows secrets', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://app:s3cret@db:5432/passerelle', PISTE_CLIENT_SECRET: 'topsecret' });
    const shown = JSON.stringify(config.describe());
    expect(shown).not.toContain('s3cret');
    expect(shown).not.toContain('topsecret');
  });
});
