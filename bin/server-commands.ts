// The commands `palisade` runs as the control plane itself (bin/palisade.ts); every other first
// argument is the client's (cli/main.ts). Apart from palisade.ts, which runs on import, so the CDK
// drift guard (test/unit/config/deployment-drift.test.ts) can check the containers' commands against it.
export const SERVER_COMMANDS = ['serve', 'worker', 'migrate', 'mint-key', 'signing-keys'] as const;
export type ServerCommand = (typeof SERVER_COMMANDS)[number];

export const isServerCommand = (command: string | undefined): command is ServerCommand =>
  (SERVER_COMMANDS as readonly (string | undefined)[]).includes(command);
