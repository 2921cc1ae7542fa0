import 'dotenv/config';
import { flushCompileCache } from 'node:module';
import { loadConfigOrExit } from './config.ts';
import { createService } from './service.ts';
import { lowerThreadPoolPriority } from './thread-pool-priority.ts';
import { buildWebServer, defaultWebRoot } from './web/server.ts';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const service = await createService(config);
  const { logger } = service.deps;
  await lowerThreadPoolPriority(config.threadPoolNice).then(
    (threads) => logger.debug({ threads }, 'thread pool below the event loop in CPU priority'),
    (error: unknown) => logger.warn({ err: error }, 'could not lower the thread pool priority'),
  );
  if (config.mailWorker) service.worker.start();
  await service.api.listen({ port: config.port, host: config.host });
  const web =
    config.webPort === 0
      ? undefined
      : await buildWebServer({
          root: defaultWebRoot(),
          apiUrl: config.publicApiUrl,
          appName: config.appName,
          logger: { level: config.logLevel },
        });
  await web?.listen({ port: config.webPort, host: config.host });
  // With NODE_COMPILE_CACHE set (npm start), Node writes the cache only at a clean exit:
  // written now, a process that is only ever stopped hard (SIGKILL) still leaves it for the
  // next start. Without the variable this does nothing.
  flushCompileCache();

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    // The longest the event loop was blocked while we ran: a stall shows here even unscraped.
    logger.info({ signal, eventLoopDelay: service.eventLoop.read() }, 'shutting down');
    await web?.close();
    await service.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`rekey: failed to start: ${message}\n`);
  process.exit(1);
});
