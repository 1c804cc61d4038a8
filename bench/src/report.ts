/** Small helpers every benchmark uses to time work and print a comparison. */

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = process.hrtime.bigint();
  const value = await work();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, value };
}

export interface Comparison {
  readonly title: string;
  readonly subject: string;
  readonly peer: string;
  readonly subjectMs: readonly number[];
  readonly peerMs: readonly number[];
  /** The ratio subject/peer the project aims to stay at or under. */
  readonly target: number;
}

/** Prints per-round times, medians and the ratio; answers whether the target was met. */
export function printComparison(comparison: Comparison): boolean {
  const subject = median(comparison.subjectMs);
  const peer = median(comparison.peerMs);
  const ratio = subject / peer;
  const rounds = comparison.subjectMs.map((ms, index) => `${ms.toFixed(0)}/${comparison.peerMs[index]?.toFixed(0)}`).join('  ');
  console.log(`\n${comparison.title}`);
  console.log(`  rounds (${comparison.subject}/${comparison.peer} ms): ${rounds}`);
  console.log(`  median ${comparison.subject}: ${subject.toFixed(0)} ms`);
  console.log(`  median ${comparison.peer}: ${peer.toFixed(0)} ms`);
  const met = ratio <= comparison.target;
  console.log(`  ratio ${comparison.subject}/${comparison.peer}: ${ratio.toFixed(3)} (target <= ${comparison.target}: ${met ? 'met' : 'NOT met'})`);
  return met;
}

/** Prints a measured figure against an absolute target (at most `target`); answers whether it was met. */
export function printTarget(title: string, value: number, unit: string, target: number): boolean {
  const met = value <= target;
  console.log(`  ${title}: ${value.toFixed(unit === 'ms' ? 1 : 0)} ${unit} (target <= ${target} ${unit}: ${met ? 'met' : 'NOT met'})`);
  return met;
}
