// The shape of an audit entry as tenants read it (API, export, pages). Kept under this name so the
// many writers that import AuditActor from here keep compiling; the tamper evidence itself is the
// Merkle tree (merkle.ts) and the signed checkpoints (checkpoint.ts).

export interface AuditActor {
  type: 'user' | 'api_key' | 'm2m_app' | 'system' | 'provider_event' | 'directory';
  id: string | null;
}

export interface AuditTarget {
  type: string;
  id: string;
}

/** One entry of the log: the fields of its leaf text, plus the leaf hash. */
export interface AuditEvent {
  organizationId: string;
  seq: number;
  id: string;
  type: string;
  actor: AuditActor;
  target: AuditTarget | null;
  data: Record<string, unknown>;
  createdAt: string;
  /** Any further fields the writer recorded (e.g. an impersonator beside the actor). */
  [field: string]: unknown;
}
