import { diff } from '@/structures/structure-sync.service';
import { StructureServiceEntity } from '@/structures/structure-service.entity';

const local = (code: string, label: string, active = true) => ({ code, label, active }) as StructureServiceEntity;
const remote = (codeService: string, libelleService: string, estActif = true) => ({ idService: 1, codeService, libelleService, estActif });

describe('structure settings diff (Chorus Pro against stored)', () => {
  it('adds, renames, deactivates, reactivates; a service gone from Chorus Pro is deactivated, never dropped', () => {
    const { changes, services } = diff(
      { serviceRequired: false, engagementRequired: false, engagementOrServiceRequired: false, services: [local('A', 'Alpha'), local('B', 'Bêta'), local('C', 'Gamma', false), local('D', 'Delta')] },
      {},
      [remote('A', 'Alpha'), remote('B', 'Bêta bis', false), remote('C', 'Gamma'), remote('E', 'Epsilon')],
    );
    expect(changes.map((c) => [c.change, c.serviceCode])).toEqual([
      ['SERVICE_RENAMED', 'B'],
      ['SERVICE_DEACTIVATED', 'B'],
      ['SERVICE_REACTIVATED', 'C'],
      ['SERVICE_ADDED', 'E'],
      ['SERVICE_DEACTIVATED', 'D'],
    ]);
    expect(services).toEqual([
      { code: 'B', label: 'Bêta bis', active: false },
      { code: 'C', label: 'Gamma', active: true },
      { code: 'E', label: 'Epsilon', active: true },
      { code: 'D', label: 'Delta', active: false },
    ]);
    expect(changes[0].message).toBe('Service « B » renommé dans Chorus Pro : « Bêta » → « Bêta bis »');
  });

  it('follows the « obligatoire » settings only when Chorus Pro states them, and changes nothing twice', () => {
    const current = { serviceRequired: false, engagementRequired: true, engagementOrServiceRequired: false, services: [] };
    expect(diff(current, {}, []).changes).toEqual([]);
    const { changes, settings } = diff(current, { codeServiceDoitEtreRenseigne: true, numeroEJDoitEtreRenseigne: true, gestionNumeroEJOuCodeService: true }, []);
    expect(settings).toEqual({ serviceRequired: true, engagementOrServiceRequired: true });
    expect(changes.map((c) => c.message)).toEqual([
      'Code service obligatoire : non → oui (Chorus Pro)',
      'N° d’engagement ou code service obligatoire : non → oui (Chorus Pro)',
    ]);
    expect(changes.map((c) => c.change)).toEqual(['SERVICE_REQUIRED_CHANGED', 'ENGAGEMENT_OR_SERVICE_CHANGED']);
  });
});
