import { Command, Help } from 'commander';

// commander writes its own words in English (help titles, parse errors): users of Passerelle read French.
// Titles go through `configureHelp`, errors through `configureOutput.outputError`; both are inherited by the
// sub-commands created after `frenchCommander(program)`.

const TITLES: Record<string, string> = {
  'Usage:': 'Utilisation :',
  'Arguments:': 'Arguments :',
  'Options:': 'Options :',
  'Global Options:': 'Options générales :',
  'Commands:': 'Commandes :',
};

const ERRORS: Array<[RegExp, (...groups: string[]) => string]> = [
  [/^error: unknown option '(.+?)'/, (flag) => `option inconnue « ${flag} »`],
  [/^error: unknown command '(.+?)'/, (name) => `commande inconnue « ${name} »`],
  [/^error: missing required argument '(.+?)'/, (name) => `argument obligatoire manquant : « ${name} »`],
  [/^error: option '(.+?)' argument missing/, (flags) => `valeur manquante pour l’option « ${flags} »`],
  [/^error: required option '(.+?)' not specified/, (flags) => `option obligatoire absente : « ${flags} »`],
  [
    /^error: too many arguments(?: for '(.+?)')?\. Expected (\d+) arguments? but got (\d+)\./,
    (name, expected, got) => `trop d’arguments${name ? ` pour « ${name} »` : ''} : ${expected} attendu(s), ${got} reçu(s)`,
  ],
  [/^error: option '(.+?)' argument '(.*?)' is invalid\.\s*/, (flags, value) => `valeur « ${value} » invalide pour l’option « ${flags} » : `],
  [/^error: command-argument value '(.*?)' is invalid for argument '(.+?)'\.\s*/, (value, name) => `valeur « ${value} » invalide pour l’argument « ${name} » : `],
  [/^error: (.+) cannot be used with (.+)$/m, (a, b) => `${a} ne peut pas être utilisée avec ${b}`],
  [/^error: /, () => ''],
];

/** commander's error text → French (« Erreur : option inconnue « --x » (vouliez-vous dire --y ?) »). */
export function translateCommanderError(text: string): string {
  let out = text.replace(/\n?\(Did you mean one of (.+)\?\)/, ' (vouliez-vous dire l’une de : $1 ?)').replace(/\n?\(Did you mean (.+)\?\)/, ' (vouliez-vous dire $1 ?)');
  for (const [pattern, french] of ERRORS) {
    const m = pattern.exec(out);
    if (m) {
      out = out.replace(pattern, french(...m.slice(1)));
      break;
    }
  }
  return `Erreur : ${out}`;
}

/** Help and parse errors in French; to call on the program before any sub-command is created. */
export function frenchCommander(program: Command, version: string): Command {
  return program
    .configureHelp({
      styleTitle: (title: string) => TITLES[title] ?? title,
      commandUsage(this: Help, cmd: Command) {
        return Help.prototype.commandUsage.call(this, cmd).replace('[command]', '[commande]');
      },
      optionDescription(this: Help, option) {
        // A flag off by default, a repeatable option starting empty: not worth « (par défaut : false) ».
        const silent = option.defaultValue === false || (Array.isArray(option.defaultValue) && !option.defaultValue.length);
        const shown = silent ? Object.assign(Object.create(option), { defaultValue: undefined }) : option;
        return frenchExtras(Help.prototype.optionDescription.call(this, shown));
      },
      argumentDescription(this: Help, argument) {
        return frenchExtras(Help.prototype.argumentDescription.call(this, argument));
      },
    })
    .configureOutput({
      writeErr: (s) => process.stderr.write(s),
      outputError: (s, write) => write(translateCommanderError(s)),
    })
    .helpOption('-h, --help', 'afficher l’aide')
    .helpCommand('help [commande]', 'afficher l’aide d’une commande')
    .version(version, '-V, --version', 'afficher la version')
    .showHelpAfterError('(--help pour l’aide de la commande)');
}

function frenchExtras(description: string): string {
  return description
    .replace(/\((.*)\)$/, (all, inner: string) =>
      `(${inner.replace(/\bdefault: /, 'par défaut : ').replace(/\bchoices: /, 'valeurs : ').replace(/\bpreset: /, 'sans valeur : ').replace(/\benv: /, 'variable : ')})`,
    );
}
