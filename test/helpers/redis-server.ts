/**
 * Debian's real redis-server for a test, on a free loopback port, without persistence. Stopped (and
 * paused, restarted) by its PID only: never by name, since other suites run their own.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';

export const REDIS_SERVER_BINARY = '/usr/bin/redis-server';

export interface RedisServerOptions {
  /** Extra redis-server arguments, e.g. ['--requirepass', 'secret']. */
  readonly args?: readonly string[];
}

export interface RedisServer {
  readonly port: number;
  /** `redis://127.0.0.1:<port>` (add credentials yourself when the server requires them). */
  readonly url: string;
  /** The PID of the running server, or null while stopped. */
  pid(): number | null;
  /** Stops the server (SIGTERM, then waits for it to exit). */
  stop(): Promise<void>;
  /** Starts it again on the same port, empty. */
  restart(): Promise<void>;
  /** Freezes it (SIGSTOP): connections stay open but nothing is answered. */
  pause(): void;
  /** Thaws a paused server (SIGCONT). */
  resume(): void;
}

export async function freePort(): Promise<number> {
  const probe = createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const address = probe.address();
  probe.close();
  await once(probe, 'close');
  if (address === null || typeof address === 'string') throw new Error('expected a TCP address from the probe');
  return address.port;
}

export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const port = await freePort();
  let child: ChildProcess | null = await launch(port, options.args ?? []);

  const stop = async (): Promise<void> => {
    const running = child;
    child = null;
    // Never started, stopped already, or gone on its own.
    if (running?.exitCode !== null || running.signalCode !== null) return;
    const exited = once(running, 'exit');
    running.kill('SIGCONT'); // a paused server cannot act on SIGTERM
    running.kill('SIGTERM');
    await exited;
  };

  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    pid: () => child?.pid ?? null,
    stop,
    async restart() {
      await stop();
      child = await launch(port, options.args ?? []);
    },
    pause() {
      child?.kill('SIGSTOP');
    },
    resume() {
      child?.kill('SIGCONT');
    },
  };
}

async function launch(port: number, extraArgs: readonly string[]): Promise<ChildProcess> {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...extraArgs];
  const child = spawn(REDIS_SERVER_BINARY, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        child.stdout?.off('data', onData);
        child.off('exit', onExit);
        child.stdout?.resume(); // keep draining so the server never blocks on a full pipe
        resolve();
      }
    };
    const onExit = (code: number | null) =>
      reject(new Error(`redis-server on port ${port} exited with ${code} before it was ready:\n${output}`));
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', onExit);
    child.once('error', reject);
  });
  return child;
}
