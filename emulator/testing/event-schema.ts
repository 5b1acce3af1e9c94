// Test support: validates events against the `EventSchema` of the WorkOS OpenAPI document
// (`@workos/openapi-spec`), whose per-type branches fix each `dsync.*` payload's shape. The schema
// compiles through the OpenAPI validator, which keeps compiled schemas between processes.
import { createOpenApiValidator } from './openapi-validator.ts';

/** Null for an event the schema accepts, else what is wrong with it. */
export function createEventValidator(): (event: unknown) => string | null {
  const validator = createOpenApiValidator();
  return (event) => {
    try {
      validator.validateComponent('EventSchema', event);
      return null;
    } catch (error) {
      return (error as Error).message;
    }
  };
}
