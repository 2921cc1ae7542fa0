import 'dotenv/config';
import { type Config, ConfigError, loadConfig } from './config.ts';
import { createService } from './service.ts';
import { buildWebServer, defaultWebRoot } from './web/server.ts';

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

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
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
