// One refusal shape for every framework: RFC 9457 problem+json carrying Gatehouse's code.
import { GatehouseError } from './types.ts';

export interface Problem {
  type: string;
  title: string;
  status: number;
  code: string;
  detail: string;
}

/** The problem document for a GatehouseError; null for anything else (the framework's own 500). */
export function problemOf(error: unknown): Problem | null {
  if (!(error instanceof GatehouseError)) return null;
  const slug = error.code.toLowerCase().replaceAll('_', '-');
  return {
    type: `https://gatehouse.dev/problems/${slug}`,
    title: error.code,
    status: error.status,
    code: error.code,
    detail: error.message,
  };
}

export function problemResponse(error: unknown): Response {
  const problem = problemOf(error);
  if (!problem) throw error;
  return new Response(JSON.stringify(problem), {
    status: problem.status,
    headers: { 'content-type': 'application/problem+json' },
  });
}
