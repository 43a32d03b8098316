// Every answer the tests get from the API is held against the OpenAPI document the API serves: its
// status must be documented for that operation, and a JSON body must match the documented schema.
// So the document and the behaviour cannot drift apart unnoticed.
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import { buildOpenApiDocument } from '../../src/api/openapi';
import { PROVIDER_MODULES } from '../../src/registry';

type Json = Record<string, unknown>;
interface Operation {
  operationId: string;
  responses: Record<string, { content?: Record<string, { schema: Json }> }>;
}

const document = buildOpenApiDocument(PROVIDER_MODULES) as { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, Json> } };
const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
const validators = new Map<string, ValidateFunction>();

/** The documented path templates, most specific first, as patterns over a request path. */
const templates = Object.keys(document.paths)
  .sort((a, b) => (a.includes('{') ? 1 : 0) - (b.includes('{') ? 1 : 0))
  .map((template) => ({ template, pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`) }));

/** A schema with the document's component references made local to it. */
function resolved(schema: Json): Json {
  const ref = schema.$ref;
  if (typeof ref === 'string' && ref.startsWith('#/components/schemas/')) return document.components.schemas[ref.slice('#/components/schemas/'.length)]!;
  return schema;
}

/**
 * Throws when an answer is not what the document says the operation answers. An operation the
 * document does not have (an unknown route, a method a path does not take) is not checked.
 */
export function checkAgainstDocument(answer: { method: string; path: string; status: number; contentType: string; body: unknown }): void {
  const path = answer.path.split('?')[0]!;
  const template = templates.find(({ pattern }) => pattern.test(path))?.template;
  const operation = template ? document.paths[template]![answer.method.toLowerCase()] : undefined;
  if (!template || !operation) return;
  const where = `${answer.method} ${path} (${operation.operationId}) answered ${answer.status}`;
  const response = operation.responses[String(answer.status)];
  if (!response) throw new Error(`${where}, a status the OpenAPI document does not give for it (${Object.keys(operation.responses).join(', ')})`);
  const mediaType = answer.contentType.split(';')[0]!.trim();
  if (!/json$/.test(mediaType) || !response.content) return;
  const documented = response.content[mediaType];
  if (!documented) throw new Error(`${where} with ${mediaType}, which the document does not give (${Object.keys(response.content).join(', ')})`);
  const key = `${template} ${answer.method} ${answer.status} ${mediaType}`;
  let validate = validators.get(key);
  if (!validate) {
    validate = ajv.compile(resolved(documented.schema));
    validators.set(key, validate);
  }
  if (!validate(answer.body)) {
    const problems = (validate.errors ?? []).slice(0, 5).map((e) => `${e.instancePath || '(body)'} ${e.message ?? ''}`.trim());
    throw new Error(`${where} with a body the OpenAPI document does not allow: ${problems.join('; ')}`);
  }
}
