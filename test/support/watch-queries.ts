import { type KyselyPlugin, type RootOperationNode, TableNode } from 'kysely';

/** Sees every statement before it runs; `fail` may throw to inject a database failure. */
export function watchQueries(fail: (node: RootOperationNode) => void = () => {}) {
  const seen: RootOperationNode[] = [];
  const plugin: KyselyPlugin = {
    transformQuery({ node }) {
      seen.push(node);
      fail(node);
      return node;
    },
    transformResult: async ({ result }) => result,
  };
  return { plugin, seen };
}

export function isInsertInto(node: RootOperationNode, table: string): boolean {
  return node.kind === 'InsertQueryNode' && node.into?.table.identifier.name === table;
}

export function isSelectFrom(node: RootOperationNode, table: string): boolean {
  return (
    node.kind === 'SelectQueryNode' &&
    node.from?.froms.some((from) => TableNode.is(from) && from.table.identifier.name === table) ===
      true
  );
}

export function isUpdateOf(node: RootOperationNode, table: string): boolean {
  return (
    node.kind === 'UpdateQueryNode' &&
    node.table !== undefined &&
    TableNode.is(node.table) &&
    node.table.table.identifier.name === table
  );
}
