// A real SMTP server (the `smtp-server` package) on a port of its own, for suites whose Gatehouse
// mails sign-in codes through nodemailer: what it receives is kept in `mail`, one entry per recipient.
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface Delivered {
  to: string;
  text: string;
}

export interface TestMailbox {
  mail: Delivered[];
  /** For SMTP_URL. */
  url: string;
  close(): Promise<void>;
}

export async function startTestMailbox(): Promise<TestMailbox> {
  const mail: Delivered[] = [];
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        // Quoted-printable soft breaks and `=3D` are undone so a link reads as sent.
        const text = chunks
          .join('')
          .replace(/=\r?\n/g, '')
          .replace(/=3D/g, '=');
        for (const rcpt of session.envelope.rcptTo) mail.push({ to: rcpt.address.toLowerCase(), text });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const { port } = smtp.server.address() as AddressInfo;
  return {
    mail,
    url: `smtp://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => smtp.close(() => resolve())),
  };
}
