// graphql-http's conformance audit (GraphQL over HTTP) against the server at argv[2].
// Prints one JSON array: each audit's id, name ("MUST ...", "SHOULD ...", "MAY ..."), status and reason.
import { auditServer } from 'graphql-http';

const url = process.argv[2];
const results = await auditServer({ url });
console.log(JSON.stringify(results.map((r) => ({
  id: r.id, name: r.name, status: r.status, reason: r.status === 'ok' ? null : r.reason,
}))));
