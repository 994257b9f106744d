// Composes pbxgraph's subgraph SDL (the file argv[2]) with a small "tickets" subgraph whose Ticket
// refers to pbxgraph's User, then plans argv[3] on the supergraph as a federation router would.
// Prints {errors} or {supergraph, fetches: [{service, operation, requires}]}.
import { readFileSync } from 'node:fs';
import { composeServices } from '@apollo/composition';
import { Supergraph, operationFromDocument } from '@apollo/federation-internals';
import { QueryPlanner } from '@apollo/query-planner';
import { parse } from 'graphql';

const [sdlPath, query] = process.argv.slice(2);
const TICKETS = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
  type Query { tickets: [Ticket!]! }
  type Ticket { id: ID! title: String! assignee: User }
  type User @key(fields: "id") { id: ID! openTickets: [Ticket!]! }
`;
const composed = composeServices([
  { name: 'pbxgraph', url: 'http://pbxgraph.invalid/graphql', typeDefs: parse(readFileSync(sdlPath, 'utf8')) },
  { name: 'tickets', url: 'http://tickets.invalid/graphql', typeDefs: parse(TICKETS) },
]);
if (composed.errors) {
  console.log(JSON.stringify({ errors: composed.errors.map((e) => e.message) }));
  process.exit(0);
}
const supergraph = Supergraph.build(composed.supergraphSdl);
const operation = operationFromDocument(supergraph.schema, parse(query), { validate: true });
const plan = new QueryPlanner(supergraph).buildQueryPlan(operation);

const fetches = [];
(function walk(node) {
  if (!node) return;
  if (node.kind === 'Fetch') {
    fetches.push({ service: node.serviceName, operation: node.operation, requires: Boolean(node.requires) });
  }
  for (const child of [node.node, ...(node.nodes ?? [])]) walk(child);
})(plan.node);
console.log(JSON.stringify({ supergraph: composed.supergraphSdl, fetches }));
