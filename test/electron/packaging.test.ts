// electron-builder.yml as electron-builder itself loads and validates it: the fuses that harden the
// binary (no file:// extra privileges, asar integrity, ad-hoc re-signature after flipping them on
// macOS), nothing but the native module outside the checked archive (the migrations inside it),
// one dmg per Mac architecture with hardened runtime and notarisation, Authenticode with SHA-256 and
// a timestamp on Windows — and no certificate or password in the file: signing comes from the
// environment only, so an unsigned local build still works. (Signing itself cannot run here.)
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);

async function loadConfig(): Promise<Record<string, any>> {
  const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config') as {
    getConfig(dir: string, file: string, extra: null): Promise<Record<string, any>>;
    validateConfiguration(config: unknown, logger: unknown): Promise<void>;
  };
  const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };
  const config = await getConfig(process.cwd(), 'electron-builder.yml', null);
  await validateConfiguration(config, new DebugLogger(false)); // throws on a key electron-builder does not know
  return config;
}

describe('the packaging configuration', { timeout: 60_000 }, () => {
  it('hardens the binary with every security fuse, and resets the macOS signature after flipping them', async () => {
    const config = await loadConfig();
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableCookieEncryption: true,
      onlyLoadAppFromAsar: true,
      enableEmbeddedAsarIntegrityValidation: true,
      grantFileProtocolExtraPrivileges: false,
      resetAdHocDarwinSignature: true,
    });
  });

  it('keeps the migrations inside the integrity-checked asar; only native modules are unpacked', async () => {
    const config = await loadConfig();
    expect(config.asar).toBe(true);
    expect(JSON.stringify(config.files)).toContain('"drizzle/**/*"');
    expect(config.asarUnpack).toEqual(['**/*.node']);
  });

  it('builds a dmg per Mac architecture, hardened and notarised when the APPLE_* variables are set; Windows signs with SHA-256 and a timestamp', async () => {
    const config = await loadConfig();
    expect(config.mac).toMatchObject({ hardenedRuntime: true, notarize: true, target: [{ target: 'dmg', arch: ['arm64', 'x64'] }] });
    expect(config.win.signtoolOptions).toMatchObject({ signingHashAlgorithms: ['sha256'], rfc3161TimeStampServer: expect.stringMatching(/^http/) });
    const text = JSON.stringify(config);
    for (const secret of ['certificateFile', 'certificatePassword', 'certificateSha1', 'identity', 'appleIdPassword', 'CSC_KEY_PASSWORD"']) {
      expect(text, secret).not.toContain(secret);
    }
  });
});
