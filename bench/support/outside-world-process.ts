import { runLoad } from './load.ts';
import type { LoadReply, LoadRequest } from './outside-world.ts';
import { scenario } from './scenarios.ts';
import { startBenchSink } from './smtp-sink.ts';

// The outside world of a bench run, started by startOutsideWorld() at the lowest CPU priority:
// the clients (autocannon) and the mail server (the SMTP sink). See outside-world.ts.
type Command = ({ type: 'load' } & LoadRequest) | { type: 'close' };

const send = (message: object) => process.send?.(message);
const sink = await startBenchSink();
// The bench process went away (finished or failed): so does its outside world.
process.on('disconnect', () => process.exit());
process.on('message', (command: Command) => {
  if (command.type === 'close') {
    void sink.close().then(() => process.disconnect());
    return;
  }
  void load(command).then(
    (reply) => send({ type: 'loaded', reply }),
    (error: unknown) => send({ type: 'failed', message: String(error) }),
  );
});
send({ type: 'ready', smtpUrl: sink.url });

async function load(request: LoadRequest): Promise<LoadReply> {
  let completed = 0;
  const mailsBefore = sink.messages.length;
  const cpuBefore = process.cpuUsage();
  const result = await runLoad({
    url: request.url,
    connections: request.connections,
    durationS: request.durationS,
    next: scenario(request.scenario, request.data),
    onResponse: (status) => {
      if (status >= 200 && status < 300) completed += 1;
    },
  });
  const cpu = process.cpuUsage(cpuBefore);
  // Mail goes out after the answer: this is what the server delivered while the load ran.
  return {
    result,
    completed,
    mailsDelivered: sink.messages.length - mailsBefore,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
  };
}
