import 'dotenv/config';
import { type Config, ConfigError, loadConfig } from './config.ts';
import { startEventLoopMonitor } from './observability/event-loop.ts';
import { createService } from './service.ts';

function configOrExit(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`rekey: invalid configuration: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

async function main(): Promise<void> {
  const config = configOrExit();
  const service = await createService(config);
  const { logger } = service.deps;
  if (config.mailWorker) service.worker.start();
  await service.api.listen({ port: config.port, host: config.host });
  const eventLoop = startEventLoopMonitor();

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    // The longest the event loop was blocked while we ran: a stall shows here even unscraped.
    logger.info({ signal, eventLoopDelay: eventLoop.read() }, 'shutting down');
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
