// Replaced at build time by tsup's `define`; falls back to reading nothing at runtime.
declare const __PACKAGE_VERSION__: string | undefined;

/** This package's version. */
export const VERSION: string = typeof __PACKAGE_VERSION__ === 'string' ? __PACKAGE_VERSION__ : '0.0.0-dev';
