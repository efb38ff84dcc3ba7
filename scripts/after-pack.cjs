// electron-builder afterPack hook: sets the Electron fuses of the packaged app (no RunAsNode, NODE_OPTIONS, --inspect or file:// privileges; ASAR integrity and ASAR-only loading on).
const path = require('node:path');
const { flipFuses, FuseVersion, FuseV1Options } = require('@electron/fuses');

/** Every fuse @electron/fuses 1.8 knows is set explicitly, so none is left to Electron's default by accident. */
const FUSES = {
  [FuseV1Options.RunAsNode]: false,
  [FuseV1Options.EnableCookieEncryption]: true,
  [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
  [FuseV1Options.EnableNodeCliInspectArguments]: false,
  [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
  [FuseV1Options.OnlyLoadAppFromAsar]: true,
  [FuseV1Options.LoadBrowserProcessSpecificV8Snapshot]: false,
  // The renderer is served from app://, nothing from file://, so file: pages need no extra privileges.
  [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
};

exports.default = async function afterPack(context) {
  const name = context.packager.appInfo.productFilename;
  const executable = {
    darwin: path.join(context.appOutDir, `${name}.app`, 'Contents', 'MacOS', name),
    win32: path.join(context.appOutDir, `${name}.exe`),
    linux: path.join(context.appOutDir, context.packager.executableName),
  }[context.electronPlatformName];
  if (!executable) throw new Error(`after-pack: no Electron executable is known for platform ${context.electronPlatformName}`);
  await flipFuses(executable, {
    version: FuseVersion.V1,
    resetAdHocDarwinSignature: context.electronPlatformName === 'darwin',
    ...FUSES,
  });
};
