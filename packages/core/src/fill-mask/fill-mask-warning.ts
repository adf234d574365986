/** Something fillmask changed or dropped on the caller's behalf, as the Python pipeline logs it. */
export interface FillMaskWarning {
  readonly code: 'target-replaced' | 'target-ignored';
  readonly message: string;
  /** The target as the caller wrote it. */
  readonly target: string;
}

export type FillMaskWarningHandler = (warning: FillMaskWarning) => void;
