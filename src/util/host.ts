/**
 * The host's rule for comparing paths: names that differ only in case are one name on the
 * default filesystems of macOS (APFS) and Windows (NTFS), two elsewhere. The one place that
 * reads `process.platform` for it; consulted only where the rule is decided (`inspect`,
 * for the snapshot, and the retain verb) and for a plan made before plans recorded their
 * rule (`pathRulesOf`). `test/architecture/layers.test.ts` holds it to those places.
 */
export function hostCaseInsensitive(platform: NodeJS.Platform = process.platform): boolean {
  return platform === 'win32' || platform === 'darwin';
}
