/** Writes the edge-case config dir at `root`; returns how many transcripts it holds. */
export function writeEdgeCorpus(root: string): number;
