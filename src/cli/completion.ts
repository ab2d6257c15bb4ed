import type { Command, Option } from 'commander';

export type Shell = 'bash' | 'zsh' | 'fish';

const flags = (options: readonly Option[]) => options.flatMap((o) => [o.long, o.short].filter((f): f is string => !!f));

/**
 * A completion script for commands and options, generated from the command tree itself
 * (commander has none built in). Completes commands, their options and paths.
 */
export function completionScript(program: Command, shell: Shell): string {
  const name = program.name();
  const fn = `_${name.replace(/[^A-Za-z0-9]/g, '_')}`;
  const globals = flags(program.options);
  const commands = program.commands.filter((c) => c.name() !== 'help');
  if (shell === 'bash' || shell === 'zsh') {
    const cases = commands
      .map((c) => `    ${c.name()}) opts="${[...flags(c.options), ...globals].join(' ')}" ;;`)
      .join('\n');
    const body = `${fn}() {
  local cur cmd i opts
  cur="\${COMP_WORDS[COMP_CWORD]}"
  cmd=""
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in -*) ;; *) cmd="\${COMP_WORDS[i]}"; break ;; esac
  done
  case "$cmd" in
${cases}
    *) opts="${commands.map((c) => c.name()).join(' ')} ${globals.join(' ')}" ;;
  esac
  if [[ "$cur" == -* || -n "$cmd" ]]; then
    COMPREPLY=( $(compgen -W "$opts" -- "$cur") $(compgen -f -- "$cur") )
  else
    COMPREPLY=( $(compgen -W "$opts" -- "$cur") )
  fi
}
complete -o filenames -F ${fn} ${name}
`;
    return shell === 'zsh' ? `autoload -U +X bashcompinit && bashcompinit\n${body}` : body;
  }
  const lines = [`complete -c ${name} -f`];
  const names = commands.map((c) => c.name()).join(' ');
  for (const c of commands) {
    lines.push(
      `complete -c ${name} -n "not __fish_seen_subcommand_from ${names}" -a ${c.name()} -d ${JSON.stringify(c.description())}`,
    );
    for (const o of c.options) {
      const long = o.long?.replace(/^--/, '');
      if (long) {
        lines.push(
          `complete -c ${name} -n "__fish_seen_subcommand_from ${c.name()}" -l ${long}${o.required ? ' -r -F' : ''} -d ${JSON.stringify(o.description)}`,
        );
      }
    }
  }
  for (const o of program.options) {
    const long = o.long?.replace(/^--/, '');
    if (long)
      lines.push(`complete -c ${name} -l ${long}${o.required ? ' -r -F' : ''} -d ${JSON.stringify(o.description)}`);
  }
  return `${lines.join('\n')}\n`;
}
