/** One labelled text, with optional integer group codes (e.g. { corpus: 3, identity: 1 }). */
export interface TextRecord {
  text: string;
  label: number;
  groups?: Record<string, number>;
}

/**
 * Raw labelled texts before featurisation. Carries class and group names alongside the
 * records so that text transforms (token injection) and featurisers keep them.
 */
export interface TextCorpus {
  name: string;
  records: TextRecord[];
  numClasses: number;
  classNames: string[];
  /** Code -> readable name for every group key used in the records. */
  groupNames: Record<string, string[]>;
  source: string;
}
