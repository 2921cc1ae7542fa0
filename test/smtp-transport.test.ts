import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { createSmtpTransport } from '../src/mail/transport.ts';
import { createTransport } from '../src/service.ts';
import { createSelfSignedCertificate, type TestCertificate } from './support/certificate.ts';
import { type SmtpSink, startSmtpSink } from './support/smtp.ts';

const mail = {
  from: 'BikeShop <no-reply@bikeshop.local>',
  to: 'ada@example.com',
  subject: 'Password Reset Request - BikeShop',
  text: 'hello',
  html: '<p>hello</p>',
};

let certificate: TestCertificate;
let directory: string;
let caFile: string;
beforeAll(() => {
  certificate = createSelfSignedCertificate();
  directory = mkdtempSync(join(tmpdir(), 'rekey-smtp-'));
  caFile = join(directory, 'ca.pem');
  writeFileSync(caFile, certificate.cert);
});
afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** Sends one mail through the transport SMTP_URL (and friends) configure. */
async function sendWith(env: Record<string, string>): Promise<void> {
  const transport = createTransport(loadConfig(env));
  try {
    await transport.send(mail);
  } finally {
    transport.close();
  }
}

async function withSink(
  options: Parameters<typeof startSmtpSink>[0],
  body: (sink: SmtpSink) => Promise<void>,
) {
  const sink = await startSmtpSink(options);
  try {
    await body(sink);
  } finally {
    await sink.close();
  }
}

describe('the SMTP transport', () => {
  it('authenticates with the user and password of SMTP_URL', () =>
    withSink({ auth: { user: 'mailer', pass: 's3cret/pass' } }, async (sink) => {
      await sendWith({
        SMTP_URL: `smtp://mailer:${encodeURIComponent('s3cret/pass')}@127.0.0.1:${sink.port}`,
      });
      const [received] = await sink.waitForMails(1);
      expect(received?.user).toBe('mailer');
      expect(received?.envelopeTo).toEqual(['ada@example.com']);
    }));

  it('fails (so the worker retries) when the server requires auth and the password is wrong', () =>
    withSink({ auth: { user: 'mailer', pass: 'right' } }, async (sink) => {
      await expect(
        sendWith({ SMTP_URL: `smtp://mailer:wrong@127.0.0.1:${sink.port}` }),
      ).rejects.toThrow(/535|Invalid credentials/);
      await expect(sendWith({ SMTP_URL: `smtp://127.0.0.1:${sink.port}` })).rejects.toThrow();
      expect(sink.mails).toHaveLength(0);
    }));

  it('speaks TLS from the first byte with smtps:// and verifies the certificate against SMTP_TLS_CA_FILE', () =>
    withSink(
      { secure: true, tls: certificate, auth: { user: 'mailer', pass: 'pw' } },
      async (sink) => {
        await sendWith({
          SMTP_URL: `smtps://mailer:pw@127.0.0.1:${sink.port}`,
          SMTP_TLS_CA_FILE: caFile,
        });
        const [received] = await sink.waitForMails(1);
        expect(received?.secure).toBe(true);
        expect(received?.user).toBe('mailer');
      },
    ));

  it('refuses a certificate it cannot verify instead of sending in the clear or trusting it', () =>
    withSink({ secure: true, tls: certificate }, async (sink) => {
      await expect(sendWith({ SMTP_URL: `smtps://127.0.0.1:${sink.port}` })).rejects.toThrow(
        /self[- ]signed|certificate/i,
      );
      expect(sink.mails).toHaveLength(0);
    }));

  it('upgrades smtp:// with STARTTLS when the server offers it', () =>
    withSink({ tls: certificate }, async (sink) => {
      await sendWith({ SMTP_URL: `smtp://127.0.0.1:${sink.port}`, SMTP_TLS_CA_FILE: caFile });
      const [received] = await sink.waitForMails(1);
      expect(received?.secure).toBe(true);
    }));

  it('sends in the clear over smtp:// when the server offers no STARTTLS', () =>
    withSink({}, async (sink) => {
      await sendWith({ SMTP_URL: `smtp://127.0.0.1:${sink.port}` });
      const [received] = await sink.waitForMails(1);
      expect(received?.secure).toBe(false);
    }));

  it('stops the start with a clear message when SMTP_TLS_CA_FILE cannot be read', () => {
    expect(() =>
      createTransport(
        loadConfig({
          SMTP_URL: 'smtp://127.0.0.1:25',
          SMTP_TLS_CA_FILE: join(directory, 'nope.pem'),
        }),
      ),
    ).toThrow(/^SMTP_TLS_CA_FILE: cannot read/);
  });

  it('gives up on a server that never answers, so the attempt fails within the lease', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((done) => silent.listen(0, '127.0.0.1', done));
    const { port } = silent.address() as { port: number };
    const transport = createSmtpTransport(`smtp://127.0.0.1:${port}`, { sendTimeoutMs: 200 });
    try {
      await expect(transport.send(mail)).rejects.toThrow(/abort|timeout|timed out|never received/i);
    } finally {
      transport.close();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((done) => silent.close(() => done()));
    }
  });
});
