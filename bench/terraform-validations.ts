// Bench: each terraform command's CPU against one reattached hashicorp/aws (terraform's and the provider's), and with --memo the same through a proxy answering a repeated ValidateProviderConfig from the provider's first answer (the proxy the tests use, test/terraform/validationMemo.ts).

import { execFileSync, spawn } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEmulator } from "../src/index.js";
import { providerBlock } from "../test/terraform/providerBlock.js";
import { startValidationMemo } from "../test/terraform/validationMemo.js";

const memo = process.argv.includes("--memo");
const mirror = process.env.EMULATOR_TERRAFORM_MIRROR ?? "/opt/tf-plugins";
const ticksPerSecond = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());

const root = mkdtempSync(join(tmpdir(), "bench-terraform-"));
process.once("exit", () => rmSync(root, { recursive: true, force: true }));
writeFileSync(join(root, "terraform.rc"), `provider_installation {\n  filesystem_mirror {\n    path    = ${JSON.stringify(mirror)}\n    include = ["registry.terraform.io/hashicorp/aws"]\n  }\n}\n`);
const env: NodeJS.ProcessEnv = {
  ...process.env,
  TF_CLI_CONFIG_FILE: join(root, "terraform.rc"),
  TF_DATA_DIR: join(root, "init", ".terraform"),
  TF_IN_AUTOMATION: "1",
  TF_INPUT: "0",
  CHECKPOINT_DISABLE: "1",
  AWS_CONFIG_FILE: join(root, "none"),
  AWS_SHARED_CREDENTIALS_FILE: join(root, "none"),
  AWS_EC2_METADATA_DISABLED: "true",
  GOGC: "400",
};
delete env.AWS_CA_BUNDLE;
delete env.AWS_PROFILE;
delete env.TF_LOG;
const versions = `terraform {\n  required_providers {\n    aws = {\n      source  = "hashicorp/aws"\n      version = "~> 5.100"\n    }\n  }\n}\n`;

/** Runs terraform in `dir`; resolves with its own CPU seconds (from /usr/bin/time) and its exit code. */
function terraform(dir: string, args: readonly string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<{ code: number; cpu: number; output: string }> {
  const timeFile = join(root, "time");
  return new Promise((resolve, reject) => {
    const child = spawn("/usr/bin/time", ["-o", timeFile, "-f", "%U %S", "terraform", ...args], { cwd: dir, env: { ...env, ...extraEnv } });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code) => {
      const [user = 0, system = 0] = readFileSync(timeFile, "utf8").trim().split("\n").at(-1)?.split(" ").map(Number) ?? [];
      resolve({ code: code ?? 1, cpu: user + system, output });
    });
  });
}

/** A process's CPU seconds so far (utime + stime). */
function cpuOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
}

const emu = await startEmulator({ port: 0, logLevel: "warn" });
const initDir = join(root, "init");
mkdirSync(initDir);
writeFileSync(join(initDir, "versions.tf"), versions);
if ((await terraform(initDir, ["init", "-input=false", "-no-color"])).code !== 0) throw new Error("terraform init failed");
const base = join(env.TF_DATA_DIR ?? "", "providers", "registry.terraform.io", "hashicorp", "aws");
const [version = ""] = readdirSync(base);
const [platform = ""] = readdirSync(join(base, version));
const binary = join(base, version, platform, readdirSync(join(base, version, platform)).find((f) => f.startsWith("terraform-provider-aws")) ?? "");

const providerDir = join(root, "provider");
mkdirSync(providerDir);
const provider = spawn(binary, ["-debug"], { cwd: providerDir, env: { ...env, TMPDIR: providerDir, GOGC: "off", GOMEMLIMIT: "1GiB" }, stdio: ["ignore", "pipe", "pipe"] });
let printed = "";
const reattach = await new Promise<string>((resolve, reject) => {
  const read = (chunk: Buffer): void => {
    printed = (printed + chunk.toString("utf8")).slice(-20_000);
    const value = /TF_REATTACH_PROVIDERS='([^'\n]+)'/.exec(printed)?.[1];
    if (value !== undefined) resolve(value);
  };
  provider.stdout.on("data", read);
  provider.stderr.on("data", read);
  provider.on("exit", (code) => reject(new Error(`the provider exited with ${code} before it listened`)));
});
const attached = (JSON.parse(reattach) as Record<string, { Pid: number; Addr: { String: string } }>)["registry.terraform.io/hashicorp/aws"];
if (attached === undefined) throw new Error(`no hashicorp/aws in ${reattach}`);
const proxy = memo ? await startValidationMemo(attached.Addr.String, join(providerDir, "memo.sock")) : undefined;
const reattachValue = proxy === undefined ? reattach : reattach.replace(attached.Addr.String, join(providerDir, "memo.sock"));

const dir = join(root, "configuration");
mkdirSync(dir);
copyFileSync(join(initDir, ".terraform.lock.hcl"), join(dir, ".terraform.lock.hcl"));
writeFileSync(join(dir, "versions.tf"), versions);
const main = (count: number): string => `${providerBlock(emu.url)}
resource "aws_ec2_capacity_reservation" "bench" {
  availability_zone = "us-east-1a"
  instance_type     = "m5.large"
  instance_platform = "Linux/UNIX"
  instance_count    = ${count}
}
`;
writeFileSync(join(dir, "main.tf"), main(2));
const steps: { name: string; args: string[]; before?: () => void; expect: number }[] = [
  { name: "apply (create)", args: ["apply", "-auto-approve", "-no-color"], expect: 0 },
  { name: "plan -detailed-exitcode (empty)", args: ["plan", "-detailed-exitcode", "-no-color"], expect: 0 },
  { name: "apply (update)", args: ["apply", "-auto-approve", "-no-color"], before: () => writeFileSync(join(dir, "main.tf"), main(3)), expect: 0 },
  { name: "plan -detailed-exitcode (empty)", args: ["plan", "-detailed-exitcode", "-no-color"], expect: 0 },
  { name: "destroy -refresh=false", args: ["destroy", "-auto-approve", "-refresh=false", "-no-color"], expect: 0 },
];
console.log(`${memo ? "through the memo proxy" : "reattached directly"}; provider start to its line: ${cpuOf(attached.Pid).toFixed(2)} s of CPU`);
for (const step of steps) {
  step.before?.();
  const before = cpuOf(attached.Pid);
  const run = await terraform(dir, step.args, { TF_REATTACH_PROVIDERS: reattachValue });
  if (run.code !== step.expect) throw new Error(`terraform ${step.args.join(" ")} exited ${run.code}:\n${run.output}`);
  console.log(`${step.name.padEnd(34)} terraform ${run.cpu.toFixed(2)} s, provider ${(cpuOf(attached.Pid) - before).toFixed(2)} s of CPU`);
}
if (proxy !== undefined) console.log(`PrepareProviderConfig: ${proxy.misses} sent to the provider, ${proxy.hits} answered from an earlier answer`);
await proxy?.close();
provider.kill("SIGINT");
await emu.close();
