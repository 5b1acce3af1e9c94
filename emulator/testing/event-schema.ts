// Test support: validates events against the `EventSchema` of the WorkOS OpenAPI document
// (`@workos/openapi-spec`), whose per-type branches fix each `dsync.*` payload's shape.
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { workosSpec } from './workos-spec.ts';

export function createEventValidator(): (event: unknown) => string | null {
  const spec = workosSpec();
  // OpenAPI adds keywords (example, deprecated, discriminator) that JSON Schema does not know.
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  (addFormats as unknown as (a: Ajv2020) => void)(ajv);
  ajv.addSchema({ $id: 'workos', components: spec.components }, 'workos');
  const validate = ajv.getSchema('workos#/components/schemas/EventSchema');
  if (!validate) throw new Error('EventSchema missing from the WorkOS OpenAPI document');
  return (event) => (validate(event) ? null : ajv.errorsText(validate.errors?.slice(0, 5)));
}
