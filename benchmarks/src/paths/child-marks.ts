/**
 * A child script's timeline: labelled times in milliseconds since its process started
 * (`performance.now()`, whose origin in a fresh Node process is the process's start), written on
 * stderr after `childMarksTag` so that the parent can split a whole-process time into its steps.
 */
export type ChildMarks = Readonly<Record<string, number>>;

export const childMarksTag = 'fillmask-bench-marks ';

/** The marks' line, for a child script to write last on stderr. */
export function childMarksLine(marks: ChildMarks): string {
  return `${childMarksTag}${JSON.stringify(marks)}\n`;
}

/** The marks a child wrote on stderr (the last such line), or undefined when it wrote none. */
export function readChildMarks(stderr: string): ChildMarks | undefined {
  const line = stderr
    .split('\n')
    .filter((text) => text.startsWith(childMarksTag))
    .pop();
  return line === undefined ? undefined : (JSON.parse(line.slice(childMarksTag.length)) as ChildMarks);
}
