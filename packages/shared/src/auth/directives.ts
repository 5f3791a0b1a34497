import { valueFromASTUntyped, type ConstDirectiveNode, type GraphQLField, type GraphQLObjectType } from 'graphql';
import type { Category, FieldMarks } from './policy';

/**
 * The project's own marks, pasted into every subgraph SDL that uses them. Composition drops them
 * from the supergraph (they are not @composeDirective'd), which is right: each subgraph enforces
 * them itself. String arguments instead of enums, because an enum type would be merged into the
 * supergraph's API schema.
 */
export const AUTH_DIRECTIVES_SDL = /* GraphQL */ `
"Personal data (domain rule 8). minimal: part of the minimal identity (names) the Academy may see."
directive @personal(minimal: Boolean! = false) on FIELD_DEFINITION
"Special-category data: sanctions and corruption records."
directive @specialCategory on FIELD_DEFINITION
"Data about one named servant. area: general, placement, training, accessLog, bodyChain or directory (service lookups), compliance (alert lists). On a type, applies to each field without marks of its own."
directive @servantRecord(area: String! = "general") on FIELD_DEFINITION | OBJECT
"A mutation and what it writes. area: personnel, sanction, training, evaluation or feedback."
directive @writeAccess(area: String!) on FIELD_DEFINITION
`;

export const AUTH_DIRECTIVE_NAMES = ['personal', 'specialCategory', 'servantRecord', 'writeAccess'] as const;

const RECORD_AREAS: Record<string, Category> = {
  general: 'record',
  placement: 'placement',
  training: 'training',
  accessLog: 'accessLog',
  bodyChain: 'bodyChain',
  directory: 'directory',
  compliance: 'compliance',
};
const WRITE_AREAS: Record<string, Category> = {
  personnel: 'write:personnel',
  sanction: 'write:sanction',
  training: 'write:training',
  evaluation: 'write:evaluation',
  feedback: 'write:feedback',
};

function argument(node: ConstDirectiveNode, name: string): unknown {
  const arg = node.arguments?.find((a) => a.name.value === name);
  return arg ? valueFromASTUntyped(arg.value) : undefined;
}

/** A misspelt area must stop the subgraph at start, never silently open or close a field. */
function area(node: ConstDirectiveNode, table: Record<string, Category>, fallback: string | undefined, where: string): Category {
  const value = argument(node, 'area') ?? fallback;
  const category = typeof value === 'string' ? table[value] : undefined;
  if (!category) throw new Error(`${where}: @${node.name.value}(area: ${JSON.stringify(value)}) is not one of ${Object.keys(table).join(', ')}`);
  return category;
}

function categoriesOf(nodes: readonly ConstDirectiveNode[], where: string): Category[] {
  const out: Category[] = [];
  for (const node of nodes) {
    switch (node.name.value) {
      case 'personal':
        out.push(argument(node, 'minimal') === true ? 'identity' : 'personal');
        break;
      case 'specialCategory':
        out.push('special');
        break;
      case 'servantRecord':
        out.push(area(node, RECORD_AREAS, 'general', where));
        break;
      case 'writeAccess':
        out.push(area(node, WRITE_AREAS, undefined, where));
        break;
    }
  }
  return out;
}

function typeDirectives(type: GraphQLObjectType): ConstDirectiveNode[] {
  return [type.astNode, ...type.extensionASTNodes].flatMap((n) => [...(n?.directives ?? [])]);
}

/**
 * The categories of a field: its own marks, else its type's. The field's own marks replace the
 * type's so that, on a `@servantRecord` type, `lastName @personal(minimal: true)` is identity
 * data the Academy may read rather than a record it may not. Null when nothing marks it.
 */
export function fieldMarksOf(type: GraphQLObjectType, field: GraphQLField<unknown, unknown>): FieldMarks | null {
  const where = `${type.name}.${field.name}`;
  const own = categoriesOf(field.astNode?.directives ?? [], where);
  if (own.length > 0) return { categories: own };
  const inherited = categoriesOf(typeDirectives(type), where);
  return inherited.length > 0 ? { categories: inherited } : null;
}
