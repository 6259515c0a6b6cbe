// Command-line front end for bin/comet-emulator: flag parsing, --help text, startup line and signal handling.
'use strict';

const { startEmulator, DEFAULT_VERSION } = require('./index');

const HELP = `Usage: comet-emulator [options]

A Comet Server admin-API emulator for tests. It listens on loopback only and prints
"listening <url>" as its first line on stdout.

Options:
  --port N               TCP port; 0 picks a free port (default 8060, Comet's default)
  --host HOST            bind address; only loopback is accepted: 127.0.0.0/8, ::1 or
                         localhost (default 127.0.0.1)
  --mode MODE            server generation to emulate: "modern" (${DEFAULT_VERSION.modern}) or "18.9"
                         (${DEFAULT_VERSION['18.9']}); changes username rules, response shapes and
                         which endpoints exist (default modern)
  --admin-username NAME  admin account name (default admin)
  --admin-password PASS  admin account password (default admin)
  --admin-totp-secret B32
                         base32 TOTP secret for the admin; when set, AuthType=Password
                         fails with ERR_TOTP_REQUIRED and AuthType=PasswordTOTP with a
                         valid TOTP code (RFC 6238, SHA1, 30 s, 6 digits) is required
  --tls-cert FILE        PEM certificate; with --tls-key, serve HTTPS instead of HTTP
  --tls-key FILE         PEM private key for --tls-cert
  --state FILE           load state from FILE at start (if it exists) and save it after
                         every write, atomically (temp file + rename)
  --seed FILE            JSON seed (users, vault statistics, jobs, devices, providers,
                         policies) applied when no saved state was loaded; see
                         emulator/README.md and emulator/seed-example.json
  --seed-users N         add N generated users with vault statistics (user000000,
                         user000001, ...; see emulator/README.md "Generated users"),
                         when no saved state was loaded; fast enough for 100,000
  --seed-users-prefix P  name prefix for --seed-users (default "user")
  --control              enable the test-control routes under /__emulator/ (faults,
                         latency, journal, reset, seed, stats); off by default
  --latency MS           extra latency in ms added to every API request (default 0)
  --server-version VER   Version string reported by meta/version (default per mode)
  --help                 show this help and exit

The process exits cleanly (status 0) on SIGTERM or SIGINT.
`;

class UsageError extends Error {}

const VALUE_FLAGS = {
  '--port': 'port',
  '--host': 'host',
  '--mode': 'mode',
  '--admin-username': 'adminUsername',
  '--admin-password': 'adminPassword',
  '--admin-totp-secret': 'adminTotpSecret',
  '--tls-cert': 'tlsCert',
  '--tls-key': 'tlsKey',
  '--state': 'stateFile',
  '--seed': 'seed',
  '--seed-users': 'seedUsers',
  '--seed-users-prefix': 'seedUsersPrefix',
  '--latency': 'latencyMs',
  '--server-version': 'serverVersion',
};
const BOOL_FLAGS = { '--control': 'control', '--help': 'help' };

function parseIntFlag(name, v) {
  if (!/^\d+$/.test(v)) throw new UsageError(`${name} expects a non-negative integer, got ${JSON.stringify(v)}`);
  return Number(v);
}

/** Parse argv (without node and script) into startEmulator options plus {help}. Accepts --flag value and --flag=value. */
function parseArgs(argv) {
  const out = { port: 8060 };
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i];
    let inline;
    const eq = arg.indexOf('=');
    if (arg.startsWith('--') && eq > 0) {
      inline = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    if (Object.hasOwn(BOOL_FLAGS, arg)) {
      if (inline !== undefined) throw new UsageError(`${arg} takes no value`);
      out[BOOL_FLAGS[arg]] = true;
    } else if (Object.hasOwn(VALUE_FLAGS, arg)) {
      const v = inline !== undefined ? inline : argv[++i];
      if (v === undefined) throw new UsageError(`${arg} needs a value`);
      out[VALUE_FLAGS[arg]] = v;
    } else {
      throw new UsageError(`unknown argument ${JSON.stringify(argv[i])} (see --help)`);
    }
  }
  out.port = typeof out.port === 'string' ? parseIntFlag('--port', out.port) : out.port;
  if (out.latencyMs !== undefined) out.latencyMs = parseIntFlag('--latency', out.latencyMs);
  if (out.seedUsersPrefix !== undefined && out.seedUsers === undefined) {
    throw new UsageError('--seed-users-prefix needs --seed-users');
  }
  if (out.seedUsers !== undefined) {
    const count = parseIntFlag('--seed-users', out.seedUsers);
    if (count < 1) throw new UsageError('--seed-users expects a positive integer');
    out.seedUsers = out.seedUsersPrefix === undefined ? count : { count, prefix: out.seedUsersPrefix };
  }
  delete out.seedUsersPrefix;
  if ((out.tlsCert === undefined) !== (out.tlsKey === undefined)) {
    throw new UsageError('--tls-cert and --tls-key must be given together');
  }
  if (out.tlsCert !== undefined) out.tls = { cert: out.tlsCert, key: out.tlsKey };
  delete out.tlsCert;
  delete out.tlsKey;
  return out;
}

async function main(argv) {
  let opts;
  try {
    opts = parseArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`comet-emulator: ${e.message}\n`);
    process.exitCode = 2;
    return;
  }
  if (opts.help) {
    process.stdout.write(HELP);
    return;
  }
  delete opts.help;
  let emu;
  try {
    emu = await startEmulator(opts);
  } catch (e) {
    process.stderr.write(`comet-emulator: ${e.message}\n`);
    process.exitCode = 1;
    return;
  }
  let stopping = false;
  const stop = () => {
    if (stopping) process.exit(1); // a second signal while closing: give up at once
    stopping = true;
    // State is saved after every write, so closing the listener is all there is to do.
    emu.close().then(() => process.exit(0));
  };
  // Handlers go in before the first line is printed: a caller may signal as soon as it reads it.
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // Callers wait for this exact first line to learn the port.
  process.stdout.write(`listening ${emu.url}\n`);
  process.stderr.write(
    `comet-emulator: mode ${emu.options.mode}, version ${emu.info.version}, admin "${emu.options.adminUsername}"` +
      `${emu.options.control ? ', control routes on' : ''}\n`,
  );
}

module.exports = { main, parseArgs, HELP, UsageError };
