// « Administration »: users and roles, the list of motifs, the structures and their settings (services, Chorus Pro
// technical account, status-return mode, transfer of the gestionnaire principal); parts owned by other features are
// mounted from their own modules (PARTS).
import { get, post, put } from '/assets/js/api.mjs';
import { forgetReasons } from '/assets/js/actions.mjs';
import { afterLogin, myStructures, noticeForNextScreen, session } from '/assets/js/app.mjs';
import { clear, h, inlineNotice, modal, table } from '/assets/js/dom.mjs';

/**
 * Mount points of the parts other features own, one line each: the module exports `mount(body, { session })` and is
 * loaded when present (11b: last pull outcome per structure; 15: structure settings synced from Chorus Pro).
 */
const PARTS = [
  { module: 'admin-pull', title: 'Récupération des factures (Chorus Pro)' },
  { module: 'admin-sync', title: 'Synchronisation avec Chorus Pro' },
];

const RETURN_MODES = { auto: 'Automatique (API si compte technique, sinon fichier)', api: 'API Chorus Pro', file: 'Fichier CPPStatut (dépôt sur le portail)', off: 'Aucun retour' };

const ROLES = { agent: 'Agent', tresorier: 'Trésorier', admin: 'Administrateur (gestionnaire principal)' };
const REASON_ACTIONS = { reject: 'Rejet', suspend: 'Suspension' };

const panel = (title, ...body) => h('section', { class: 'panel' }, h('div', { class: 'head' }, h('h2', {}, title)), h('div', { class: 'body' }, body));
const field = (id, text, input) => ((input.id = id), h('label', { for: id }, text, input));

export async function render(main) {
  const usersBox = h('div');
  const reasonsBox = h('div');
  const structuresBox = h('div');
  const usersNotice = inlineNotice({ id: 'users-message' });
  const reasonsNotice = inlineNotice({ id: 'reasons-message' });
  const structuresNotice = inlineNotice({ id: 'structures-message' });
  let users = [];

  const loadUsers = async () => {
    users = await get('/api/users');
    clear(
      usersBox,
      table(
        [
          { label: 'Adresse', cell: (u) => u.email },
          { label: 'Rôle', cell: (u) => ROLES[u.role] ?? u.role },
          { label: 'Actif', cell: (u) => (u.active ? 'oui' : 'non') },
          { label: 'Structures', cell: (u) => u.structures.map((s) => `${s.name}${s.mainAdmin ? ' (GP)' : ''}`).join(', ') },
          { label: 'Accès', cell: accessButton },
        ],
        users,
        { caption: 'Utilisateurs', rowAttrs: (u) => ({ 'data-user': u.email }) },
      ),
      h('div', { class: 'actions' }, h('button', { type: 'button', onclick: addUser }, '+ Ajouter un utilisateur')),
    );
  };

  // A gestionnaire principal hands the role over first, and nobody locks themselves out: the server refuses both too.
  const accessButton = (u) => {
    if (u.email === session.me?.email || u.structures.some((s) => s.mainAdmin)) return '';
    return u.active
      ? h('button', { type: 'button', class: 'danger', onclick: () => setAccess(u, false) }, 'Désactiver')
      : h('button', { type: 'button', onclick: () => setAccess(u, true) }, 'Réactiver');
  };

  const setAccess = async (u, active) => {
    const done = await modal(
      active ? `Réactiver ${u.email}` : `Désactiver ${u.email}`,
      h(
        'p',
        {},
        active
          ? 'Le compte retrouve l’accès aux pages ; ses anciens jetons d’API restent révoqués.'
          : 'Le compte perd tout accès tout de suite : ses sessions sont fermées et ses jetons d’API révoqués.',
      ),
      {
        submitLabel: active ? 'Réactiver' : 'Désactiver',
        danger: !active,
        onSubmit: () => post(active ? '/api/users/reactivate' : '/api/users/deactivate', { email: u.email }),
      },
    );
    if (done) {
      usersNotice.show(`${done.email} : compte ${done.active ? 'réactivé' : 'désactivé'}.`);
      await loadUsers();
    }
  };

  const addUser = async () => {
    const email = h('input', { type: 'email', required: true });
    const role = h('select', {}, Object.entries(ROLES).filter(([k]) => k !== 'admin').map(([k, l]) => h('option', { value: k }, l)));
    const password = h('input', { type: 'password', autocomplete: 'new-password' });
    const boxes = myStructures().map((s) => h('label', { class: 'inline' }, h('input', { type: 'checkbox', value: s.siret, checked: myStructures().length === 1 }), `${s.name} (${s.siret})`));
    const done = await modal(
      'Ajouter un utilisateur',
      [
        field('new-user-email', 'Adresse électronique', email),
        field('new-user-role', 'Rôle', role),
        h('fieldset', {}, h('legend', {}, 'Structures'), boxes),
        field('new-user-password', 'Mot de passe (12 caractères au moins)', password),
      ],
      {
        onSubmit: () =>
          post('/api/users', {
            email: email.value,
            role: role.value,
            structureSirets: boxes.map((b) => b.querySelector('input')).filter((i) => i.checked).map((i) => i.value),
            password: password.value || undefined,
          }),
      },
    );
    if (done) {
      usersNotice.show(`Utilisateur ${done.email} créé.`);
      await loadUsers();
    }
  };

  const loadReasons = async () => {
    const reasons = await get('/api/reasons?all=true');
    clear(
      reasonsBox,
      table(
        [
          { label: 'Code', cell: (r) => r.code },
          { label: 'Libellé', cell: (r) => r.label },
          { label: 'Pour', cell: (r) => r.actions.map((a) => REASON_ACTIONS[a] ?? a).join(', ') },
          { label: 'Actif', cell: (r) => (r.active ? 'oui' : 'non') },
          { label: 'Modifier', cell: (r) => h('button', { type: 'button', onclick: () => editReason(r) }, 'Modifier') },
        ],
        reasons,
        { caption: 'Motifs de rejet et de suspension' },
      ),
      h('div', { class: 'actions' }, h('button', { type: 'button', onclick: () => editReason(null) }, '+ Ajouter un motif')),
    );
  };

  const editReason = async (reason) => {
    const code = h('input', { type: 'text', value: reason?.code ?? '', disabled: Boolean(reason), required: true });
    const labelInput = h('input', { type: 'text', value: reason?.label ?? '', maxlength: 200, required: true });
    const acts = Object.entries(REASON_ACTIONS).map(([k, l]) => h('label', { class: 'inline' }, h('input', { type: 'checkbox', value: k, checked: reason ? reason.actions.includes(k) : true }), l));
    const active = h('input', { type: 'checkbox', checked: reason ? reason.active : true });
    const done = await modal(
      reason ? `Motif ${reason.code}` : 'Nouveau motif',
      [
        field('reason-edit-code', 'Code', code),
        field('reason-edit-label', 'Libellé', labelInput),
        h('fieldset', {}, h('legend', {}, 'Utilisable pour'), acts),
        h('label', { class: 'inline' }, active, 'Actif'),
      ],
      {
        onSubmit: () => {
          const body = { label: labelInput.value, actions: acts.map((a) => a.querySelector('input')).filter((i) => i.checked).map((i) => i.value), active: active.checked };
          return reason ? put(`/api/reasons/${encodeURIComponent(reason.code)}`, body) : post('/api/reasons', { ...body, code: code.value });
        },
      },
    );
    if (done) {
      forgetReasons();
      reasonsNotice.show(`Motif ${done.code} enregistré.`);
      await loadReasons();
    }
  };

  const loadStructures = async () => {
    const all = await get('/api/structures');
    session.structures = all;
    const mine = all.filter((s) => session.me.structureIds.includes(s.id));
    const mainAdminOf = (s) => users.find((u) => u.structures.some((x) => x.siret === s.siret && x.mainAdmin))?.email ?? '—';
    clear(
      structuresBox,
      table(
        [
          { label: 'SIRET', cell: (s) => s.siret, class: 'nowrap' },
          { label: 'Structure', cell: (s) => s.name, class: 'wrap' },
          {
            label: 'Service / engagement obligatoires',
            cell: (s) => `${s.serviceRequired ? 'oui' : 'non'} / ${s.engagementRequired ? 'oui' : 'non'}${s.engagementOrServiceRequired ? ' (l’un ou l’autre : oui)' : ''}`,
          },
          { label: 'Délai de paiement', cell: (s) => `${s.paymentDelayDays} j${s.publicHealthBody ? ' (établissement public de santé)' : ''}`, num: true },
          { label: 'Services', cell: (s) => s.services.map((x) => `${x.code}${x.active ? '' : ' (inactif)'}`).join(', '), class: 'wrap' },
          { label: 'Compte technique', cell: (s) => s.technicalAccountLogin ?? '—', class: 'wrap' },
          { label: 'Retour des statuts', cell: (s) => `${RETURN_MODES[s.returnMode] ?? s.returnMode}${s.returnModeExplicit ? '' : ' (automatique)'}` },
          { label: 'Comptable sous Hélios', cell: (s) => (s.heliosComptable ? 'oui' : 'non') },
          { label: 'Gestionnaire principal', cell: mainAdminOf, class: 'wrap' },
          {
            label: 'Actions',
            cell: (s) => [
              h('button', { type: 'button', onclick: () => editStructure(s) }, 'Modifier'),
              ' ',
              h('button', { type: 'button', onclick: () => technicalAccount(s) }, 'Compte technique'),
              ' ',
              mainAdminOf(s) === session.me.email ? h('button', { type: 'button', onclick: () => transfer(s) }, 'Transférer le rôle de GP') : null,
            ],
          },
        ],
        mine,
        { caption: 'Structures', rowAttrs: (s) => ({ dataset: { structure: s.siret } }) },
      ),
    );
  };

  // Settings and services: an existing service's label and activity are edited in place (services are never dropped:
  // invoices refer to them); the status-return mode beside.
  const editStructure = async (s) => {
    const name = h('input', { type: 'text', value: s.name, required: true });
    const serviceRequired = h('input', { type: 'checkbox', checked: s.serviceRequired });
    const engagementRequired = h('input', { type: 'checkbox', checked: s.engagementRequired });
    const engagementOrServiceRequired = h('input', { type: 'checkbox', checked: s.engagementOrServiceRequired });
    // R2192-10 du code de la commande publique: 30 days, 50 for an établissement public de santé; nothing else.
    const delay = h(
      'select',
      {},
      h('option', { value: 'no', selected: !s.publicHealthBody }, '30 jours (collectivité, établissement public local)'),
      h('option', { value: 'yes', selected: s.publicHealthBody }, '50 jours (établissement public de santé)'),
    );
    const mode = h('select', {}, Object.entries(RETURN_MODES).map(([k, l]) => h('option', { value: k, selected: s.returnModeExplicit ? k === s.returnMode : k === 'auto' }, l)));
    const helios = h('input', { type: 'checkbox', id: 'structure-helios', checked: s.heliosComptable });
    const services = s.services.map((sv) => ({
      code: sv.code,
      label: h('input', { type: 'text', value: sv.label, 'aria-label': `Libellé du service ${sv.code}` }),
      active: h('input', { type: 'checkbox', checked: sv.active, 'aria-label': `Service ${sv.code} actif` }),
    }));
    const newCode = h('input', { type: 'text', size: 10 });
    const newLabel = h('input', { type: 'text' });
    const done = await modal(
      `Structure ${s.siret}`,
      [
        field('structure-name', 'Nom', name),
        h('label', { class: 'inline' }, serviceRequired, 'Code service obligatoire'),
        h('label', { class: 'inline' }, engagementRequired, "N° d'engagement obligatoire"),
        h('label', { class: 'inline' }, engagementOrServiceRequired, "N° d'engagement ou code service obligatoire (l'un des deux)"),
        field('structure-delay', 'Délai global de paiement', delay),
        field('structure-return-mode', 'Retour des statuts vers Chorus Pro', mode),
        h('label', { class: 'inline', title: 'Oui : Hélios indique à Chorus Pro la mise à disposition du comptable et la mise en paiement ; Passerelle ne les envoie pas.' }, helios, 'Comptable sous Hélios (Hélios indique la mise en paiement à Chorus Pro)'),
        services.length
          ? h(
              'fieldset',
              {},
              h('legend', {}, 'Services'),
              table(
                [
                  { label: 'Code', cell: (x) => x.code },
                  { label: 'Libellé', cell: (x) => x.label },
                  { label: 'Actif', cell: (x) => x.active },
                ],
                services,
                { caption: 'Services de la structure', rowAttrs: (x) => ({ dataset: { service: x.code } }) },
              ),
            )
          : null,
        h('fieldset', {}, h('legend', {}, 'Ajouter un service'), field('structure-service-code', 'Code', newCode), field('structure-service-label', 'Libellé', newLabel)),
      ],
      {
        onSubmit: async () => {
          const edited = services.map((x) => ({ code: x.code, label: x.label.value.trim() || x.code, active: x.active.checked }));
          if (newCode.value.trim()) edited.push({ code: newCode.value.trim(), label: newLabel.value.trim() || newCode.value.trim(), active: true });
          await post('/api/structures', {
            siret: s.siret,
            name: name.value,
            serviceRequired: serviceRequired.checked,
            engagementRequired: engagementRequired.checked,
            engagementOrServiceRequired: engagementOrServiceRequired.checked,
            publicHealthBody: delay.value === 'yes',
            services: edited,
          });
          if (helios.checked !== s.heliosComptable) await post(`/api/structures/${s.siret}/helios`, { heliosComptable: helios.checked });
          const explicit = s.returnModeExplicit ? s.returnMode : 'auto';
          return mode.value !== explicit ? post(`/api/structures/${s.siret}/return-mode`, { mode: mode.value }) : get(`/api/structures/${s.siret}`);
        },
      },
    );
    if (done) {
      // The message once the list shows the change: what it says is what the user sees beside it.
      await loadStructures();
      structuresNotice.show(`Structure ${done.name} enregistrée.`);
    }
  };

  // Corail's « Paramétrage de la récupération des factures dématérialisées »: login and password of the technical
  // account; the password is sent once, stored encrypted and never shown back.
  const technicalAccount = async (s) => {
    const login = h('input', { type: 'text', value: s.technicalAccountLogin ?? '', autocomplete: 'off', required: true });
    const password = h('input', { type: 'password', autocomplete: 'new-password', required: true });
    const done = await modal(
      `Compte technique Chorus Pro — ${s.name}`,
      [
        h('p', { class: 'muted' }, s.technicalAccountLogin ? `Compte enregistré : ${s.technicalAccountLogin} (mot de passe enregistré, jamais affiché). Saisissez le mot de passe pour le changer.` : 'Aucun compte technique : les factures viennent des fichiers déposés (mode portail).'),
        field('account-login', 'Login du compte technique', login),
        field('account-password', 'Mot de passe', password),
      ],
      { onSubmit: () => post(`/api/structures/${s.siret}/technical-account`, { login: login.value, password: password.value }) },
    );
    if (done) {
      await loadStructures();
      structuresNotice.show(`Compte technique « ${done.technicalAccountLogin} » enregistré pour ${done.name}.`);
    }
  };

  // Only the gestionnaire principal hands the role over, to a user of the structure; there is never a second one.
  const transfer = async (s) => {
    const candidates = users.filter((u) => u.active && u.email !== session.me.email && u.structures.some((x) => x.siret === s.siret));
    if (!candidates.length) return structuresNotice.show(`Aucun autre utilisateur actif rattaché à ${s.name} : ajoutez-le d'abord.`, 'error');
    const to = h('select', {}, candidates.map((u) => h('option', { value: u.email }, `${u.email} (${ROLES[u.role] ?? u.role})`)));
    const done = await modal(
      `Transférer le rôle de gestionnaire principal — ${s.name}`,
      [
        h('p', {}, 'Le nouveau gestionnaire principal administre la structure ; vous redevenez agent si vous n’êtes plus gestionnaire principal d’aucune structure. Il n’y a jamais deux gestionnaires principaux.'),
        field('transfer-to', 'Nouveau gestionnaire principal', to),
      ],
      { submitLabel: 'Transférer', danger: true, onSubmit: () => post('/api/users/transfer-admin', { siret: s.siret, email: to.value }) },
    );
    if (!done) return;
    const me = await get('/api/users/me');
    if (me.role !== 'admin') {
      // Main admin of no structure any more: back to the screens of an agent, with the outcome on top.
      noticeForNextScreen(`${done.email} est désormais gestionnaire principal de ${s.name} ; vous êtes agent.`);
      await afterLogin();
      return;
    }
    await loadUsers();
    await loadStructures();
    structuresNotice.show(`${done.email} est gestionnaire principal de ${s.name}.`);
  };

  const partsBox = h('div');
  const mountParts = () =>
    Promise.all(
      PARTS.map(async ({ module, title }) => {
        const part = await import(`/assets/js/pages/${module}.mjs`).catch(() => null);
        if (!part?.mount) return;
        const body = h('div', { class: 'body' });
        partsBox.append(h('section', { class: 'panel', dataset: { part: module } }, h('div', { class: 'head' }, h('h2', {}, title)), body));
        await part.mount(body, { session });
      }),
    );

  clear(
    main,
    h('h1', {}, 'Administration'),
    h('p', { class: 'sub' }, 'Utilisateurs et rôles, motifs de rejet et de suspension, structures et leur paramétrage (services, compte technique Chorus Pro, retour des statuts, gestionnaire principal).'),
    panel('Utilisateurs et rôles', usersNotice.el, usersBox),
    panel('Motifs de rejet et de suspension', reasonsNotice.el, reasonsBox),
    panel('Structures', structuresNotice.el, structuresBox),
    partsBox,
  );
  await Promise.all([loadUsers(), loadReasons()]);
  await loadStructures();
  await mountParts();
}
