// `palisade completion bash|zsh`: a completion script made from the command table itself (names,
// their actions and flags), so it cannot fall behind the commands. Files complete everywhere, for -f.
import { type Command, parseOptions } from '../command.ts';
import { EXIT, usageError } from '../exit-codes.ts';
import { positionals } from '../options.ts';

function wordsOf(command: Command): string {
  const flags = Object.keys(command.options).map((flag) => `--${flag}`);
  return [...(command.subcommands ?? []), ...flags, '--help'].join(' ');
}

function bash(commands: readonly Command[]): string {
  const cases = commands.map((command) => `    ${command.name}) COMPREPLY=($(compgen -W "${wordsOf(command)}" -- "$cur"));;`).join('\n');
  return `# palisade completion for bash: source <(palisade completion bash)
_palisade() {
  local cur="\${COMP_WORDS[COMP_CWORD]}"
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W "${commands.map((command) => command.name).join(' ')} --help" -- "$cur"))
    return
  fi
  case "\${COMP_WORDS[1]}" in
${cases}
  esac
}
complete -o default -F _palisade palisade
`;
}

function zsh(commands: readonly Command[]): string {
  const cases = commands.map((command) => `    ${command.name}) compadd -- ${wordsOf(command)};;`).join('\n');
  return `#compdef palisade
# palisade completion for zsh: source <(palisade completion zsh)
_palisade() {
  if (( CURRENT == 2 )); then
    compadd -- ${commands.map((command) => command.name).join(' ')} --help
    return
  fi
  case $words[2] in
${cases}
  esac
  _files
}
compdef _palisade palisade
`;
}

export const completionCommand: Command = {
  name: 'completion',
  summary: 'Print a shell completion script (bash or zsh)',
  subcommands: ['bash', 'zsh'],
  help: `Usage: palisade completion bash|zsh

  source <(palisade completion bash)     # in ~/.bashrc
  source <(palisade completion zsh)      # in ~/.zshrc, after compinit`,
  options: {},
  async run(context) {
    const { positionals: words } = parseOptions(context, 'completion', {});
    const [shell] = positionals(words, ['bash|zsh'], 'completion');
    if (shell === 'bash') context.io.stdout.write(bash(context.commands));
    else if (shell === 'zsh') context.io.stdout.write(zsh(context.commands));
    else throw usageError(`no completion for ${shell}: bash or zsh`, 'completion');
    return EXIT.OK;
  },
};
