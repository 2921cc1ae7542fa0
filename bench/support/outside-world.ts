import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { LoadResult } from './load.ts';
import type { ScenarioData, ScenarioName } from './scenarios.ts';
import { NODE } from './server.ts';

export interface LoadRequest {
  url: string;
  connections: number;
  durationS: number;
  scenario: ScenarioName;
  data: ScenarioData;
}

export interface LoadReply {
  result: LoadResult;
  /** Answers with a 2xx status. */
  completed: number;
  /** Mails the sink accepted while the load ran. */
  mailsDelivered: number;
  /** CPU time the load generator and the sink used while the load ran (all threads). */
  cpuSeconds: number;
}

/** The clients and the mail server of a bench run, in a process of their own. */
export interface OutsideWorld {
  smtpUrl: string;
  load(request: LoadRequest): Promise<LoadReply>;
  close(): Promise<void>;
}

/**
 * Starts the load generator and the SMTP sink in one process at nice 19. In production both
 * are other machines; here they share the server's two cores, and at the same priority the
 * kernel parks the server's event loop for 10–30 ms while they run (the bare floor server
 * showed the same stalls). At the lowest priority they take only the CPU the server leaves.
 */
export async function startOutsideWorld(): Promise<OutsideWorld> {
  const child = spawn(
    'nice',
    ['-n', '19', NODE, join(import.meta.dirname, 'outside-world-process.ts')],
    {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );
  type Message =
    | { type: 'ready'; smtpUrl: string }
    | { type: 'loaded'; reply: LoadReply }
    | { type: 'failed'; message: string };
  const next = () =>
    new Promise<Message>((resolve, reject) => {
      const onExit = (code: number | null) =>
        reject(new Error(`the load process exited (code ${code})`));
      child.once('exit', onExit);
      child.once('message', (message: Message) => {
        child.off('exit', onExit);
        resolve(message);
      });
    });
  const ready = await next();
  if (ready.type !== 'ready')
    throw new Error(`the load process did not start: ${JSON.stringify(ready)}`);
  return {
    smtpUrl: ready.smtpUrl,
    async load(request) {
      const answer = next();
      child.send({ type: 'load', ...request });
      const message = await answer;
      if (message.type === 'loaded') return message.reply;
      throw new Error(`the load failed: ${JSON.stringify(message)}`);
    },
    async close() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send({ type: 'close' });
      await exited;
    },
  };
}
