/**
 * The exit code a command chose without failing (`rig ssh` passes ssh's through, a partial scan is 1,
 * Ctrl-C during a copy is 130). One per run, returned by runRig: never `process.exitCode`, which two
 * runs in one process would share.
 */
export class ExitStatus {
  code = 0;

  /** Sets the code the run ends with (the last one set wins). */
  set(code: number): void {
    this.code = code;
  }
}
