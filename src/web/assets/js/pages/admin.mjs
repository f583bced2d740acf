// « Administration »: users and roles, the list of motifs, the structures and their settings.
import { get, post, put } from '/assets/js/api.mjs';
import { forgetReasons } from '/assets/js/actions.mjs';
import { myStructures, session } from '/assets/js/app.mjs';
import { clear, h, modal, notify, table } from '/assets/js/dom.mjs';

const ROLES = { agent: 'Agent', tresorier: 'Trésorier', admin: 'Administrateur (gestionnaire principal)' };
const REASON_ACTIONS = { reject: 'Rejet', suspend: 'Suspension' };

const panel = (title, ...body) => h('section', { class: 'panel' }, h('div', { class: 'head' }, h('h2', {}, title)), h('div', { class: 'body' }, body));
const field = (id, text, input) => ((input.id = id), h('label', { for: id }, text, input));

export async function render(main) {
  const usersBox = h('div');
  const reasonsBox = h('div');
  const structuresBox = h('div');

  const loadUsers = async () => {
    const users = await get('/api/users');
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
      notify(`${done.email} : compte ${done.active ? 'réactivé' : 'désactivé'}.`);
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
      notify(`Utilisateur ${done.email} créé.`);
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
      notify(`Motif ${done.code} enregistré.`);
      await loadReasons();
    }
  };

  const loadStructures = async () => {
    const all = await get('/api/structures');
    session.structures = all;
    const mine = all.filter((s) => session.me.structureIds.includes(s.id));
    clear(
      structuresBox,
      table(
        [
          { label: 'SIRET', cell: (s) => s.siret },
          { label: 'Structure', cell: (s) => s.name },
          { label: 'Service obligatoire', cell: (s) => (s.serviceRequired ? 'oui' : 'non') },
          { label: 'Engagement obligatoire', cell: (s) => (s.engagementRequired ? 'oui' : 'non') },
          { label: 'Délai de paiement', cell: (s) => `${s.paymentDelayDays} j`, num: true },
          { label: 'Services', cell: (s) => s.services.map((x) => `${x.code}${x.active ? '' : ' (inactif)'}`).join(', ') },
          { label: 'Compte technique', cell: (s) => s.technicalAccountLogin ?? '—' },
          { label: 'Modifier', cell: (s) => h('button', { type: 'button', onclick: () => editStructure(s) }, 'Modifier') },
        ],
        mine,
        { caption: 'Structures' },
      ),
    );
  };

  const editStructure = async (s) => {
    const name = h('input', { type: 'text', value: s.name, required: true });
    const serviceRequired = h('input', { type: 'checkbox', checked: s.serviceRequired });
    const engagementRequired = h('input', { type: 'checkbox', checked: s.engagementRequired });
    const delay = h('input', { type: 'number', min: 0, max: 365, value: String(s.paymentDelayDays) });
    const newCode = h('input', { type: 'text', size: 10 });
    const newLabel = h('input', { type: 'text' });
    const done = await modal(
      `Structure ${s.siret}`,
      [
        field('structure-name', 'Nom', name),
        h('label', { class: 'inline' }, serviceRequired, 'Code service obligatoire'),
        h('label', { class: 'inline' }, engagementRequired, "N° d'engagement obligatoire"),
        field('structure-delay', 'Délai global de paiement (jours)', delay),
        h('fieldset', {}, h('legend', {}, 'Ajouter un service'), field('structure-service-code', 'Code', newCode), field('structure-service-label', 'Libellé', newLabel)),
      ],
      {
        onSubmit: () =>
          post('/api/structures', {
            siret: s.siret,
            name: name.value,
            serviceRequired: serviceRequired.checked,
            engagementRequired: engagementRequired.checked,
            paymentDelayDays: Number(delay.value),
            services: newCode.value.trim() ? [{ code: newCode.value.trim(), label: newLabel.value.trim() || newCode.value.trim() }] : undefined,
          }),
      },
    );
    if (done) {
      notify(`Structure ${done.name} enregistrée.`);
      await loadStructures();
    }
  };

  clear(
    main,
    h('h1', {}, 'Administration'),
    h('p', { class: 'sub' }, 'Utilisateurs et rôles, motifs de rejet et de suspension, structures et leur paramétrage.'),
    panel('Utilisateurs et rôles', usersBox),
    panel('Motifs de rejet et de suspension', reasonsBox),
    panel('Structures', structuresBox),
  );
  await Promise.all([loadUsers(), loadReasons(), loadStructures()]);
}
