// TLS material generated at test time with the openssl CLI: a CA, a server
// certificate for 127.0.0.1/localhost (also usable as a client certificate,
// which cluster routes need) and a client certificate, all EC P-256.
import { execFile } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { makeTempDir } from "./registry";

const run = promisify(execFile);

/** A certificate with its key, as files and as PEM text. */
export interface CertKeyPair {
  certFile: string;
  keyFile: string;
  certPem: string;
  keyPem: string;
}

/** A CA and the certificates it signed. */
export interface TlsMaterial {
  /** The directory holding the files. */
  dir: string;
  /** The CA: clients trust `ca.certFile`/`ca.certPem`. */
  ca: CertKeyPair;
  /** Server certificate: SAN IP:127.0.0.1 and DNS:localhost; EKU serverAuth and clientAuth. */
  server: CertKeyPair;
  /** Client certificate (CN "harness-client"), for servers that verify clients. */
  client: CertKeyPair;
}

async function openssl(args: string[], cwd: string): Promise<void> {
  try {
    await run("openssl", args, { cwd });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === "ENOENT") {
      throw new Error("harness: the openssl CLI is needed to generate TLS certificates and is not on PATH");
    }
    throw new Error(`harness: openssl ${args.join(" ")} failed: ${e.stderr ?? e.message}`);
  }
}

function read(dir: string, cert: string, key: string): CertKeyPair {
  const certFile = path.join(dir, cert);
  const keyFile = path.join(dir, key);
  return {
    certFile,
    keyFile,
    certPem: fs.readFileSync(certFile, "utf8"),
    keyPem: fs.readFileSync(keyFile, "utf8"),
  };
}

async function leaf(dir: string, name: string, cn: string, ext: string): Promise<void> {
  const serial = "0x" + crypto.randomBytes(8).toString("hex");
  fs.writeFileSync(path.join(dir, `${name}.ext`), ext);
  await openssl(
    ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", `${name}-key.pem`],
    dir,
  );
  await openssl(["req", "-new", "-key", `${name}-key.pem`, "-subj", `/CN=${cn}`, "-out", `${name}.csr`], dir);
  await openssl(
    // -days 2 with the default start (now) leaves room for slow suites.
    [
      "x509",
      "-req",
      "-in",
      `${name}.csr`,
      "-CA",
      "ca.pem",
      "-CAkey",
      "ca-key.pem",
      "-set_serial",
      serial,
      "-days",
      "2",
      "-sha256",
      "-extfile",
      `${name}.ext`,
      "-out",
      `${name}.pem`,
    ],
    dir,
  );
}

/**
 * Generate a fresh CA with a server and a client certificate in `dir`
 * (default: a new harness temp dir, removed at cleanup). About 0.1 s.
 */
export async function generateTls(dir?: string, caName = "pulumi-nats test CA"): Promise<TlsMaterial> {
  const target = dir ?? makeTempDir("tls");
  fs.mkdirSync(target, { recursive: true });
  await openssl(
    ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "ca-key.pem"],
    target,
  );
  await openssl(
    [
      "req",
      "-x509",
      "-new",
      "-key",
      "ca-key.pem",
      "-sha256",
      "-days",
      "2",
      "-subj",
      `/CN=${caName}`,
      "-addext",
      "basicConstraints=critical,CA:TRUE",
      "-addext",
      "keyUsage=critical,keyCertSign,cRLSign",
      "-out",
      "ca.pem",
    ],
    target,
  );
  const common = "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n";
  await Promise.all([
    leaf(
      target,
      "server",
      "127.0.0.1",
      common + "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n",
    ),
    leaf(target, "client", "harness-client", common + "extendedKeyUsage=clientAuth\n"),
  ]);
  return {
    dir: target,
    ca: read(target, "ca.pem", "ca-key.pem"),
    server: read(target, "server.pem", "server-key.pem"),
    client: read(target, "client.pem", "client-key.pem"),
  };
}

let shared: Promise<TlsMaterial> | undefined;

/** One TLS material set per test process, generated on first use. */
export async function sharedTls(): Promise<TlsMaterial> {
  if (shared) {
    const material = await shared.catch(() => undefined);
    // Regenerate when a cleanup removed the files.
    if (material && fs.existsSync(material.ca.certFile)) return material;
  }
  shared = generateTls(undefined);
  return shared;
}

/** Forget the shared material (its dir is removed by cleanup). */
export function resetSharedTls(): void {
  shared = undefined;
}
