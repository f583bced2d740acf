import { post } from '/assets/js/api.mjs';
import { afterLogin, session } from '/assets/js/app.mjs';
import { clear, h } from '/assets/js/dom.mjs';

export async function render(main) {
  session.me = null;
  document.getElementById('topbar').hidden = true;
  const email = h('input', { type: 'email', name: 'email', id: 'login-email', autocomplete: 'username', required: true });
  const password = h('input', { type: 'password', name: 'password', id: 'login-password', autocomplete: 'current-password', required: true });
  const error = h('p', { class: 'error-text', role: 'alert', id: 'login-error', hidden: true });
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Se connecter');
  const form = h(
    'form',
    { class: 'login', 'aria-labelledby': 'login-title' },
    h('h1', { id: 'login-title' }, 'Connexion'),
    h('p', { class: 'sub' }, 'Factures dématérialisées Chorus Pro et PES ASAP'),
    h('label', { for: 'login-email' }, 'Adresse électronique', email),
    h('label', { for: 'login-password' }, 'Mot de passe', password),
    error,
    submit,
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    error.hidden = true;
    submit.disabled = true;
    try {
      await post('/api/auth/login', { email: email.value, password: password.value });
      await afterLogin();
    } catch (err) {
      // The server never says which part was wrong; neither do we.
      error.textContent = err.status === 401 ? 'Adresse ou mot de passe incorrect.' : err.message;
      error.hidden = false;
      password.value = '';
      password.focus();
    } finally {
      submit.disabled = false;
    }
  });
  clear(main, form);
  email.focus();
}
